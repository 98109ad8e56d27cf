// create, get, list, bid, buy-now, cancel, history.
#include <algorithm>
#include <cctype>
#include <iostream>
#include <optional>
#include <vector>

#include <google/protobuf/util/time_util.h>

#include "commands.hpp"
#include "format.hpp"
#include "json_output.hpp"
#include "messages.hpp"
#include "paging.hpp"
#include "parse.hpp"
#include "views.hpp"

namespace auction::cli {
namespace {

using google::protobuf::util::TimeUtil;

// The server names request fields; the user typed flags. Only the fields
// each command sets, so that a word is not renamed where it means something
// else.
const FlagNames kCreateFlags = {{"title", "--title"},
                                {"description", "--description"},
                                {"category", "--category"},
                                {"currency", "--currency"},
                                {"media_urls", "--media"},
                                {"starting_price", "--start-price"},
                                {"reserve_price", "--reserve"},
                                {"buy_now_price", "--buy-now"},
                                {"min_increment", "--increment"},
                                {"start_time", "--starts-at"},
                                {"end_time", "--ends-at"},
                                {"duration", "--duration"},
                                {"soft_close_window", "--soft-close-window"},
                                {"soft_close_extension", "--soft-close-extension"},
                                {"soft_close_max_extension", "--soft-close-max-extension"}};
const FlagNames kListFlags = {{"seller_id", "--seller"},
                              {"seller_username", "--seller"},
                              {"category", "--category"},
                              {"page_size", "--page-size"},
                              {"page_token", "--page-token"}};
const FlagNames kBidFlags = {{"max_amount", "AMOUNT"}, {"idempotency_key", "--key"}};
const FlagNames kCancelFlags = {{"reason", "--reason"}};

/// `client.call(...)` with INVALID_ARGUMENT messages in the command's flags.
template <class Stub, class Request, class Response>
Response call_with_flags(const Client& client, Stub& stub,
                         grpc::Status (Stub::*method)(grpc::ClientContext*, const Request&,
                                                      Response*),
                         const Request& request, const FlagNames& flags) {
  try {
    return client.call(stub, method, request);
  } catch (const RpcError& e) {
    throw in_flag_names(e, flags);
  }
}

/// A seller is found by id when --seller is all digits, else by username.
bool is_user_id(const std::string& text) {
  return !text.empty() &&
         std::ranges::all_of(text, [](unsigned char c) { return std::isdigit(c) != 0; });
}

struct CreateArgs {
  std::string title;
  std::string description;
  std::string category;
  std::string currency;
  std::string start_price;
  std::optional<std::string> reserve;
  std::optional<std::string> buy_now;
  std::optional<std::string> increment;
  std::optional<std::string> starts_at;
  std::optional<std::string> starts_in;
  std::optional<std::string> ends_at;
  std::optional<std::string> duration;
  std::optional<std::string> soft_close_window;
  std::optional<std::string> soft_close_extension;
  std::optional<std::string> soft_close_max_extension;
  std::vector<std::string> media;
};

struct GetArgs {
  std::string id;
  int top = 0;
};

struct ListArgs {
  std::string status;
  std::string seller;
  std::string category;
  std::string text;
  std::string order;
  Paging paging;
};

struct BidArgs {
  std::string id;
  std::string amount;
  std::string key;
};

struct BuyNowArgs {
  std::string id;
  std::string key;
};

struct CancelArgs {
  std::string id;
  std::string reason;
};

struct HistoryArgs {
  std::string id;
  Paging paging;
};

v1::CreateAuctionRequest build_create_request(const CreateArgs& a) {
  v1::CreateAuctionRequest req;
  req.set_title(a.title);
  req.set_description(a.description);
  req.set_category(a.category);
  if (!a.currency.empty()) req.set_currency(parse_currency(a.currency));
  for (const auto& url : a.media) req.add_media_urls(url);
  req.set_starting_price(parse_amount("--start-price", a.start_price));
  if (a.reserve) req.set_reserve_price(parse_amount("--reserve", *a.reserve));
  if (a.buy_now) req.set_buy_now_price(parse_amount("--buy-now", *a.buy_now));
  if (a.increment) req.set_min_increment(parse_amount("--increment", *a.increment));

  if (a.starts_at) {
    *req.mutable_start_time() = parse_timestamp("--starts-at", *a.starts_at);
  } else if (a.starts_in) {
    auto start =
        TimeUtil::GetCurrentTime() + to_proto_duration(parse_duration("--starts-in", *a.starts_in));
    *req.mutable_start_time() = start;
  }
  if (a.ends_at.has_value() == a.duration.has_value()) {
    throw UsageError("give exactly one of --ends-at and --duration");
  }
  if (a.ends_at) {
    *req.mutable_end_time() = parse_timestamp("--ends-at", *a.ends_at);
  } else {
    auto d = parse_duration("--duration", *a.duration);
    if (d.count() <= 0) throw UsageError("--duration must be positive");
    *req.mutable_duration() = to_proto_duration(d);
  }
  if (a.soft_close_window.has_value() != a.soft_close_extension.has_value()) {
    throw UsageError("give both --soft-close-window and --soft-close-extension, or neither");
  }
  if (a.soft_close_window) {
    *req.mutable_soft_close_window() =
        to_proto_duration(parse_duration("--soft-close-window", *a.soft_close_window));
    *req.mutable_soft_close_extension() =
        to_proto_duration(parse_duration("--soft-close-extension", *a.soft_close_extension));
  }
  if (a.soft_close_max_extension) {
    if (!a.soft_close_window) {
      throw UsageError(
          "--soft-close-max-extension needs --soft-close-window and --soft-close-extension");
    }
    *req.mutable_soft_close_max_extension() = to_proto_duration(
        parse_duration("--soft-close-max-extension", *a.soft_close_max_extension));
  }
  return req;
}

int run_create(const GlobalOptions& opts, const CreateArgs& args) {
  auto req = build_create_request(args);
  Client client(opts);
  auto auction = call_with_flags(client, client.auctions(),
                                 &v1::AuctionService::Stub::CreateAuction, req, kCreateFlags);
  if (opts.json) {
    print_json(std::cout, auction);
  } else {
    std::cout << "created auction " << auction.id() << "\n\n";
    print_auction(std::cout, auction, Clock::now());
  }
  return kExitOk;
}

int run_get(const GlobalOptions& opts, const GetArgs& args) {
  Client client(opts);
  v1::GetAuctionRequest req;
  req.set_auction_id(args.id);
  req.set_top_bidders(args.top);
  auto reply = client.call(client.auctions(), &v1::AuctionService::Stub::GetAuction, req);
  if (opts.json) {
    print_json(std::cout, reply);
    return kExitOk;
  }
  print_auction(std::cout, reply.auction(), Clock::now(),
                reply.has_time_remaining() ? &reply.time_remaining() : nullptr);
  std::cout << "\ntop bidders\n";
  print_top_bidders(std::cout, reply.top_bidders(), reply.auction().currency());
  return kExitOk;
}

int run_list(const GlobalOptions& opts, const ListArgs& args) {
  v1::ListAuctionsRequest base;
  if (!args.status.empty()) base.set_status(parse_status(args.status));
  if (!args.order.empty()) base.set_order(parse_order(args.order));
  if (is_user_id(args.seller)) {
    base.set_seller_id(args.seller);
  } else {
    base.set_seller_username(args.seller);
  }
  base.set_category(args.category);
  base.set_text(args.text);
  base.set_page_size(effective_page_size(args.paging));
  Client client(opts);
  auto reply = fetch_pages<v1::ListAuctionsResponse>(args.paging, [&](const std::string& token) {
    v1::ListAuctionsRequest req = base;
    req.set_page_token(token);
    return call_with_flags(client, client.auctions(), &v1::AuctionService::Stub::ListAuctions, req,
                           kListFlags);
  });
  if (opts.json) {
    print_json(std::cout, reply);
  } else {
    print_auction_table(std::cout, reply.auctions(), Clock::now());
    print_next_page(std::cout, reply.next_page_token());
  }
  return kExitOk;
}

int run_bid(const GlobalOptions& opts, const BidArgs& args) {
  v1::PlaceBidRequest req;
  req.set_auction_id(args.id);
  req.set_max_amount(parse_amount("AMOUNT", args.amount));
  req.set_idempotency_key(args.key);
  Client client(opts);
  auto reply = call_with_flags(client, client.auctions(), &v1::AuctionService::Stub::PlaceBid, req,
                               kBidFlags);
  if (opts.json) {
    print_json(std::cout, reply);
    // The reply is the data; the rejection is also an error, as --json
    // reports errors: on stderr.
    if (!reply.accepted()) {
      print_error(std::cerr,
                  {reject_reason_name(reply.reject_reason()), reject_reason_text(reply), "", true},
                  true);
    }
  } else {
    print_bid_reply(std::cout, reply, Clock::now());
  }
  return reply.accepted() ? kExitOk : kExitRejected;
}

int run_buy_now(const GlobalOptions& opts, const BuyNowArgs& args) {
  v1::BuyNowRequest req;
  req.set_auction_id(args.id);
  req.set_idempotency_key(args.key);
  Client client(opts);
  auto reply = client.call(client.auctions(), &v1::AuctionService::Stub::BuyNow, req);
  if (opts.json) {
    print_json(std::cout, reply);
  } else {
    const auto& a = reply.auction();
    std::cout << "bought auction " << a.id() << " for " << money(a.final_price(), a.currency())
              << " (purchase bid " << reply.bid_id() << ")\n\n";
    print_auction(std::cout, a, Clock::now());
  }
  return kExitOk;
}

int run_cancel(const GlobalOptions& opts, const CancelArgs& args) {
  v1::CancelAuctionRequest req;
  req.set_auction_id(args.id);
  req.set_reason(args.reason);
  Client client(opts);
  auto auction = call_with_flags(client, client.auctions(),
                                 &v1::AuctionService::Stub::CancelAuction, req, kCancelFlags);
  if (opts.json) {
    print_json(std::cout, auction);
  } else {
    std::cout << "cancelled auction " << auction.id() << " (status "
              << status_name(auction.status()) << ", version " << auction.version() << ")\n";
  }
  return kExitOk;
}

int run_history(const GlobalOptions& opts, const HistoryArgs& args) {
  Client client(opts);
  auto reply = fetch_pages<v1::ListBidsResponse>(args.paging, [&](const std::string& token) {
    v1::ListBidsRequest req;
    req.set_auction_id(args.id);
    req.set_page_size(effective_page_size(args.paging));
    req.set_page_token(token);
    return client.call(client.auctions(), &v1::AuctionService::Stub::ListBids, req);
  });
  if (opts.json) {
    print_json(std::cout, reply);
  } else {
    print_bid_history(std::cout, reply.bids());
    print_next_page(std::cout, reply.next_page_token());
  }
  return kExitOk;
}

void add_create(CLI::App& app, CliContext& ctx) {
  auto a = std::make_shared<CreateArgs>();
  auto* sub = app.add_subcommand("create", "Create an auction (you are the seller)");
  sub->add_option("--title", a->title, "1..200 characters")->required();
  sub->add_option("--description", a->description, "At most 10,000 characters");
  sub->add_option("--category", a->category,
                  "Free-form category, e.g. furniture (at most 64 characters)");
  sub->add_option("--currency", a->currency, "ISO 4217 code (server default USD)");
  sub->add_option("--start-price", a->start_price, "Starting price, e.g. 10.00")->required();
  sub->add_option("--reserve", a->reserve, "Hidden reserve price (>= start price)");
  sub->add_option("--buy-now", a->buy_now, "Buy-now price (> start price)");
  sub->add_option("--increment", a->increment, "Fixed minimum increment (default: the table)");
  auto* at = sub->add_option("--starts-at", a->starts_at, "Start time, RFC 3339 (default now)");
  auto* in = sub->add_option("--starts-in", a->starts_in, "Start after this long, e.g. 5m");
  at->excludes(in);
  auto* end = sub->add_option("--ends-at", a->ends_at, "End time, RFC 3339");
  auto* dur = sub->add_option("--duration", a->duration, "Length, e.g. 10m, 2h, 1h30m, 3d");
  end->excludes(dur);
  sub->add_option("--soft-close-window", a->soft_close_window,
                  "Bids this close to the end extend it, e.g. 2m");
  sub->add_option("--soft-close-extension", a->soft_close_extension,
                  "New end = bid time + this, e.g. 2m");
  sub->add_option("--soft-close-max-extension", a->soft_close_max_extension,
                  "Never extend the end more than this past the original end, e.g. 10m "
                  "(default: no cap)");
  sub->add_option("--media", a->media, "Media URL (http/https); repeatable");
  sub->footer("Give exactly one of --ends-at and --duration.");
  on_run(sub, ctx, a, run_create);
}

void add_get(CLI::App& app, CliContext& ctx) {
  auto a = std::make_shared<GetArgs>();
  auto* sub = app.add_subcommand("get", "Show one auction with its top bidders");
  sub->add_option("ID", a->id, "Auction id")->required();
  sub->add_option("--top", a->top, "Top bidders to show (server default 5, at most 50)")
      ->check(CLI::Range(1, 50));
  on_run(sub, ctx, a, run_get);
}

void add_list(CLI::App& app, CliContext& ctx) {
  auto a = std::make_shared<ListArgs>();
  auto* sub = app.add_subcommand("list", "Browse auctions");
  sub->add_option("--status", a->status, "Only auctions in this state")->check(status_names());
  sub->add_option("--seller", a->seller,
                  "Only this seller's auctions (username, or user id if all digits)");
  sub->add_option("--category", a->category, "Only this category");
  sub->add_option("--text", a->text, "Title contains this (case-insensitive)");
  sub->add_option("--order", a->order, "Sort order (default newest)")
      ->check(CLI::IsMember({"ending-soon", "newest", "most-bids"}, CLI::ignore_case));
  add_paging_options(sub, a->paging);
  on_run(sub, ctx, a, run_list);
}

void add_bid(CLI::App& app, CliContext& ctx) {
  auto a = std::make_shared<BidArgs>();
  auto* sub = app.add_subcommand("bid", "Place a bid: AMOUNT is your maximum (proxy bid)");
  sub->add_option("ID", a->id, "Auction id")->required();
  sub->add_option("AMOUNT", a->amount, "Your maximum, e.g. 12.50")->required();
  sub->add_option("--key", a->key,
                  "Idempotency key: a retry with the same key gets the first reply");
  sub->footer("Exit status: 0 accepted, 3 rejected (e.g. BID_TOO_LOW), 1 error, 2 usage.");
  on_run(sub, ctx, a, run_bid);
}

void add_buy_now(CLI::App& app, CliContext& ctx) {
  auto a = std::make_shared<BuyNowArgs>();
  auto* sub = app.add_subcommand("buy-now", "Buy at the buy-now price, ending the auction");
  sub->add_option("ID", a->id, "Auction id")->required();
  sub->add_option("--key", a->key, "Idempotency key");
  on_run(sub, ctx, a, run_buy_now);
}

void add_cancel(CLI::App& app, CliContext& ctx) {
  auto a = std::make_shared<CancelArgs>();
  auto* sub = app.add_subcommand("cancel", "Cancel an auction (seller: only without bids)");
  sub->add_option("ID", a->id, "Auction id")->required();
  sub->add_option("--reason", a->reason, "Why (at most 500 characters)");
  on_run(sub, ctx, a, run_cancel);
}

void add_history(CLI::App& app, CliContext& ctx) {
  auto a = std::make_shared<HistoryArgs>();
  auto* sub = app.add_subcommand("history", "Accepted bids of an auction, newest first (ListBids)");
  sub->add_option("ID", a->id, "Auction id")->required();
  add_paging_options(sub, a->paging);
  on_run(sub, ctx, a, run_history);
}

}  // namespace

void add_auction_commands(CLI::App& app, CliContext& ctx) {
  add_create(app, ctx);
  add_get(app, ctx);
  add_list(app, ctx);
  add_bid(app, ctx);
  add_buy_now(app, ctx);
  add_cancel(app, ctx);
  add_history(app, ctx);
}

}  // namespace auction::cli
