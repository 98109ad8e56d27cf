#include "validation.hpp"

#include <charconv>

namespace auction {
namespace {

std::string field_error(std::string_view field, std::string_view what) {
  return std::string(field) + " " + std::string(what);
}

bool starts_with_ci(std::string_view s, std::string_view prefix) {
  if (s.size() < prefix.size()) return false;
  for (std::size_t i = 0; i < prefix.size(); ++i) {
    char c = s[i];
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    if (c != prefix[i]) return false;
  }
  return true;
}

std::optional<Error> check_media_url(std::string_view url) {
  if (url.size() > 2048) return invalid_argument("media URLs must be at most 2048 characters");
  std::size_t scheme_len = 0;
  if (starts_with_ci(url, "https://")) {
    scheme_len = 8;
  } else if (starts_with_ci(url, "http://")) {
    scheme_len = 7;
  } else {
    return invalid_argument("media URLs must start with http:// or https://");
  }
  if (url.size() == scheme_len || url[scheme_len] == '/') {
    return invalid_argument("media URLs must name a host");
  }
  for (char c : url) {
    auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || u >= 0x7f) {
      return invalid_argument(
          "media URLs must not contain spaces, control or non-ASCII characters");
    }
  }
  return std::nullopt;
}

}  // namespace

bool is_valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    std::size_t extra = 0;
    std::uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    }
    if ((c & 0xE0) == 0xC0) {
      extra = 1;
      cp = c & 0x1FU;
    } else if ((c & 0xF0) == 0xE0) {
      extra = 2;
      cp = c & 0x0FU;
    } else if ((c & 0xF8) == 0xF0) {
      extra = 3;
      cp = c & 0x07U;
    } else {
      return false;
    }
    if (i + extra >= s.size()) return false;  // truncated sequence
    for (std::size_t k = 1; k <= extra; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3FU);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
    if ((extra == 1 && cp < 0x80) || (extra == 2 && cp < 0x800) || (extra == 3 && cp < 0x10000) ||
        (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) {
      return false;
    }
    i += extra + 1;
  }
  return true;
}

std::size_t utf8_length(std::string_view s) {
  std::size_t n = 0;
  for (char c : s) {
    if ((static_cast<unsigned char>(c) & 0xC0) != 0x80) ++n;
  }
  return n;
}

std::optional<Error> check_text(std::string_view field, std::string_view value,
                                std::size_t min_chars, std::size_t max_chars, bool multiline) {
  // Bytes bound the work before decoding: a code point is at most 4 bytes.
  if (value.size() > max_chars * 4 || !is_valid_utf8(value)) {
    return value.size() > max_chars * 4
               ? invalid_argument(field_error(
                     field, "is too long (at most " + std::to_string(max_chars) + " characters)"))
               : invalid_argument(field_error(field, "is not valid UTF-8"));
  }
  const std::size_t n = utf8_length(value);
  if (n < min_chars) {
    return invalid_argument(
        min_chars == 1
            ? field_error(field, "must not be empty")
            : field_error(field, "must be at least " + std::to_string(min_chars) + " characters"));
  }
  if (n > max_chars) {
    return invalid_argument(
        field_error(field, "is too long (at most " + std::to_string(max_chars) + " characters)"));
  }
  for (std::size_t i = 0; i < value.size(); ++i) {
    const char c = value[i];
    const auto u = static_cast<unsigned char>(c);
    const bool c0 = u < 0x20 && !(multiline && (c == '\n' || c == '\t' || c == '\r'));
    // U+0080..U+009F (C1 controls, e.g. terminal escapes) are 0xC2 0x80..0x9F.
    const bool c1 =
        u == 0xC2 && i + 1 < value.size() && static_cast<unsigned char>(value[i + 1]) <= 0x9F;
    if (c0 || c1 || u == 0x7f) {
      return invalid_argument(field_error(field, "must not contain control characters"));
    }
  }
  return std::nullopt;
}

std::optional<Error> check_amount(std::string_view field, Money amount) {
  if (amount <= 0) return invalid_argument(field_error(field, "must be greater than zero"));
  if (amount > kMaxAmount) {
    return invalid_argument(field_error(field, "must be at most 10^13 minor units"));
  }
  return std::nullopt;
}

std::optional<Error> check_username(std::string_view username) {
  if (username.size() < 3 || username.size() > 32) {
    return invalid_argument("username must be 3 to 32 characters");
  }
  for (char c : username) {
    if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_')) {
      return invalid_argument("username may contain only a-z, 0-9 and _");
    }
  }
  return std::nullopt;
}

std::optional<Error> check_display_name(std::string_view name) {
  return check_text("display_name", name, 1, 64);
}

std::optional<Error> check_password(std::string_view password) {
  if (password.size() > 256) return invalid_argument("password must be at most 256 characters");
  if (!is_valid_utf8(password)) return invalid_argument("password is not valid UTF-8");
  if (utf8_length(password) < 10)
    return invalid_argument("password must be at least 10 characters");
  return std::nullopt;
}

std::optional<Error> check_idempotency_key(std::string_view key) {
  if (key.size() > 128) return invalid_argument("idempotency_key must be at most 128 characters");
  for (char c : key) {
    auto u = static_cast<unsigned char>(c);
    if (u < 0x21 || u > 0x7e) {
      return invalid_argument("idempotency_key must be printable ASCII without spaces");
    }
  }
  return std::nullopt;
}

