#include "watch_view.hpp"

#include <sstream>
#include <utility>

#include <fmt/format.h>

#include "format.hpp"
#include "table.hpp"
#include "views.hpp"

namespace auction::cli {
namespace {

using Clock = std::chrono::system_clock;

Clock::time_point to_time_point(const google::protobuf::Timestamp& ts) {
  return Clock::time_point(std::chrono::duration_cast<Clock::duration>(
      std::chrono::seconds(ts.seconds()) + std::chrono::nanoseconds(ts.nanos())));
}

bool closed(v1::AuctionStatus s) {
  return s == v1::AUCTION_STATUS_ENDED || s == v1::AUCTION_STATUS_CANCELLED;
}

std::string leader_text(const WatchState& s) {
  if (s.leader_id.empty() && s.leader_name.empty()) return "none";
  return name_with_id(s.leader_name, s.leader_id);
}

/// The public state that every event but HEARTBEAT carries.
void apply_public(WatchState& s, const v1::AuctionUpdate& u) {
  s.current_price = u.current_price();
  s.leader_id = u.leading_bidder_id();
  s.leader_name = u.leading_bidder_name();
  s.bid_count = u.bid_count();
  s.minimum_next_bid = u.minimum_next_bid();
  if (is_set(u.ends_at())) s.ends_at = u.ends_at();
  if (!u.currency().empty()) s.currency = u.currency();
}

void apply_snapshot(WatchState& s, const v1::AuctionUpdate& u, const std::string& when) {
  const v1::Auction& a = u.auction();
  const std::int64_t version = u.version() != 0 ? u.version() : a.version();
  const bool first = !s.have_state;
  const bool jump = s.have_state && version > s.version + 1;
  if (!a.title().empty()) s.title = a.title();
  if (!a.id().empty()) s.auction_id = a.id();
  s.currency = !a.currency().empty() ? a.currency() : u.currency();
  s.status = a.status();
  s.start_time = a.start_time();
  s.ends_at = is_set(u.ends_at()) ? u.ends_at() : a.end_time();
  s.current_price = a.current_price();
  s.leader_id = a.leading_bidder_id();
  s.leader_name = a.leading_bidder_name();
  s.bid_count = a.bid_count();
  s.minimum_next_bid = a.minimum_next_bid();
  s.outcome = a.outcome() != v1::OUTCOME_UNSPECIFIED ? a.outcome() : u.outcome();
  s.winner_id = !a.winner_id().empty() ? a.winner_id() : u.winner_id();
  s.winner_name = u.winner_name();
  if (s.winner_name.empty() && s.outcome == v1::OUTCOME_SOLD && s.winner_id == s.leader_id) {
    s.winner_name = s.leader_name;
  }
  s.final_price = a.final_price() != 0 ? a.final_price() : u.final_price();
  const std::int64_t skipped = version - s.version - 1;
  s.version = version;
  s.have_state = true;
  if (jump) {
    ++s.coalesced;
    add_event(s, when,
              "caught up at version " + std::to_string(version) + " (" + std::to_string(skipped) +
                  (skipped == 1 ? " change" : " changes") + " coalesced)");
  } else if (first) {
    add_event(s, when, "watching from version " + std::to_string(version));
  } else {
    add_event(s, when, "resynchronised at version " + std::to_string(version));
  }
  if (closed(s.status)) {
    s.finished = true;
    add_event(s, when, outcome_text(s));
  }
}

}  // namespace

void add_event(WatchState& state, std::string when, std::string text) {
  state.events.push_back({std::move(when), std::move(text)});
  ++state.event_count;
  while (state.events.size() > WatchState::kMaxEvents) state.events.pop_front();
}

void seed_from_version(WatchState& s, const v1::AuctionUpdate& current, std::int64_t from_version,
                       Clock::time_point received) {
  WatchState seeded;
  apply_update(seeded, current, received);
  if (seeded.version <= from_version) {
    s = std::move(seeded);
    return;
  }
  s.auction_id = seeded.auction_id;
  s.title = seeded.title;
  s.currency = seeded.currency;
  s.start_time = seeded.start_time;
  s.ends_at = seeded.ends_at;
  s.clock_offset = seeded.clock_offset;
  // Closed later (a replayed event will say so); open at from_version.
  s.status = closed(seeded.status) ? v1::AUCTION_STATUS_ACTIVE : seeded.status;
  s.version = from_version;
  s.have_state = true;
  add_event(s, time_of_day(received), "watching from version " + std::to_string(from_version));
}

bool apply_update(WatchState& s, const v1::AuctionUpdate& u, Clock::time_point received) {
  ++s.updates;
  if (is_set(u.server_time())) {
    s.clock_offset = std::chrono::duration_cast<std::chrono::nanoseconds>(
        to_time_point(u.server_time()) - received);
  }
  if (s.auction_id.empty()) s.auction_id = u.auction_id();
  const std::string when =
      is_set(u.server_time()) ? time_of_day(u.server_time()) : time_of_day(received);

  switch (u.type()) {
    case v1::AuctionUpdate::HEARTBEAT:
      if (is_set(u.ends_at())) s.ends_at = u.ends_at();
      return true;
    case v1::AuctionUpdate::SNAPSHOT:
      apply_snapshot(s, u, when);
      return true;
    case v1::AuctionUpdate::BID_PLACED:
    case v1::AuctionUpdate::TIME_EXTENDED:
    case v1::AuctionUpdate::AUCTION_ENDED:
    case v1::AuctionUpdate::AUCTION_CANCELLED:
      break;
    default:
      return true;  // a type this client does not know: nothing to show
  }

  if (s.have_state && u.version() <= s.version) return false;  // seen before
  if (s.have_state && u.version() > s.version + 1) {
    add_event(s, when,
              "missed versions " + std::to_string(s.version + 1) + ".." +
                  std::to_string(u.version() - 1));
  }
  apply_public(s, u);
  s.version = u.version();
  s.have_state = true;
  switch (u.type()) {
    case v1::AuctionUpdate::BID_PLACED:
      if (s.status == v1::AUCTION_STATUS_UNSPECIFIED || s.status == v1::AUCTION_STATUS_SCHEDULED) {
        s.status = v1::AUCTION_STATUS_ACTIVE;
      }
      add_event(s, when,
                "bid #" + std::to_string(s.bid_count) + ": " + leader_text(s) + " leads at " +
                    money(s.current_price, s.currency));
      break;
    case v1::AuctionUpdate::TIME_EXTENDED: {
      std::string text = "end extended to " + time_of_day(s.ends_at);
      if (!u.extension_reason().empty()) text += " (" + u.extension_reason() + ")";
      add_event(s, when, text);
      break;
    }
    case v1::AuctionUpdate::AUCTION_ENDED:
      s.status = v1::AUCTION_STATUS_ENDED;
      s.outcome = u.outcome();
      s.winner_id = u.winner_id();
      s.winner_name = u.winner_name();
      s.final_price = u.final_price();
      s.finished = true;
      add_event(s, when, outcome_text(s));
      break;
    case v1::AuctionUpdate::AUCTION_CANCELLED:
      s.status = v1::AUCTION_STATUS_CANCELLED;
      s.finished = true;
      add_event(s, when, outcome_text(s));
      break;
    default:
      break;
  }
  return true;
}

std::string time_of_day(const google::protobuf::Timestamp& ts) {
  if (!is_set(ts)) return "--:--:--";
  std::int64_t s = ts.seconds() % 86400;
  if (s < 0) s += 86400;
  return fmt::format("{:02d}:{:02d}:{:02d}", s / 3600, s % 3600 / 60, s % 60);
}

std::string time_of_day(Clock::time_point t) {
  google::protobuf::Timestamp ts;
  ts.set_seconds(std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count());
  return time_of_day(ts);
}

std::string countdown(std::chrono::seconds d) {
  const std::int64_t total = d.count() < 0 ? 0 : d.count();
  const auto days = static_cast<long long>(total / 86400);
  const auto hours = static_cast<int>(total % 86400 / 3600);
  const auto minutes = static_cast<int>(total % 3600 / 60);
  const auto seconds = static_cast<int>(total % 60);
  if (days > 0) return fmt::format("{}d {:02d}h {:02d}m {:02d}s", days, hours, minutes, seconds);
  if (hours > 0) return fmt::format("{}h {:02d}m {:02d}s", hours, minutes, seconds);
  if (minutes > 0) return fmt::format("{}m {:02d}s", minutes, seconds);
  return fmt::format("{}s", seconds);
}

std::chrono::seconds time_left(const WatchState& state, Clock::time_point now) {
  if (!is_set(state.ends_at)) return std::chrono::seconds(0);
  const auto server_now = now + std::chrono::duration_cast<Clock::duration>(state.clock_offset);
  const auto left = to_time_point(state.ends_at) - server_now;
  if (left <= Clock::duration::zero()) return std::chrono::seconds(0);
  // Rounded up: "1s" until the very end, "0s" only once it is due.
  auto secs = std::chrono::duration_cast<std::chrono::seconds>(left);
  if (secs < left) ++secs;
  return secs;
}

std::chrono::nanoseconds until_next_tick(const WatchState& state, Clock::time_point now) {
  using std::chrono::nanoseconds;
  constexpr nanoseconds kSecond = std::chrono::seconds(1);
  if (!is_set(state.ends_at)) return kSecond;
  const auto server_now = now + std::chrono::duration_cast<Clock::duration>(state.clock_offset);
  const auto left =
      std::chrono::duration_cast<nanoseconds>(to_time_point(state.ends_at) - server_now);
  if (left <= nanoseconds::zero()) return kSecond;
  // The countdown shows `left` rounded up: it changes when `left` crosses a
  // whole second; 1 ms later the new value shows.
  const nanoseconds frac = left % kSecond;
  return (frac == nanoseconds::zero() ? kSecond : frac) + std::chrono::milliseconds(1);
}

std::string outcome_text(const WatchState& s) {
  if (s.status == v1::AUCTION_STATUS_CANCELLED) return "cancelled";
  if (s.status != v1::AUCTION_STATUS_ENDED) return "";
  switch (s.outcome) {
    case v1::OUTCOME_SOLD: {
      const std::string& name = !s.winner_name.empty() ? s.winner_name : s.leader_name;
      const std::string& id = !s.winner_id.empty() ? s.winner_id : s.leader_id;
      const std::int64_t price = s.final_price != 0 ? s.final_price : s.current_price;
      return "ended: sold to " + name_with_id(name, id) + " for " + money(price, s.currency);
    }
    case v1::OUTCOME_UNSOLD:
      return "ended: unsold";
    default:
      return "ended";
  }
}

std::string render_watch(const WatchState& s, Clock::time_point now, std::size_t width) {
  std::ostringstream out;
  std::string heading = "auction " + (s.auction_id.empty() ? "?" : s.auction_id);
  if (!s.title.empty()) heading += ": " + s.title;
  out << heading << "\n\n";

  if (!s.have_state) {
    out << "waiting for the first update...\n";
  } else {
    const bool open = s.status == v1::AUCTION_STATUS_ACTIVE ||
                      s.status == v1::AUCTION_STATUS_SCHEDULED ||
                      s.status == v1::AUCTION_STATUS_UNSPECIFIED;
    Fields f;
    f.add("status", status_name(s.status));
    f.add("current price", s.bid_count > 0 ? money(s.current_price, s.currency)
                                           : money(s.current_price, s.currency) + " (no bids yet)");
    f.add("leader", leader_text(s));
    f.add("bids", std::to_string(s.bid_count));
    if (open) {
      f.add("min next bid", money(s.minimum_next_bid, s.currency));
      const auto server_now = now + std::chrono::duration_cast<Clock::duration>(s.clock_offset);
      if (s.status == v1::AUCTION_STATUS_SCHEDULED && is_set(s.start_time) &&
          to_time_point(s.start_time) > server_now) {
        const auto to_start =
            std::chrono::ceil<std::chrono::seconds>(to_time_point(s.start_time) - server_now);
        f.add("starts in", countdown(to_start));
      }
      f.add("ends at", timestamp(s.ends_at));
      const auto left = time_left(s, now);
      f.add("time left", left.count() > 0 ? countdown(left) : "0s (closing...)");
    } else {
      f.add("outcome", outcome_text(s));
    }
    f.add("version", std::to_string(s.version));
    f.print(out);
  }

  out << "\nrecent events (UTC)\n";
  if (s.events.empty()) out << "  none yet\n";
  for (const auto& e : s.events) out << "  " << e.when << "  " << e.text << '\n';
  out << '\n';
  if (!s.connection.empty()) {
    out << s.connection << '\n';
  } else if (s.finished) {
    out << "the auction is closed\n";
  } else {
    out << "live: " << s.updates << (s.updates == 1 ? " update" : " updates")
        << " received; Ctrl-C quits\n";
  }

  // Every line fits the terminal; control characters (e.g. in a title) are
  // neutralised.
  std::istringstream in(out.str());
  std::string result;
  std::string line;
  while (std::getline(in, line)) result += fit(line, width) + '\n';
  return result;
}

}  // namespace auction::cli
