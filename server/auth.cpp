#include "server/auth.hpp"

#include <sodium.h>

#include <nlohmann/json.hpp>
#include <stdexcept>

#include "server/status.hpp"

namespace auction::server {
namespace {

std::string b64url(const unsigned char* data, std::size_t len) {
  std::string out(sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), data, len, sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(out.size() - 1);  // the encoder's terminating NUL
  return out;
}

bool from_b64url(std::string_view in, std::string& out) {
  out.assign(in.size(), '\0');
  std::size_t len = 0;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), in.data(),
                        in.size(), nullptr, &len, nullptr,
                        sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0) {
    return false;
  }
  out.resize(len);
  return true;
}

}  // namespace

TokenSigner::TokenSigner(std::string_view secret, Duration ttl) : ttl_(ttl) {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
  if (secret.empty()) {
    randombytes_buf(key_.data(), key_.size());
  } else {
    crypto_generichash(key_.data(), key_.size(),
                       reinterpret_cast<const unsigned char*>(secret.data()), secret.size(),
                       nullptr, 0);
  }
}

std::string TokenSigner::issue(const TokenClaims& claims) const {
  const nlohmann::json body = {
      {"uid", claims.user_id},
      {"name", claims.display_name},
      {"adm", claims.is_admin},
      {"exp", claims.expires_at.time_since_epoch().count()},
  };
  const std::string payload = body.dump();
  const std::string encoded =
      b64url(reinterpret_cast<const unsigned char*>(payload.data()), payload.size());
  std::array<unsigned char, crypto_auth_hmacsha256_BYTES> mac{};
  crypto_auth_hmacsha256(mac.data(), reinterpret_cast<const unsigned char*>(encoded.data()),
                         encoded.size(), key_.data());
  return encoded + "." + b64url(mac.data(), mac.size());
}

Result<TokenClaims> TokenSigner::verify(std::string_view token, TimePoint now) const {
  const Error bad = unauthenticated("the token is not valid; log in again");
  if (token.size() > 4096) return bad;
  const auto dot = token.find('.');
  if (dot == std::string_view::npos) return bad;
  const std::string_view encoded = token.substr(0, dot);
  std::string mac;
  if (!from_b64url(token.substr(dot + 1), mac) || mac.size() != crypto_auth_hmacsha256_BYTES) {
    return bad;
  }
  if (crypto_auth_hmacsha256_verify(reinterpret_cast<const unsigned char*>(mac.data()),
                                    reinterpret_cast<const unsigned char*>(encoded.data()),
                                    encoded.size(), key_.data()) != 0) {
    return bad;
  }
  std::string payload;
  if (!from_b64url(encoded, payload)) return bad;
  const auto body = nlohmann::json::parse(payload, nullptr, false);
  if (body.is_discarded() || !body.is_object()) return bad;
  try {
    TokenClaims c;
    c.user_id = body.at("uid").get<std::int64_t>();
    c.display_name = body.at("name").get<std::string>();
    c.is_admin = body.at("adm").get<bool>();
    c.expires_at = TimePoint{Duration{body.at("exp").get<std::int64_t>()}};
    if (c.expires_at <= now) return unauthenticated("the token has expired; log in again");
    return c;
  } catch (const nlohmann::json::exception&) {
    return bad;
  }
}

std::string hash_password(std::string_view password) {
  std::array<char, crypto_pwhash_STRBYTES> out{};
  if (crypto_pwhash_str_alg(out.data(), password.data(), password.size(),
                            crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE,
                            crypto_pwhash_ALG_ARGON2ID13) != 0) {
    throw std::runtime_error("out of memory while hashing a password");
  }
  return out.data();
}

bool verify_password(std::string_view password, const std::string& hash) {
  return crypto_pwhash_str_verify(hash.c_str(), password.data(), password.size()) == 0;
}

void verify_password_against_dummy(std::string_view password) {
  static const std::string dummy = hash_password("not-a-real-password");
  (void)verify_password(password, dummy);
}

}  // namespace auction::server
