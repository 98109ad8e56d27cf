#include "server/pipeline.hpp"

#include <spdlog/spdlog.h>

#include <exception>
#include <string_view>

namespace auction::server {

// ------------------------------------------------------------ Authenticator

Result<actors::Caller> Authenticator::required(const grpc::CallbackServerContext* ctx) const {
  auto caller = optional(ctx);
  if (!caller) return caller.error();
  if (!*caller) {
    return unauthenticated(
        "this call needs 'authorization: Bearer <token>' metadata; log in first");
  }
  return **caller;
}

Result<std::optional<actors::Caller>> Authenticator::optional(
    const grpc::CallbackServerContext* ctx) const {
  const auto& md = ctx->client_metadata();
  auto it = md.find("authorization");
  if (it == md.end()) return std::optional<actors::Caller>{};
  const std::string_view value(it->second.data(), it->second.size());
  constexpr std::string_view kBearer = "Bearer ";
  if (value.substr(0, kBearer.size()) != kBearer) {
    return unauthenticated("authorization must be 'Bearer <token>'");
  }
  auto claims = signer_.verify(value.substr(kBearer.size()), engine_.now());
  if (!claims) return claims.error();
  actors::Caller c;
  c.id = claims->user_id;
  c.display_name = claims->display_name;
  c.is_admin = claims->is_admin;
  c.suspended = engine_.is_suspended(c.id);
  return std::optional<actors::Caller>{c};
}

// ------------------------------------------------------------------ paging

Result<persistence::PageRequest> page_from(std::int32_t page_size, const std::string& token) {
  if (page_size < 0) return invalid_argument("page_size must not be negative");
  if (page_size > 100) return invalid_argument("page_size must be at most 100");
  if (!token.empty()) {
    if (auto decoded = persistence::decode_page_token(token); !decoded) return decoded.error();
  }
  return persistence::PageRequest{page_size == 0 ? 20 : page_size, token};
}

// ---------------------------------------------------------------- pipeline

void Pipeline::run_query(grpc::ServerUnaryReactor* reactor, Query query) const {
  const bool queued =
      engine_.query([reactor, query = std::move(query)](persistence::Repository& repo) {
        Outcome outcome = Done{};
        try {
          outcome = query(repo);
        } catch (const std::exception& e) {
          spdlog::error("request failed: {}", e.what());
          outcome = internal_error("internal error");
        }
        reactor->Finish(to_status(outcome));
      });
  if (!queued) reactor->Finish(to_status(unavailable("the server is overloaded; retry")));
}

}  // namespace auction::server
