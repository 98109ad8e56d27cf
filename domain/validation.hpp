#pragma once
/// Input rules for every command (SPEC sections 2-4): sizes, ranges, UTF-8,
/// times. Pure functions; the gRPC layer maps their Error to a status.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "auction.hpp"
#include "result.hpp"

namespace auction {

bool is_valid_utf8(std::string_view s);
/// Number of code points in valid UTF-8.
std::size_t utf8_length(std::string_view s);

/// UTF-8, [min_chars, max_chars] code points, no control characters (tab and
/// newline allowed only when multiline). `field` names the field in the error.
std::optional<Error> check_text(std::string_view field, std::string_view value,
                                std::size_t min_chars, std::size_t max_chars,
                                bool multiline = false);

std::optional<Error> check_amount(std::string_view field, Money amount);
std::optional<Error> check_username(std::string_view username);
std::optional<Error> check_display_name(std::string_view name);
std::optional<Error> check_password(std::string_view password);
/// Empty is allowed (no key); else 1..128 printable ASCII characters.
std::optional<Error> check_idempotency_key(std::string_view key);

/// Decimal id > 0, as sent on the wire. Errors name the field.
Result<std::int64_t> parse_id(std::string_view field, std::string_view text);

inline constexpr Duration kMaxAuctionLength = std::chrono::hours(24 * 30);
inline constexpr Duration kMaxStartAhead = std::chrono::hours(24 * 365);
/// A start time this far in the past is taken as "now" (client clock skew).
inline constexpr Duration kStartSkewAllowance = std::chrono::minutes(5);
inline constexpr Duration kMaxSoftClose = std::chrono::hours(24);

/// The public description of an item; not part of the bidding rules.
struct Listing {
  std::string title;
  std::string description;
  std::vector<std::string> media_urls;
  std::string category;
};

struct NewAuctionInput {
  Listing listing;
  std::string currency;  ///< empty = USD
  Money starting_price = 0;
  Money reserve_price = 0;
  Money buy_now_price = 0;
  Money min_increment = 0;
  std::optional<TimePoint> start_time;  ///< none = now
  std::optional<TimePoint> end_time;    ///< exactly one of end_time, duration
  std::optional<Duration> duration;
  Duration soft_close_window{0};
  Duration soft_close_extension{0};
  Duration soft_close_max_extension{0};  ///< 0 = no cap; needs soft close
};

struct NewAuction {
  Listing listing;
  AuctionTerms terms;  ///< id and seller_id are left 0 for the caller to fill
};

/// Checks every field and resolves the start and end times against `now`.
Result<NewAuction> validate_new_auction(const NewAuctionInput& in, TimePoint now);

}  // namespace auction
