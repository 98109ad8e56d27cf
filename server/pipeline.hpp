#pragma once
/// The one path every RPC takes: authenticate the caller, parse the request's
/// auction_id, run the handler's own checks, check paging, hand the work on
/// (a command to the engine or a query for the pool) and finish the call with
/// the outcome, every status built by server/status.hpp. Handlers write only
/// what differs: their own checks and the proto <-> domain translation.
#include <grpcpp/grpcpp.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <type_traits>
#include <utility>

#include "actors/engine_api.hpp"
#include "domain/validation.hpp"
#include "persistence/repository.hpp"
#include "server/auth.hpp"
#include "server/status.hpp"
#include "server/streams.hpp"

namespace auction::server {

/// Reads the bearer token. Required: UNAUTHENTICATED without one. Optional:
/// none is fine, but a bad one is still UNAUTHENTICATED.
class Authenticator {
 public:
  Authenticator(const TokenSigner& signer, const actors::Engine& engine)
      : signer_(signer), engine_(engine) {}
  Result<actors::Caller> required(const grpc::CallbackServerContext* ctx) const;
  Result<std::optional<actors::Caller>> optional(const grpc::CallbackServerContext* ctx) const;

 private:
  const TokenSigner& signer_;
  const actors::Engine& engine_;
};

/// Who may call an RPC.
enum class Auth {
  kNone,      ///< the token is not looked at (Register, Login)
  kOptional,  ///< anonymous is fine, but a bad token is UNAUTHENTICATED
  kRequired,  ///< UNAUTHENTICATED without a valid token
};

/// What the common steps established, for the handler's body.
struct Call {
  grpc::CallbackServerContext* ctx = nullptr;
  std::optional<actors::Caller> caller;  ///< always set under Auth::kRequired
  AuctionId auction_id = 0;              ///< parsed, when the request has an auction_id

  /// The authenticated caller (Auth::kRequired only).
  const actors::Caller& who() const { return *caller; }
  /// The caller, or nullptr when anonymous: for views that depend on who looks.
  const actors::Caller* viewer() const { return caller ? &*caller : nullptr; }
};

/// A unary call: its reply handles finish it.
struct UnaryCall : Call {
  grpc::ServerUnaryReactor* reactor = nullptr;

  /// A reply handle for an engine command: an error finishes the call with
  /// its status; a value is written into the response by `fill`, then OK.
  template <class T, class Fill>
  actors::ReplyPtr<T> reply(Fill fill) const {
    return actors::make_reply<T>([reactor = reactor, fill = std::move(fill)](Result<T> r) {
      if (r) fill(*r);
      reactor->Finish(to_status(r));
    });
  }
};

/// How work on the query pool ends: OK, or an error.
struct Done {};
using Outcome = Result<Done>;

/// What a unary handler's body returns once its own checks passed (else it
/// returns the Error the call is refused with):
/// - Sent: it sent the engine a command whose reply handle finishes the call.
/// - Query: work for the query pool; it fills the response.
/// - PagedQuery: the same for lists; the pipeline first checks the request's
///   page_size and page_token (after the body's checks, as the last step).
struct Sent {};
using Query = std::function<Outcome(persistence::Repository&)>;
using PagedQuery =
    std::function<Outcome(persistence::Repository&, const persistence::PageRequest&)>;

/// page_size 0 means 20, at most 100; a page token must decode.
Result<persistence::PageRequest> page_from(std::int32_t page_size, const std::string& token);

class Pipeline {
 public:
  Pipeline(const Authenticator& auth, actors::Engine& engine) : auth_(auth), engine_(engine) {}

  /// Runs a unary RPC: `body(UnaryCall&)` returns Result<Sent>, Result<Query>
  /// or Result<PagedQuery>.
  template <class Req, class Body>
  grpc::ServerUnaryReactor* unary(grpc::CallbackServerContext* ctx, const Req& req, Auth auth,
                                  Body&& body) const {
    auto* reactor = ctx->DefaultReactor();
    auto call = begin(ctx, req, auth);
    if (!call) {
      reactor->Finish(to_status(call.error()));
      return reactor;
    }
    UnaryCall unary_call{std::move(*call), reactor};
    auto work = std::forward<Body>(body)(unary_call);
    if (!work) {
      reactor->Finish(to_status(work.error()));
      return reactor;
    }
    using Work = std::decay_t<decltype(*work)>;
    if constexpr (std::is_same_v<Work, Query>) {
      run_query(reactor, std::move(*work));
    } else if constexpr (std::is_same_v<Work, PagedQuery>) {
      auto page = page_from(req.page_size(), req.page_token());
      if (!page) {
        reactor->Finish(to_status(page.error()));
        return reactor;
      }
      run_query(reactor, [paged = std::move(*work), page = std::move(*page)](
                             persistence::Repository& repo) { return paged(repo, page); });
    } else {
      static_assert(std::is_same_v<Work, Sent>, "a body returns Result<Sent|Query|PagedQuery>");
    }
    return reactor;
  }

  /// Runs a server-streaming RPC: `body(Call&)` returns the stream's
  /// reactor or the Error the call is refused with.
  template <class T, class Req, class Body>
  grpc::ServerWriteReactor<T>* stream(grpc::CallbackServerContext* ctx, const Req& req, Auth auth,
                                      Body&& body) const {
    auto call = begin(ctx, req, auth);
    if (!call) return new RejectedStream<T>(to_status(call.error()));
    Result<grpc::ServerWriteReactor<T>*> started = std::forward<Body>(body)(*call);
    if (!started) return new RejectedStream<T>(to_status(started.error()));
    return *started;
  }

 private:
  /// Authentication, then the auction_id of requests that have one.
  template <class Req>
  Result<Call> begin(grpc::CallbackServerContext* ctx, const Req& req, Auth auth) const {
    Call call;
    call.ctx = ctx;
    if (auth == Auth::kRequired) {
      auto caller = auth_.required(ctx);
      if (!caller) return caller.error();
      call.caller = std::move(*caller);
    } else if (auth == Auth::kOptional) {
      auto caller = auth_.optional(ctx);
      if (!caller) return caller.error();
      call.caller = std::move(*caller);
    }
    if constexpr (requires { req.auction_id(); }) {
      auto id = parse_id("auction_id", req.auction_id());
      if (!id) return id.error();
      call.auction_id = *id;
    }
    return call;
  }

  /// Queues `query` on the engine's pool; its outcome finishes the call.
  /// An exception is INTERNAL, a full pool UNAVAILABLE.
  void run_query(grpc::ServerUnaryReactor* reactor, Query query) const;

  const Authenticator& auth_;
  actors::Engine& engine_;
};

}  // namespace auction::server
