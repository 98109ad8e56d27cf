#include "views.hpp"

#include <string>

#include "format.hpp"
#include "table.hpp"

namespace auction::cli {
namespace {

constexpr std::size_t kTitleWidth = 40;

/// When it ends, or ended (an early end by buy-now or cancel shows then).
std::string ends_cell(const v1::Auction& a, Clock::time_point now) {
  const auto& at = is_set(a.ended_at()) ? a.ended_at() : a.end_time();
  if (!is_set(at)) return "-";
  return timestamp(at) + " (" + relative(at, now) + ")";
}

std::string reserve_text(const v1::Auction& a) {
  if (!a.has_reserve()) return "none";
  std::string s = a.reserve_met() ? "met" : "not met";
  if (a.reserve_price() > 0) s += " (reserve " + money(a.reserve_price(), a.currency()) + ")";
  return s;
}

std::string outcome_text(const v1::Auction& a) {
  switch (a.outcome()) {
    case v1::OUTCOME_SOLD:
      return "sold to " + name_with_id(a.leading_bidder_name(), a.winner_id()) + " for " +
             money(a.final_price(), a.currency());
    case v1::OUTCOME_UNSOLD:
      return "unsold";
    default:
      return "";
  }
}

/// The "ends at" field: the end, how long is left while open, and an
/// extension by soft close.
std::string ends_at_text(const v1::Auction& a, bool open, Clock::time_point now,
                         const google::protobuf::Duration* remaining) {
  std::string ends = timestamp(a.end_time());
  if (open && is_set(a.end_time())) {
    ends += remaining != nullptr ? " (" + compact_duration(*remaining) + " left)"
                                 : " (" + relative(a.end_time(), now) + ")";
  }
  if (is_set(a.original_end_time()) && a.original_end_time().seconds() != a.end_time().seconds()) {
    ends += ", extended from " + timestamp(a.original_end_time());
  }
  return ends;
}

std::string soft_close_text(const v1::Auction& a) {
  if (!is_set(a.soft_close_window()) && !is_set(a.soft_close_extension())) return "off";
  std::string text = "bids in the last " + compact_duration(a.soft_close_window()) +
                     " extend the end by " + compact_duration(a.soft_close_extension());
  if (is_set(a.soft_close_max_extension())) {
    text +=
        ", at most " + compact_duration(a.soft_close_max_extension()) + " past the original end";
  }
  return text;
}

/// The description after a blank line, each of its lines indented by two.
void print_description(std::ostream& out, const std::string& description) {
  if (description.empty()) return;
  out << "\n";
  std::string line;
  for (char c : description) {
    if (c == '\n') {
      out << "  " << line << '\n';
      line.clear();
    } else {
      line += c;
    }
  }
  out << "  " << line << '\n';
}

}  // namespace

std::string name_with_id(const std::string& name, const std::string& id) {
  if (name.empty()) return id.empty() ? "-" : "id " + id;
  if (id.empty()) return name;
  return name + " (id " + id + ")";
}

void print_auction(std::ostream& out, const v1::Auction& a, Clock::time_point now,
                   const google::protobuf::Duration* remaining) {
  const std::string& cur = a.currency();
  bool open = a.status() == v1::AUCTION_STATUS_ACTIVE || a.status() == v1::AUCTION_STATUS_SCHEDULED;
  Fields f;
  f.add("auction", a.id() + "  " + fit(a.title(), 200));
  f.add("status", status_name(a.status()));
  f.add("seller", name_with_id(a.seller_name(), a.seller_id()));
  f.add("category", a.category());
  f.add("current price", a.bid_count() > 0 ? money(a.current_price(), cur)
                                           : money(a.current_price(), cur) + " (no bids yet)");
  f.add("leader", a.leading_bidder_id().empty()
                      ? "none"
                      : name_with_id(a.leading_bidder_name(), a.leading_bidder_id()));
  f.add("bids", std::to_string(a.bid_count()));
  if (open) f.add("min next bid", money(a.minimum_next_bid(), cur));
  f.add("starting price", money(a.starting_price(), cur));
  f.add("increment", a.min_increment() > 0 ? money(a.min_increment(), cur) : "default table");
  f.add("reserve", reserve_text(a));
  f.add("buy now", a.buy_now_price() > 0 ? money(a.buy_now_price(), cur) : "none");
  f.add("starts at", timestamp(a.start_time()));
  f.add("ends at", ends_at_text(a, open, now, remaining));
  f.add("soft close", soft_close_text(a));
  f.add("outcome", outcome_text(a));
  if (is_set(a.ended_at())) f.add("ended at", timestamp(a.ended_at()));
  for (int i = 0; i < a.media_urls_size(); ++i) f.add(i == 0 ? "media" : "", a.media_urls(i));
  f.add("created at", timestamp(a.created_at()));
  f.add("version", std::to_string(a.version()));
  f.print(out);
  print_description(out, a.description());
}

void print_top_bidders(std::ostream& out,
                       const google::protobuf::RepeatedPtrField<v1::TopBidder>& bidders,
                       const std::string& currency) {
  if (bidders.empty()) {
    out << "no bidders yet\n";
    return;
  }
  Table t({{"#", Align::kRight},
           {"BIDDER", Align::kLeft, 32},
           {"AMOUNT", Align::kRight},
           {"LEADING", Align::kLeft}});
  int rank = 0;
  for (const auto& b : bidders) {
    t.add_row({std::to_string(++rank), name_with_id(b.display_name(), b.bidder_id()),
               money(b.amount(), currency), b.leading() ? "yes" : ""});
  }
  t.print(out);
}

void print_auction_table(std::ostream& out,
                         const google::protobuf::RepeatedPtrField<v1::Auction>& auctions,
                         Clock::time_point now) {
  if (auctions.empty()) {
    out << "no auctions\n";
    return;
  }
  Table t({{"ID", Align::kRight},
           {"TITLE", Align::kLeft, kTitleWidth},
           {"STATUS", Align::kLeft},
           {"PRICE", Align::kRight},
           {"BIDS", Align::kRight},
           {"ENDS", Align::kLeft}});
  for (const auto& a : auctions) {
    t.add_row({a.id(), a.title(), status_name(a.status()), money(a.current_price(), a.currency()),
               std::to_string(a.bid_count()), ends_cell(a, now)});
  }
  t.print(out);
}

void print_bid_history(std::ostream& out, const google::protobuf::RepeatedPtrField<v1::Bid>& bids) {
  if (bids.empty()) {
    out << "no bids\n";
    return;
  }
  Table t({{"TIME", Align::kLeft},
           {"BIDDER", Align::kLeft, 32},
           {"AMOUNT", Align::kRight},
           {"VERSION", Align::kRight},
           {"NOTE", Align::kLeft}});
  for (const auto& b : bids) {
    t.add_row({timestamp(b.placed_at()), name_with_id(b.bidder_name(), b.bidder_id()),
               money(b.amount(), b.currency()), std::to_string(b.version()),
               b.buy_now() ? "buy now" : ""});
  }
  t.print(out);
}

void print_my_bids(std::ostream& out, const google::protobuf::RepeatedPtrField<v1::Bid>& bids) {
  if (bids.empty()) {
    out << "no bids\n";
    return;
  }
  Table t({{"TIME", Align::kLeft},
           {"AUCTION", Align::kRight},
           {"PRICE", Align::kRight},
           {"MAX", Align::kRight},
           {"RESULT", Align::kLeft},
           {"VERSION", Align::kRight}});
  for (const auto& b : bids) {
    std::string result = b.accepted() ? (b.buy_now() ? "bought (buy now)" : "accepted")
                                      : "rejected: " + reject_reason_name(b.reject_reason());
    t.add_row({timestamp(b.placed_at()), b.auction_id(),
               b.amount() > 0 ? money(b.amount(), b.currency()) : "-",
               b.max_amount() > 0 ? money(b.max_amount(), b.currency()) : "-", result,
               b.version() > 0 ? std::to_string(b.version()) : "-"});
  }
  t.print(out);
}

void print_user(std::ostream& out, const v1::User& u) {
  Fields f;
  f.add("user id", u.id());
  f.add("username", u.username());
  f.add("display name", u.display_name());
  f.add("role", role_name(u.role()));
  f.add("suspended", yes_no(u.suspended()));
  f.add("created at", timestamp(u.created_at()));
  f.print(out);
}

std::string reject_reason_text(const v1::PlaceBidResponse& r) {
  switch (r.reject_reason()) {
    case v1::BID_TOO_LOW:
      return "the minimum next bid is " + money(r.minimum_next_bid(), r.currency());
    case v1::AUCTION_NOT_STARTED:
      return "the auction has not started yet";
    case v1::AUCTION_ENDED:
      return "the auction has ended";
    case v1::AUCTION_CANCELLED:
      return "the auction was cancelled";
    case v1::SELF_BID:
      return "sellers cannot bid on their own auction";
    case v1::BIDDER_SUSPENDED:
      return "your account is suspended";
    default:
      return "";
  }
}

void print_bid_reply(std::ostream& out, const v1::PlaceBidResponse& r, Clock::time_point now) {
  const std::string& cur = r.currency();
  Fields f;
  if (r.accepted()) {
    f.add("accepted", r.bid_id().empty() ? "yes" : "yes (bid " + r.bid_id() + ")");
    f.add("leading", r.leading() ? "yes" : "no (outbid at once by an earlier, higher maximum)");
  } else {
    const std::string text = reject_reason_text(r);
    const std::string name = reject_reason_name(r.reject_reason());
    f.add("rejected", text.empty() ? name : name + ": " + text);
  }
  f.add("current price", money(r.current_price(), cur));
  f.add("leader", r.leading_bidder_id().empty()
                      ? "none"
                      : name_with_id(r.leading_bidder_name(), r.leading_bidder_id()));
  f.add("min next bid", r.minimum_next_bid() > 0 ? money(r.minimum_next_bid(), cur) : "");
  // Once over, ends_at is when it ended (a buy-now or cancel ends it early).
  const bool over = !r.accepted() && (r.reject_reason() == v1::AUCTION_ENDED ||
                                      r.reject_reason() == v1::AUCTION_CANCELLED);
  if (is_set(r.ends_at())) {
    f.add(over ? "ended at" : "ends at",
          timestamp(r.ends_at()) + " (" + relative(r.ends_at(), now) + ")");
  }
  f.add("version", std::to_string(r.version()));
  f.print(out);
}

void print_next_page(std::ostream& out, const std::string& token) {
  if (!token.empty()) out << "\nnext page: --page-token " << token << '\n';
}

}  // namespace auction::cli

