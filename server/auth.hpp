#pragma once
/// Bearer tokens (HMAC-SHA256 signed, with expiry) and password hashing
/// (argon2id), both from libsodium. No gRPC here.
#include <array>
#include <string>
#include <string_view>

#include "actors/commands.hpp"
#include "domain/result.hpp"

namespace auction::server {

struct TokenClaims {
  UserId user_id = 0;
  std::string display_name;
  bool is_admin = false;
  TimePoint expires_at;
};

class TokenSigner {
 public:
  /// Any secret; it is stretched to a 32-byte key. Empty = a random key
  /// (tokens then die with the process).
  explicit TokenSigner(std::string_view secret, Duration ttl);
  std::string issue(const TokenClaims& claims) const;
  /// UNAUTHENTICATED for malformed, forged or expired tokens.
  Result<TokenClaims> verify(std::string_view token, TimePoint now) const;
  Duration ttl() const { return ttl_; }

 private:
  std::array<unsigned char, 32> key_{};
  Duration ttl_;
};

/// argon2id (libsodium's interactive limits). Slow on purpose: call from a
/// worker thread.
std::string hash_password(std::string_view password);
bool verify_password(std::string_view password, const std::string& hash);
/// Burns the same time as a real check, for unknown usernames.
void verify_password_against_dummy(std::string_view password);

}  // namespace auction::server