Result<std::int64_t> parse_id(std::string_view field, std::string_view text) {
  if (text.empty()) return invalid_argument(field_error(field, "is required"));
  std::int64_t id = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), id);
  if (ec != std::errc{} || p != text.data() + text.size() || id <= 0 || text[0] == '+') {
    return invalid_argument(field_error(field, "is not a valid id"));
  }
  return id;
}

namespace {

std::optional<Error> check_listing(const Listing& l) {
  if (auto e = check_text("title", l.title, 1, 200)) return e;
  if (auto e = check_text("description", l.description, 0, 10'000, true)) return e;
  if (auto e = check_text("category", l.category, 0, 64)) return e;
  if (l.media_urls.size() > 20) return invalid_argument("at most 20 media URLs are allowed");
  for (const auto& url : l.media_urls) {
    if (auto e = check_media_url(url)) return e;
  }
  return std::nullopt;
}

/// Optional amounts are 0 when not given.
std::optional<Error> check_prices(const NewAuctionInput& in) {
  if (auto e = check_amount("starting_price", in.starting_price)) return e;
  if (in.reserve_price != 0) {
    if (auto e = check_amount("reserve_price", in.reserve_price)) return e;
    if (in.reserve_price < in.starting_price) {
      return invalid_argument("reserve_price must be at least starting_price");
    }
  }
  if (in.buy_now_price != 0) {
    if (auto e = check_amount("buy_now_price", in.buy_now_price)) return e;
    if (in.buy_now_price <= in.starting_price) {
      return invalid_argument("buy_now_price must be greater than starting_price");
    }
  }
  if (in.min_increment != 0) return check_amount("min_increment", in.min_increment);
  return std::nullopt;
}

struct AuctionTimes {
  TimePoint start;
  TimePoint end;
};

/// Start (now when not given, or a moment in the past) and end, from
/// exactly one of end_time and duration.
Result<AuctionTimes> check_times(const NewAuctionInput& in, TimePoint now) {
  TimePoint start = in.start_time.value_or(now);
  if (start < now) {
    if (now - start > kStartSkewAllowance) return invalid_argument("start_time is in the past");
    start = now;
  }
  if (start - now > kMaxStartAhead) {
    return invalid_argument("start_time must be within 365 days from now");
  }
  if (in.end_time.has_value() == in.duration.has_value()) {
    return invalid_argument("give exactly one of end_time and duration");
  }
  if (in.duration && in.duration->count() <= 0) {
    return invalid_argument("duration must be positive");
  }
  if (in.duration && *in.duration > kMaxAuctionLength) {
    return invalid_argument("an auction may last at most 30 days");
  }
  const TimePoint end = in.end_time ? *in.end_time : start + *in.duration;
  if (end <= start) return invalid_argument("end_time must be after start_time");
  if (end - start > kMaxAuctionLength) {
    return invalid_argument("end_time must be at most 30 days after start_time");
  }
  return AuctionTimes{start, end};
}

std::optional<Error> check_soft_close(Duration window, Duration extension, Duration max_extension) {
  if (window.count() < 0 || extension.count() < 0) {
    return invalid_argument("soft close durations must not be negative");
  }
  if ((window.count() == 0) != (extension.count() == 0)) {
    return invalid_argument(
        "soft_close_window and soft_close_extension must both be set or both be zero");
  }
  if (window > kMaxSoftClose || extension > kMaxSoftClose) {
    return invalid_argument("soft close durations must be at most 24 hours");
  }
  if (max_extension.count() < 0) {
    return invalid_argument("soft_close_max_extension must not be negative");
  }
  // A cap without soft close would be silently meaningless; say so instead.
  if (max_extension.count() > 0 && window.count() == 0) {
    return invalid_argument(
        "soft_close_max_extension needs soft_close_window and soft_close_extension");
  }
  if (max_extension > kMaxAuctionLength) {
    return invalid_argument("soft_close_max_extension must be at most 30 days");
  }
  return std::nullopt;
}

}  // namespace

Result<NewAuction> validate_new_auction(const NewAuctionInput& in, TimePoint now) {
  if (auto e = check_listing(in.listing)) return *e;
  const std::string currency = in.currency.empty() ? "USD" : in.currency;
  if (!is_supported_currency(currency)) {
    return invalid_argument("currency must be one of the supported ISO-4217 codes: " +
                            supported_currencies());
  }
  if (auto e = check_prices(in)) return *e;
  auto times = check_times(in, now);
  if (!times) return times.error();
  if (auto e = check_soft_close(in.soft_close_window, in.soft_close_extension,
                                in.soft_close_max_extension)) {
    return *e;
  }

  NewAuction out;
  out.listing = in.listing;
  AuctionTerms& t = out.terms;
  t.currency = currency;
  t.starting_price = in.starting_price;
  t.reserve_price = in.reserve_price;
  t.buy_now_price = in.buy_now_price;
  t.increment.fixed = in.min_increment;
  t.start_time = times->start;
  t.original_end_time = times->end;
  t.soft_close_window = in.soft_close_window;
  t.soft_close_extension = in.soft_close_extension;
  t.soft_close_max_extension = in.soft_close_max_extension;
  return out;
}

}  // namespace auction
