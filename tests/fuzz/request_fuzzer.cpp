// libFuzzer target over what every RPC does before it reaches an actor:
// protobuf parsing of the request, proto -> domain mapping, and validation.
// The input's first byte picks the request type; the rest is its wire bytes.
// Besides "no crash, no sanitizer report", it checks the promises validation
// makes: whatever it accepts is in range and well-formed.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "auction/v1/auction.pb.h"
#include "domain/money.hpp"
#include "domain/validation.hpp"
#include "persistence/repository.hpp"
#include "server/mapping.hpp"

namespace {

namespace v1 = ::auction::v1;
using auction::Duration;
using auction::TimePoint;

// A fixed "now", so that a crash reproduces from its input alone.
constexpr TimePoint kNow{std::chrono::seconds{1'800'000'000}};

void require(bool promise) {
  if (!promise) std::abort();  // a validation promise was broken: report it
}

void create_auction(const std::string& bytes) {
  v1::CreateAuctionRequest req;
  if (!req.ParseFromString(bytes)) return;
  auto input = auction::server::new_auction_from_proto(req);
  if (!input) return;
  auto a = auction::validate_new_auction(*input, kNow);
  if (!a) {
    require(!a.error().message.empty());
    return;
  }
  const auction::AuctionTerms& t = a->terms;
  require(auction::valid_amount(t.starting_price));
  require(t.reserve_price == 0 || t.reserve_price >= t.starting_price);
  require(t.buy_now_price == 0 || t.buy_now_price > t.starting_price);
  require(t.original_end_time > t.start_time);
  require(t.original_end_time - t.start_time <= auction::kMaxAuctionLength);
  require(t.start_time >= kNow - auction::kStartSkewAllowance);
  require(auction::is_supported_currency(t.currency));
  require(t.soft_close_max_extension >= auction::Duration{0} &&
          t.soft_close_max_extension <= auction::kMaxAuctionLength);
  require(t.soft_close_max_extension == auction::Duration{0} ||
          t.soft_close_window > auction::Duration{0});
  require(auction::is_valid_utf8(a->listing.title) && !a->listing.title.empty());
  require(auction::is_valid_utf8(a->listing.description));
  for (const auto& url : a->listing.media_urls) require(auction::is_valid_utf8(url));
  // A state opened from accepted terms is consistent.
  const auction::AuctionState s = auction::open_auction(t);
  require(auction::minimum_next_bid(s) == t.starting_price);
}

void place_bid(const std::string& bytes) {
  v1::PlaceBidRequest req;
  if (!req.ParseFromString(bytes)) return;
  auto id = auction::parse_id("auction_id", req.auction_id());
  if (id) require(*id > 0);
  if (!auction::check_amount("max_amount", req.max_amount())) {
    require(auction::valid_amount(req.max_amount()));
  }
  if (!auction::check_idempotency_key(req.idempotency_key())) {
    require(req.idempotency_key().size() <= 128);
  }
}

void register_user(const std::string& bytes) {
  v1::RegisterRequest req;
  if (!req.ParseFromString(bytes)) return;
  if (!auction::check_username(req.username())) {
    require(req.username().size() >= 3 && req.username().size() <= 32);
  }
  if (!auction::check_display_name(req.display_name())) {
    require(auction::is_valid_utf8(req.display_name()));
  }
  if (!auction::check_password(req.password())) require(req.password().size() >= 10);
}

void list_auctions(const std::string& bytes) {
  v1::ListAuctionsRequest req;
  if (!req.ParseFromString(bytes)) return;
  (void)auction::server::status_from_proto(req.status());
  if (!req.seller_id().empty()) (void)auction::parse_id("seller_id", req.seller_id());
  (void)auction::check_text("text", req.text(), 0, 200);
  auto token = auction::persistence::decode_page_token(req.page_token());
  if (token) {
    // A token we accept is one we could have made.
    require(auction::persistence::encode_page_token(token->first, token->second) ==
            req.page_token());
  }
}

void timestamps(const std::string& bytes) {
  v1::WatchAuctionRequest watch;
  (void)watch.ParseFromString(bytes);
  google::protobuf::Timestamp ts;
  if (ts.ParseFromString(bytes)) {
    auto t = auction::server::from_proto("t", ts);
    if (t) {
      google::protobuf::Timestamp back;
      auction::server::to_proto(*t, &back);
      require(back.seconds() == ts.seconds());
    }
  }
  google::protobuf::Duration d;
  if (d.ParseFromString(bytes)) {
    auto duration = auction::server::from_proto("d", d);
    if (duration) require(duration->count() >= 0);
  }
}

void money_text(const std::string& bytes) {
  auto m = auction::parse_money(bytes);
  if (m && auction::valid_amount(*m)) {
    // What we print, we read back to the cent.
    require(auction::parse_money(auction::format_money(*m)) == m);
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::string bytes(reinterpret_cast<const char*>(data) + 1, size - 1);
  switch (data[0] % 6) {
    case 0:
      create_auction(bytes);
      break;
    case 1:
      place_bid(bytes);
      break;
    case 2:
      register_user(bytes);
      break;
    case 3:
      list_auctions(bytes);
      break;
    case 4:
      timestamps(bytes);
      break;
    default:
      money_text(bytes);
      break;
  }
  return 0;
}
