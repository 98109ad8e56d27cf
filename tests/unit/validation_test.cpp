// Input rules (SPEC sections 2-4): new auctions, text and UTF-8, accounts,
// idempotency keys and ids.
#include "domain/validation.hpp"

#include "domain/money.hpp"

#include <gtest/gtest.h>

#include <array>
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace auction {
namespace {

using std::chrono::hours;
using std::chrono::microseconds;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr TimePoint kNow{seconds{1'700'000'000}};
constexpr microseconds kTick{1};
constexpr Duration kThirtyDays = hours{24 * 30};

std::string repeat(std::string_view piece, std::size_t times) {
  std::string out;
  for (std::size_t i = 0; i < times; ++i) out += piece;
  return out;
}

NewAuctionInput valid_input() {
  NewAuctionInput in;
  in.listing.title = "Vintage film camera";
  in.listing.description = "Works well.\nComes with a strap.";
  in.listing.media_urls = {"https://example.com/front.jpg", "http://example.com/back.jpg"};
  in.listing.category = "cameras";
  in.currency = "EUR";
  in.starting_price = 1'000;
  in.duration = hours{24 * 7};
  return in;
}

/// The input must be rejected as INVALID_ARGUMENT with a message.
void expect_invalid(const NewAuctionInput& in, TimePoint now = kNow) {
  const auto r = validate_new_auction(in, now);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_FALSE(r.error().message.empty());
}

void expect_valid(const NewAuctionInput& in, TimePoint now = kNow) {
  const auto r = validate_new_auction(in, now);
  EXPECT_TRUE(r.ok()) << r.error().message;
}

// ------------------------------------------------------------- new auction

TEST(NewAuction, ValidInputBecomesTerms) {
  const NewAuctionInput in = valid_input();
  const auto r = validate_new_auction(in, kNow);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->listing.title, in.listing.title);
  EXPECT_EQ(r->listing.description, in.listing.description);
  EXPECT_EQ(r->listing.media_urls, in.listing.media_urls);
  EXPECT_EQ(r->listing.category, in.listing.category);
  const AuctionTerms& t = r->terms;
  EXPECT_EQ(t.currency, "EUR");
  EXPECT_EQ(t.starting_price, 1'000);
  EXPECT_EQ(t.reserve_price, 0);
  EXPECT_EQ(t.buy_now_price, 0);
  EXPECT_EQ(t.increment.fixed, 0);
  EXPECT_EQ(t.start_time, kNow);  // no start time: now
  EXPECT_EQ(t.original_end_time, kNow + hours{24 * 7});
  EXPECT_EQ(t.soft_close_window, Duration{0});
  EXPECT_EQ(t.soft_close_extension, Duration{0});
  EXPECT_EQ(t.soft_close_max_extension, Duration{0});
}

TEST(NewAuction, OptionalPricesIncrementAndSoftCloseAreKept) {
  NewAuctionInput in = valid_input();
  in.reserve_price = 5'000;
  in.buy_now_price = 20'000;
  in.min_increment = 150;
  in.soft_close_window = minutes{5};
  in.soft_close_extension = minutes{2};
  in.soft_close_max_extension = minutes{10};
  const auto r = validate_new_auction(in, kNow);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->terms.reserve_price, 5'000);
  EXPECT_EQ(r->terms.buy_now_price, 20'000);
  EXPECT_EQ(r->terms.increment.fixed, 150);
  EXPECT_EQ(r->terms.soft_close_window, minutes{5});
  EXPECT_EQ(r->terms.soft_close_extension, minutes{2});
  EXPECT_EQ(r->terms.soft_close_max_extension, minutes{10});
}

TEST(NewAuction, TitleIsOneTo200Characters) {
  NewAuctionInput in = valid_input();
  in.listing.title = "";
  expect_invalid(in);
  in.listing.title = "x";
  expect_valid(in);
  in.listing.title = std::string(200, 'a');
  expect_valid(in);
  in.listing.title = std::string(201, 'a');
  expect_invalid(in);
}

TEST(NewAuction, TitleLengthCountsCharactersNotBytes) {
  NewAuctionInput in = valid_input();
  in.listing.title = repeat("\u00e9", 200);  // 2 bytes each
  expect_valid(in);
  in.listing.title = repeat("\u20ac", 200);  // 3 bytes each
  expect_valid(in);
  in.listing.title = repeat("\U0001F4F7", 200);  // 4 bytes each
  expect_valid(in);
  in.listing.title = repeat("\u00e9", 201);
  expect_invalid(in);
  in.listing.title = repeat("\U0001F4F7", 201);
  expect_invalid(in);
}

TEST(NewAuction, TitleMustBeValidUtf8) {
  NewAuctionInput in = valid_input();
  in.listing.title = "Camera \xC3";
  expect_invalid(in);
  in.listing.title = "Camera \xED\xA0\x80";
  expect_invalid(in);
}

TEST(NewAuction, DescriptionIsAtMost10000Characters) {
  NewAuctionInput in = valid_input();
  in.listing.description = "";
  expect_valid(in);
  in.listing.description = std::string(10'000, 'd');
  expect_valid(in);
  in.listing.description = repeat("\u20ac", 10'000);
  expect_valid(in);
  in.listing.description = std::string(10'001, 'd');
  expect_invalid(in);
  in.listing.description = repeat("\u20ac", 10'001);
  expect_invalid(in);
  in.listing.description = "bad \xF0\x9F\x93";
  expect_invalid(in);
}

TEST(NewAuction, UpTo20MediaUrls) {
  NewAuctionInput in = valid_input();
  in.listing.media_urls.clear();
  expect_valid(in);
  in.listing.media_urls.assign(20, "https://example.com/p.jpg");
  expect_valid(in);
  in.listing.media_urls.assign(21, "https://example.com/p.jpg");
  expect_invalid(in);
}

TEST(NewAuction, MediaUrlsAreHttpOrHttps) {
  NewAuctionInput in = valid_input();
  for (std::string url : {"http://example.com/a.jpg", "https://example.com/a.jpg",
                          "https://cdn.example.com:8443/x/y.png?size=2"}) {
    in.listing.media_urls = {url};
    expect_valid(in);
  }
  for (std::string url : {"", "ftp://example.com/a.jpg", "javascript:alert(1)",
                          "file:///etc/passwd", "example.com/a.jpg", "https://", "http://"}) {
    SCOPED_TRACE(url);
    in.listing.media_urls = {url};
    expect_invalid(in);
  }
}

TEST(NewAuction, MediaUrlsAreAtMost2048Characters) {
  NewAuctionInput in = valid_input();
  const std::string prefix = "https://example.com/";
  in.listing.media_urls = {prefix + std::string(2048 - prefix.size(), 'a')};
  expect_valid(in);
  in.listing.media_urls = {prefix + std::string(2049 - prefix.size(), 'a')};
  expect_invalid(in);
}

TEST(NewAuction, Currency) {
  NewAuctionInput in = valid_input();
  in.currency = "";
  const auto r = validate_new_auction(in, kNow);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->terms.currency, "USD");  // the default
  in.currency = "GBP";
  expect_valid(in);
  for (std::string code : {"XYZ", "US", "USDD", "JPY"}) {
    SCOPED_TRACE(code);
    in.currency = code;
    expect_invalid(in);
  }
}

TEST(NewAuction, AnUnsupportedCurrencyIsAnsweredWithTheSupportedCodes) {
  NewAuctionInput in = valid_input();
  in.currency = "XYZ";
  const auto r = validate_new_auction(in, kNow);
  ASSERT_FALSE(r.ok());
  for (const char* code : {"USD", "EUR", "GBP", "JPY", "CNY", "ZAR"}) {
    const bool listed = r.error().message.find(code) != std::string::npos;
    EXPECT_EQ(listed, is_supported_currency(code)) << code << ": " << r.error().message;
  }
}

TEST(NewAuction, StartingPriceIsPositiveAndBounded) {
  NewAuctionInput in = valid_input();
  for (Money bad : {Money{0}, Money{-1}, kMaxAmount + 1}) {
    in.starting_price = bad;
    expect_invalid(in);
  }
  in.starting_price = 1;
  expect_valid(in);
  in.starting_price = kMaxAmount - 1;
  expect_valid(in);
}

TEST(NewAuction, ReserveIsAtLeastTheStartingPrice) {
  NewAuctionInput in = valid_input();
  in.reserve_price = 999;
  expect_invalid(in);
  in.reserve_price = -5;
  expect_invalid(in);
  in.reserve_price = kMaxAmount + 1;
  expect_invalid(in);
  in.reserve_price = 1'000;
  expect_valid(in);
  in.reserve_price = 1'001;
  expect_valid(in);
}

TEST(NewAuction, BuyNowIsAboveTheStartingPrice) {
  NewAuctionInput in = valid_input();
  in.buy_now_price = 1'000;
  expect_invalid(in);
  in.buy_now_price = 999;
  expect_invalid(in);
  in.buy_now_price = -1;
  expect_invalid(in);
  in.buy_now_price = kMaxAmount + 1;
  expect_invalid(in);
  in.buy_now_price = 1'001;
  expect_valid(in);
}

TEST(NewAuction, FixedIncrementIsPositive) {
  NewAuctionInput in = valid_input();
  in.min_increment = -1;
  expect_invalid(in);
  in.min_increment = kMaxAmount + 1;
  expect_invalid(in);
  in.min_increment = 1;
  expect_valid(in);
}

TEST(NewAuction, ExactlyOneOfEndTimeAndDuration) {
  NewAuctionInput in = valid_input();
  in.end_time = kNow + hours{24};  // and the duration
  expect_invalid(in);
  in.duration.reset();
  expect_valid(in);
  in.end_time.reset();
  expect_invalid(in);  // neither
}

TEST(NewAuction, EndIsAfterTheStart) {
  NewAuctionInput in = valid_input();
  in.duration.reset();
  in.end_time = kNow;
  expect_invalid(in);
  in.end_time = kNow - hours{1};
  expect_invalid(in);
  in.end_time = kNow + kTick;
  expect_valid(in);
  in.end_time.reset();
  in.duration = Duration{0};
  expect_invalid(in);
  in.duration = -hours{1};
  expect_invalid(in);
}

TEST(NewAuction, AtMost30Days) {
  NewAuctionInput in = valid_input();
  in.duration = kThirtyDays;
  expect_valid(in);
  in.duration = kThirtyDays + kTick;
  expect_invalid(in);
  in.duration.reset();
  in.end_time = kNow + kThirtyDays;
  expect_valid(in);
  in.end_time = kNow + kThirtyDays + kTick;
  expect_invalid(in);
}

TEST(NewAuction, ThirtyDaysCountFromTheStartTime) {
  NewAuctionInput in = valid_input();
  in.start_time = kNow + hours{24 * 10};
  in.duration.reset();
  in.end_time = *in.start_time + kThirtyDays;  // 40 days from now, 30 from the start
  const auto r = validate_new_auction(in, kNow);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->terms.start_time, kNow + hours{24 * 10});
  EXPECT_EQ(r->terms.original_end_time, kNow + hours{24 * 40});
  in.end_time = *in.start_time + kThirtyDays + kTick;
  expect_invalid(in);
  in.end_time = *in.start_time;  // future start, end not after it
  expect_invalid(in);
}

TEST(NewAuction, DurationCountsFromTheStartTime) {
  NewAuctionInput in = valid_input();
  in.start_time = kNow + hours{2};
  in.duration = hours{3};
  const auto r = validate_new_auction(in, kNow);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->terms.original_end_time, kNow + hours{5});
}

TEST(NewAuction, StartInThePastBeyondFiveMinutesIsRejected) {
  NewAuctionInput in = valid_input();
  in.start_time = kNow - hours{1};
  expect_invalid(in);
  in.start_time = kNow - minutes{5} - kTick;
  expect_invalid(in);
}

TEST(NewAuction, StartSlightlyInThePastIsTakenAsNow) {
  NewAuctionInput in = valid_input();
  in.start_time = kNow - minutes{4};
  const auto r = validate_new_auction(in, kNow);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->terms.start_time, kNow);
  EXPECT_EQ(r->terms.original_end_time, kNow + hours{24 * 7});
}

TEST(NewAuction, SoftCloseBothOrNeither) {
  NewAuctionInput in = valid_input();
  in.soft_close_window = minutes{5};
  expect_invalid(in);
  in.soft_close_window = Duration{0};
  in.soft_close_extension = minutes{2};
  expect_invalid(in);
  in.soft_close_window = minutes{5};
  expect_valid(in);
  in.soft_close_window = -minutes{5};
  in.soft_close_extension = -minutes{2};
  expect_invalid(in);
  in.soft_close_window = minutes{5};
  in.soft_close_extension = -minutes{2};
  expect_invalid(in);
}

TEST(NewAuction, SoftCloseMaxExtensionNeedsSoftClose) {
  NewAuctionInput in = valid_input();
  in.soft_close_max_extension = minutes{10};
  const auto r = validate_new_auction(in, kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
  EXPECT_NE(r.error().message.find("soft_close_max_extension"), std::string::npos)
      << r.error().message;
  in.soft_close_window = minutes{5};
  in.soft_close_extension = minutes{2};
  expect_valid(in);
}

TEST(NewAuction, SoftCloseMaxExtensionIsNotNegative) {
  NewAuctionInput in = valid_input();
  in.soft_close_window = minutes{5};
  in.soft_close_extension = minutes{2};
  in.soft_close_max_extension = -microseconds{1};
  expect_invalid(in);
  in.soft_close_max_extension = Duration{0};  // no cap
  expect_valid(in);
  in.soft_close_max_extension = microseconds{1};  // smaller than the extension: clamps
  expect_valid(in);
}

TEST(NewAuction, SoftCloseMaxExtensionAtMost30Days) {
  NewAuctionInput in = valid_input();
  in.soft_close_window = minutes{5};
  in.soft_close_extension = minutes{2};
  in.soft_close_max_extension = kMaxAuctionLength;
  expect_valid(in);
  in.soft_close_max_extension = kMaxAuctionLength + microseconds{1};
  expect_invalid(in);
}

// -------------------------------------------------------------------- text

TEST(CheckText, AcceptsValidUtf8WithinTheLimits) {
  EXPECT_FALSE(check_text("f", "Hello", 1, 5).has_value());
  EXPECT_FALSE(check_text("f", "Gr\u00fc\u00dfe \U0001F600", 1, 7).has_value());
  EXPECT_FALSE(check_text("f", "", 0, 5).has_value());
  // The edges of the encodable range.
  EXPECT_FALSE(check_text("f", "\xC2\xA0", 1, 5).has_value());          // U+00A0
  EXPECT_FALSE(check_text("f", "\xDF\xBF", 1, 5).has_value());          // U+07FF
  EXPECT_FALSE(check_text("f", "\xE0\xA0\x80", 1, 5).has_value());      // U+0800
  EXPECT_FALSE(check_text("f", "\xED\x9F\xBF", 1, 5).has_value());      // U+D7FF
  EXPECT_FALSE(check_text("f", "\xEE\x80\x80", 1, 5).has_value());      // U+E000
  EXPECT_FALSE(check_text("f", "\xEF\xBF\xBD", 1, 5).has_value());      // U+FFFD
  EXPECT_FALSE(check_text("f", "\xF0\x90\x80\x80", 1, 5).has_value());  // U+10000
  EXPECT_FALSE(check_text("f", "\xF4\x8F\xBF\xBF", 1, 5).has_value());  // U+10FFFF
}

TEST(CheckText, CountsCharacters) {
  EXPECT_TRUE(check_text("f", "", 1, 5).has_value());
  EXPECT_TRUE(check_text("f", "abcdef", 1, 5).has_value());
  EXPECT_FALSE(check_text("f", "\u00e9\u00e9\u00e9\u00e9\u00e9", 1, 5).has_value());
  EXPECT_TRUE(check_text("f", "\u00e9\u00e9\u00e9\u00e9\u00e9\u00e9", 1, 5).has_value());
  EXPECT_TRUE(check_text("f", "ab", 3, 5).has_value());
}

TEST(CheckText, ErrorNamesTheField) {
  const auto e = check_text("nickname", "", 1, 5);
  ASSERT_TRUE(e.has_value());
  EXPECT_EQ(e->code, ErrorCode::kInvalidArgument);
  EXPECT_NE(e->message.find("nickname"), std::string::npos) << e->message;
}

TEST(CheckText, RejectsInvalidUtf8) {
  const auto bad = std::to_array<std::string_view>({
      "\xC0\xAF",                  // overlong '/'
      "\xC1\xBF",                  // overlong U+007F
      "\xE0\x80\xAF",              // overlong '/' in three bytes
      "\xE0\x9F\xBF",              // overlong U+07FF
      "\xF0\x80\x80\xAF",          // overlong '/' in four bytes
      "\xF0\x8F\xBF\xBF",          // overlong U+FFFF
      "\xED\xA0\x80",              // U+D800, a surrogate
      "\xED\xBF\xBF",              // U+DFFF, a surrogate
      "\xED\xA0\xBD\xED\xB8\x80",  // a surrogate pair (CESU-8)
      "\xF4\x90\x80\x80",          // U+110000, past the last code point
      "\xF5\x80\x80\x80",          // lead byte past U+10FFFF
      "\xF8\x88\x80\x80\x80",      // five-byte form
      "\xFE",                      // never in UTF-8
      "\xFF",                      // never in UTF-8
      "\x80",                      // bare continuation byte
      "a\xBF\x62",                 // bare continuation byte inside text
      "\xC3",                      // truncated two-byte sequence at the end
      "\xC3\x61",                  // two-byte sequence cut by ASCII
      "\xE2\x82",                  // truncated three-byte sequence at the end
      "\xE2\x82\x61",              // three-byte sequence cut by ASCII
      "\xF0\x9F\x98",              // truncated four-byte sequence at the end
      "\xF0\x9F\x98\x61\x62\x63",  // four-byte sequence cut by ASCII ("abc")
      "\xE2\xC2\xA9",              // lead byte followed by a new lead byte
  });
  for (std::string_view s : bad) {
    std::string hex;
    for (char c : s) hex += std::to_string(static_cast<unsigned char>(c)) + " ";
    SCOPED_TRACE(hex);
    const auto e = check_text("title", s, 0, 100);
    ASSERT_TRUE(e.has_value());
    EXPECT_EQ(e->code, ErrorCode::kInvalidArgument);
  }
}

TEST(CheckText, TruncatedSequenceAtTheEndOfAView) {
  // The value ends inside a sequence; the bytes after the view must not complete it.
  const std::string buffer = "ab\xC3\xA9\xE2\x82\xAC\xF0\x9F\x98\x80";
  for (std::size_t cut : {3U, 5U, 6U, 8U, 9U, 10U}) {
    SCOPED_TRACE(cut);
    EXPECT_TRUE(check_text("f", std::string_view(buffer).substr(0, cut), 0, 100).has_value());
  }
  for (std::size_t cut : {2U, 4U, 7U, 11U}) {
    SCOPED_TRACE(cut);
    EXPECT_FALSE(check_text("f", std::string_view(buffer).substr(0, cut), 0, 100).has_value());
  }
}

TEST(CheckText, ControlCharactersOnlyTabsAndNewlinesWhenMultiline) {
  EXPECT_TRUE(check_text("f", "a\nb", 1, 10).has_value());
  EXPECT_TRUE(check_text("f", "a\tb", 1, 10).has_value());
  EXPECT_FALSE(check_text("f", "a\nb", 1, 10, true).has_value());
  EXPECT_FALSE(check_text("f", "a\tb", 1, 10, true).has_value());
  EXPECT_TRUE(check_text("f", std::string_view("a\0b", 3), 1, 10, true).has_value());
  EXPECT_TRUE(check_text("f", "a\x1b[31mb", 1, 10, true).has_value());
  EXPECT_TRUE(check_text("f", "a\x7F", 1, 10, true).has_value());
}

TEST(CheckText, RejectsC1ControlCharacters) {
  // U+0080..U+009F are control characters too (NEL, CSI, ...); validation.hpp
  // promises "no control characters" in any text field.
  for (std::string_view c1 : {"\xC2\x80", "\xC2\x85", "\xC2\x9B", "\xC2\x9F"}) {
    const std::string value = "a" + std::string(c1) + "b";
    EXPECT_TRUE(check_text("f", value, 1, 10).has_value())
        << static_cast<int>(static_cast<unsigned char>(c1[1]));
    EXPECT_TRUE(check_text("f", value, 1, 10, true).has_value())
        << static_cast<int>(static_cast<unsigned char>(c1[1]));
  }
  EXPECT_FALSE(check_text("f", "a\xC2\xA0\x62", 1, 10).has_value());  // U+00A0 is not one
}

TEST(CheckAmount, ZeroToTheMaximum) {
  EXPECT_TRUE(check_amount("price", 0).has_value());
  EXPECT_TRUE(check_amount("price", -1).has_value());
  EXPECT_TRUE(check_amount("price", kMaxAmount + 1).has_value());
  EXPECT_FALSE(check_amount("price", 1).has_value());
  EXPECT_FALSE(check_amount("price", kMaxAmount).has_value());
}

// ----------------------------------------------------------------- accounts

TEST(CheckUsername, ThreeTo32LowercaseLettersDigitsUnderscore) {
  for (std::string_view ok : {"abc", "user_1", "0_9", "a_very_long_name_with_32_chars__"}) {
    EXPECT_FALSE(check_username(ok).has_value()) << ok;
  }
  EXPECT_EQ(std::string_view("a_very_long_name_with_32_chars__").size(), 32U);
  for (std::string_view bad : {"", "ab", "a_very_long_name_with_33_chars___", "Abc", "ab-c", "ab c",
                               "ab.c", "\u00e9t\u00e9", "abc\n"}) {
    const auto e = check_username(bad);
    ASSERT_TRUE(e.has_value()) << bad;
    EXPECT_EQ(e->code, ErrorCode::kInvalidArgument);
  }
}

TEST(CheckDisplayName, NonEmptyValidText) {
  EXPECT_FALSE(check_display_name("Ann").has_value());
  EXPECT_FALSE(check_display_name("Zo\u00eb \U0001F600").has_value());
  EXPECT_TRUE(check_display_name("").has_value());
  EXPECT_TRUE(check_display_name("Ann\xC3").has_value());
  EXPECT_TRUE(check_display_name("Ann\nSmith").has_value());
}

TEST(CheckPassword, AtLeastTenCharacters) {
  EXPECT_FALSE(check_password("0123456789").has_value());
  EXPECT_FALSE(check_password("correct horse battery staple").has_value());
  EXPECT_TRUE(check_password("").has_value());
  EXPECT_TRUE(check_password("012345678").has_value());
  // Characters, not bytes: nine 2-byte characters are still too short.
  EXPECT_TRUE(check_password(repeat("\u00e9", 9)).has_value());
  EXPECT_FALSE(check_password(repeat("\u00e9", 10)).has_value());
  EXPECT_TRUE(check_password("0123456789\xFF").has_value());
}

TEST(CheckIdempotencyKey, EmptyOrPrintableAsciiUpTo128) {
  EXPECT_FALSE(check_idempotency_key("").has_value());
  EXPECT_FALSE(check_idempotency_key("k").has_value());
  EXPECT_FALSE(check_idempotency_key("550e8400-e29b-41d4-a716-446655440000").has_value());
  EXPECT_FALSE(check_idempotency_key(std::string(128, 'k')).has_value());
  EXPECT_TRUE(check_idempotency_key(std::string(129, 'k')).has_value());
  EXPECT_TRUE(check_idempotency_key("a\nb").has_value());
  EXPECT_TRUE(check_idempotency_key(std::string_view("a\0b", 3)).has_value());
  EXPECT_TRUE(check_idempotency_key("a\x7F").has_value());
  EXPECT_TRUE(check_idempotency_key("cl\u00e9").has_value());
}

// ---------------------------------------------------------------------- ids

TEST(ParseId, PositiveDecimal) {
  auto r = parse_id("auction_id", "42");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(*r, 42);
  r = parse_id("auction_id", "1");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, 1);
  r = parse_id("auction_id", "9223372036854775807");
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(*r, INT64_MAX);
}

TEST(ParseId, RejectsEverythingElse) {
  for (std::string_view bad : {"", "0", "-1", "-0", "abc", "+5", "9223372036854775808",
                               "99999999999999999999", " 5", "5 ", "5x", "1.0", "0x10"}) {
    const auto r = parse_id("auction_id", bad);
    ASSERT_FALSE(r.ok()) << "'" << bad << "'";
    EXPECT_EQ(r.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(r.error().message.find("auction_id"), std::string::npos) << r.error().message;
  }
}

}  // namespace
}  // namespace auction