namespace auction::cli {
namespace {

/// "\"Desk lamp\" (auction 5)", or "auction 5" without a title.
std::string auction_ref(const v1::Notification& n) {
  if (n.auction_title().empty()) return "auction " + n.auction_id();
  return "\"" + fit(n.auction_title(), kTitleWidth) + "\" (auction " + n.auction_id() + ")";
}

std::string amount_or_dash(const v1::Notification& n) {
  return n.amount() > 0 ? money(n.amount(), n.currency()) : "-";
}

}  // namespace

std::string notification_type_name(v1::Notification::Type t) {
  if (t == v1::Notification::TYPE_UNSPECIFIED) return "-";
  return v1::Notification::Type_Name(t);
}

void print_notification_table(
    std::ostream& out, const google::protobuf::RepeatedPtrField<v1::Notification>& notifications) {
  if (notifications.empty()) {
    out << "no notifications\n";
    return;
  }
  Table t({{"SEQ", Align::kRight},
           {"WHEN", Align::kLeft},
           {"TYPE", Align::kLeft},
           {"AUCTION", Align::kLeft, kTitleWidth + 12},
           {"AMOUNT", Align::kRight},
           {"READ", Align::kLeft}});
  for (const auto& n : notifications) {
    std::string auction = n.auction_title().empty() ? n.auction_id()
                                                    : fit(n.auction_title(), kTitleWidth) +
                                                          " (id " + n.auction_id() + ")";
    t.add_row({std::to_string(n.seq()), timestamp(n.created_at()), notification_type_name(n.type()),
               auction, amount_or_dash(n), yes_no(n.read())});
  }
  t.print(out);
}

std::string notification_line(const v1::Notification& n) {
  const std::string ref = auction_ref(n);
  const std::string amount = money(n.amount(), n.currency());
  std::string text;
  switch (n.type()) {
    case v1::Notification::OUTBID:
      text = "you were outbid on " + ref + (n.amount() > 0 ? ": the price is now " + amount : "");
      break;
    case v1::Notification::WON:
      text = "you won " + ref + (n.amount() > 0 ? " for " + amount : "");
      break;
    case v1::Notification::LOST:
      text = ref + " ended and you did not win" +
             (n.amount() > 0 ? " (it sold for " + amount + ")" : "");
      break;
    case v1::Notification::SOLD:
      text = "your auction " + ref + " sold" + (n.amount() > 0 ? " for " + amount : "");
      break;
    case v1::Notification::UNSOLD:
      text = "your auction " + ref + " ended unsold";
      break;
    case v1::Notification::CANCELLED:
      text = ref + " was cancelled";
      break;
    case v1::Notification::ENDING_SOON:
      text = ref + " ends soon";
      if (is_set(n.ends_at())) text += " (" + timestamp(n.ends_at()) + ")";
      if (n.amount() > 0) text += ": the price is " + amount;
      break;
    default:
      text = ref;
      break;
  }
  return "#" + std::to_string(n.seq()) + " " + timestamp(n.created_at()) + " " +
         notification_type_name(n.type()) + ": " + fit(text, 0);
}

}  // namespace auction::cli
