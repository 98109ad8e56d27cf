#include "server/services.hpp"

#include <spdlog/spdlog.h>

#include "persistence/repository.hpp"
#include "server/mapping.hpp"
#include "server/status.hpp"

namespace auction::server {
namespace {

using Reactor = grpc::ServerUnaryReactor;

Reactor* finish(grpc::CallbackServerContext* ctx, const grpc::Status& status) {
  Reactor* r = ctx->DefaultReactor();
  r->Finish(status);
  return r;
}

Reactor* finish(grpc::CallbackServerContext* ctx, const Error& e) {
  return finish(ctx, to_status(e));
}

/// Runs `fn(repo) -> grpc::Status` on the query pool and finishes the call
/// with its status; exceptions become INTERNAL, a full pool UNAVAILABLE.
template <class F>
Reactor* on_query_pool(actors::Engine& engine, grpc::CallbackServerContext* ctx, F fn) {
  Reactor* reactor = ctx->DefaultReactor();
  const bool queued = engine.query([reactor, fn = std::move(fn)](persistence::Repository& repo) {
    grpc::Status status;
    try {
      status = fn(repo);
    } catch (const std::exception& e) {
      spdlog::error("request failed: {}", e.what());
      status = grpc::Status(grpc::StatusCode::INTERNAL, "internal error");
    }
    reactor->Finish(status);
  });
  if (!queued) {
    reactor->Finish(grpc::Status(grpc::StatusCode::UNAVAILABLE, "the server is overloaded; retry"));
  }
  return reactor;
}

Result<persistence::PageRequest> page_from(std::int32_t page_size, const std::string& token) {
  if (page_size < 0) return invalid_argument("page_size must not be negative");
  if (page_size > 100) return invalid_argument("page_size must be at most 100");
  if (!token.empty()) {
    if (auto decoded = persistence::decode_page_token(token); !decoded) return decoded.error();
  }
  return persistence::PageRequest{page_size == 0 ? 20 : page_size, token};
}

/// A reply handle that finishes the call: `fill(value)` writes the response.
template <class T, class Fill>
actors::ReplyPtr<T> reply_into(Reactor* reactor, Fill fill) {
  return actors::make_reply<T>([reactor, fill = std::move(fill)](Result<T> r) {
    if (!r) {
      reactor->Finish(to_status(r.error()));
      return;
    }
    fill(*r);
    reactor->Finish(grpc::Status::OK);
  });
}

template <class T>
grpc::ServerWriteReactor<T>* reject_stream(const Error& e) {
  return new RejectedStream<T>(to_status(e));
}

/// The call's deadline in our clock; kNoDeadline when it has none.
TimePoint deadline_of(const grpc::CallbackServerContext* ctx) {
  const auto d = ctx->deadline();
  if (d >= std::chrono::system_clock::time_point::max() - std::chrono::hours(24 * 365)) {
    return actors::kNoDeadline;
  }
  return std::chrono::time_point_cast<Duration>(d);
}

Error expired() {
  return Error{ErrorCode::kDeadlineExceeded, "the call's deadline had already passed"};
}

Error too_many_bids() {
  return Error{ErrorCode::kResourceExhausted,
               "too many bids from this account in a short time; slow down and retry"};
}

Error cannot_parse(std::string_view what) {
  return invalid_argument(std::string(what) + " is not valid");
}

}  // namespace

// ------------------------------------------------------------ Authenticator

Result<actors::Caller> Authenticator::required(const grpc::CallbackServerContext* ctx) const {
  auto caller = optional(ctx);
  if (!caller) return caller.error();
  if (!*caller) {
    return Error{ErrorCode::kUnauthenticated,
                 "this call needs 'authorization: Bearer <token>' metadata; log in first"};
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
    return Error{ErrorCode::kUnauthenticated, "authorization must be 'Bearer <token>'"};
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

// ------------------------------------------------------------ AuctionService

Reactor* AuctionServiceImpl::CreateAuction(grpc::CallbackServerContext* ctx,
                                           const v1::CreateAuctionRequest* req, v1::Auction* resp) {
  auto seller = auth_.required(ctx);
  if (!seller) return finish(ctx, seller.error());
  if (seller->suspended) return finish(ctx, permission_denied("your account is suspended"));
  auto input = new_auction_from_proto(*req);
  if (!input) return finish(ctx, input.error());
  auto auction = validate_new_auction(*input, engine_.now());
  if (!auction) return finish(ctx, auction.error());
  Reactor* reactor = ctx->DefaultReactor();
  engine_.create_auction(*seller, std::move(*auction),
                         reply_into<actors::AuctionView>(
                             reactor, [resp, caller = *seller, this](const actors::AuctionView& v) {
                               to_proto(v, &caller, engine_.now(), resp);
                             }));
  return reactor;
}

Reactor* AuctionServiceImpl::GetAuction(grpc::CallbackServerContext* ctx,
                                        const v1::GetAuctionRequest* req,
                                        v1::GetAuctionResponse* resp) {
  auto viewer = auth_.optional(ctx);
  if (!viewer) return finish(ctx, viewer.error());
  auto id = parse_id("auction_id", req->auction_id());
  if (!id) return finish(ctx, id.error());
  if (req->top_bidders() < 0 || req->top_bidders() > 50) {
    return finish(ctx, invalid_argument("top_bidders must be between 0 and 50"));
  }
  const auto top = static_cast<std::size_t>(req->top_bidders() == 0 ? 5 : req->top_bidders());
  Reactor* reactor = ctx->DefaultReactor();
  engine_.get_auction(
      *id, actors::GetCommand{
               top, reply_into<actors::AuctionView>(reactor, [resp, viewer = *viewer,
                                                              this](const actors::AuctionView& v) {
                 const TimePoint now = engine_.now();
                 to_proto(v, viewer ? &*viewer : nullptr, now, resp->mutable_auction());
                 for (const auto& e : v.top_bidders) {
                   auto* t = resp->add_top_bidders();
                   t->set_bidder_id(id_string(e.bidder));
                   t->set_display_name(e.display_name);
                   t->set_amount(e.amount);
                   t->set_leading(e.leading);
                 }
                 const auto& s = v.record.state;
                 const Status status = status_at(s, now);
                 const bool running = status == Status::kScheduled || status == Status::kActive;
                 const Duration remaining = running ? s.end_time - now : Duration{0};
                 to_proto(remaining, resp->mutable_time_remaining());
                 resp->set_version(s.version);
               })});
  return reactor;
}

Reactor* AuctionServiceImpl::ListAuctions(grpc::CallbackServerContext* ctx,
                                          const v1::ListAuctionsRequest* req,
                                          v1::ListAuctionsResponse* resp) {
  auto viewer = auth_.optional(ctx);
  if (!viewer) return finish(ctx, viewer.error());
  persistence::AuctionFilter filter;
  if (req->status() != v1::AUCTION_STATUS_UNSPECIFIED) {
    filter.status = status_from_proto(req->status());
    if (!filter.status) return finish(ctx, cannot_parse("status"));
  }
  if (!req->seller_id().empty()) {
    auto seller = parse_id("seller_id", req->seller_id());
    if (!seller) return finish(ctx, seller.error());
    filter.seller_id = *seller;
  }
  if (!req->category().empty()) {
    if (auto e = check_text("category", req->category(), 1, 64)) return finish(ctx, *e);
    filter.category = req->category();
  }
  if (auto e = check_text("text", req->text(), 0, 200)) return finish(ctx, *e);
  filter.text = req->text();
  switch (req->order()) {
    case v1::LIST_ORDER_UNSPECIFIED:
    case v1::LIST_ORDER_NEWEST:
      filter.order = persistence::AuctionOrder::kNewest;
      break;
    case v1::LIST_ORDER_ENDING_SOON:
      filter.order = persistence::AuctionOrder::kEndingSoon;
      break;
    case v1::LIST_ORDER_MOST_BIDS:
      filter.order = persistence::AuctionOrder::kMostBids;
      break;
    default:
      return finish(ctx, cannot_parse("order"));
  }
  auto page = page_from(req->page_size(), req->page_token());
  if (!page) return finish(ctx, page.error());
  return on_query_pool(
      engine_, ctx,
      [this, resp, filter, page = *page, viewer = *viewer](persistence::Repository& repo) {
        const TimePoint now = engine_.now();
        auto result = repo.list_auctions(filter, page, now);
        if (!result) return to_status(result.error());
        for (const auto& a : result->items) {
          to_proto(a, viewer ? &*viewer : nullptr, now, resp->add_auctions());
        }
        resp->set_next_page_token(result->next_page_token);
        return grpc::Status::OK;
      });
}

Reactor* AuctionServiceImpl::PlaceBid(grpc::CallbackServerContext* ctx,
                                      const v1::PlaceBidRequest* req, v1::PlaceBidResponse* resp) {
  auto bidder = auth_.required(ctx);
  if (!bidder) return finish(ctx, bidder.error());
  auto id = parse_id("auction_id", req->auction_id());
  if (!id) return finish(ctx, id.error());
  if (auto e = check_amount("max_amount", req->max_amount())) return finish(ctx, *e);
  if (auto e = check_idempotency_key(req->idempotency_key())) return finish(ctx, *e);
  const TimePoint deadline = deadline_of(ctx);
  if (deadline < engine_.now()) return finish(ctx, expired());
  if (!bid_limits_.allow(bidder->id, engine_.now())) return finish(ctx, too_many_bids());
  Reactor* reactor = ctx->DefaultReactor();
  actors::BidCommand cmd{*bidder, req->max_amount(), req->idempotency_key(),
                         reply_into<actors::BidReply>(
                             reactor, [resp](const actors::BidReply& r) { to_proto(r, resp); })};
  cmd.deadline = deadline;
  engine_.place_bid(*id, std::move(cmd));
  return reactor;
}

Reactor* AuctionServiceImpl::BuyNow(grpc::CallbackServerContext* ctx, const v1::BuyNowRequest* req,
                                    v1::BuyNowResponse* resp) {
  auto buyer = auth_.required(ctx);
  if (!buyer) return finish(ctx, buyer.error());
  auto id = parse_id("auction_id", req->auction_id());
  if (!id) return finish(ctx, id.error());
  if (auto e = check_idempotency_key(req->idempotency_key())) return finish(ctx, *e);
  const TimePoint deadline = deadline_of(ctx);
  if (deadline < engine_.now()) return finish(ctx, expired());
  if (!bid_limits_.allow(buyer->id, engine_.now())) return finish(ctx, too_many_bids());
  Reactor* reactor = ctx->DefaultReactor();
  actors::BuyNowCommand cmd{
      *buyer, req->idempotency_key(),
      reply_into<actors::BuyNowReply>(
          reactor, [resp, caller = *buyer, this](const actors::BuyNowReply& r) {
            resp->set_bid_id(id_string(r.bid_id));
            to_proto(r.auction, &caller, engine_.now(), resp->mutable_auction());
          })};
  cmd.deadline = deadline;
  engine_.buy_now(*id, std::move(cmd));
  return reactor;
}

Reactor* AuctionServiceImpl::CancelAuction(grpc::CallbackServerContext* ctx,
                                           const v1::CancelAuctionRequest* req, v1::Auction* resp) {
  auto caller = auth_.required(ctx);
  if (!caller) return finish(ctx, caller.error());
  auto id = parse_id("auction_id", req->auction_id());
  if (!id) return finish(ctx, id.error());
  if (auto e = check_text("reason", req->reason(), 0, 500)) return finish(ctx, *e);
  Reactor* reactor = ctx->DefaultReactor();
  if (!req->reason().empty()) {
    spdlog::info("auction {} cancel requested by user {}: {}", *id, caller->id, req->reason());
  }
  engine_.cancel(
      *id, actors::CancelCommand{
               *caller, reply_into<actors::AuctionView>(
                            reactor, [resp, who = *caller, this](const actors::AuctionView& v) {
                              to_proto(v, &who, engine_.now(), resp);
                            })});
  return reactor;
}

Reactor* AuctionServiceImpl::ListBids(grpc::CallbackServerContext* ctx,
                                      const v1::ListBidsRequest* req, v1::ListBidsResponse* resp) {
  auto viewer = auth_.optional(ctx);
  if (!viewer) return finish(ctx, viewer.error());
  auto id = parse_id("auction_id", req->auction_id());
  if (!id) return finish(ctx, id.error());
  auto page = page_from(req->page_size(), req->page_token());
  if (!page) return finish(ctx, page.error());
  return on_query_pool(
      engine_, ctx,
      [resp, id = *id, page = *page, viewer = *viewer](persistence::Repository& repo) {
        auto auction = repo.get_auction(id);
        if (!auction) return to_status(auction.error());
        if (!*auction) return to_status(not_found("no auction with that id"));
        auto bids = repo.list_bids(id, page);
        if (!bids) return to_status(bids.error());
        for (const auto& b : bids->items) {
          to_proto(b, viewer ? &*viewer : nullptr, resp->add_bids());
        }
        resp->set_next_page_token(bids->next_page_token);
        return grpc::Status::OK;
      });
}

// --------------------------------------------------------------- UserService

Reactor* UserServiceImpl::Register(grpc::CallbackServerContext* ctx, const v1::RegisterRequest* req,
                                   v1::User* resp) {
  if (auto e = check_username(req->username())) return finish(ctx, *e);
  if (auto e = check_display_name(req->display_name())) return finish(ctx, *e);
  if (auto e = check_password(req->password())) return finish(ctx, *e);
  return on_query_pool(engine_, ctx,
                       [resp, username = req->username(), name = req->display_name(),
                        password = req->password()](persistence::Repository& repo) {
                         auto user = repo.create_user(username, name, hash_password(password),
                                                      persistence::Role::kUser);
                         if (!user) return to_status(user.error());
                         to_proto(*user, resp);
                         return grpc::Status::OK;
                       });
}

Reactor* UserServiceImpl::Login(grpc::CallbackServerContext* ctx, const v1::LoginRequest* req,
                                v1::LoginResponse* resp) {
  if (req->username().empty() || req->username().size() > 32 || req->password().empty() ||
      req->password().size() > 256) {
    return finish(ctx, invalid_argument("username and password are required"));
  }
  if (!is_valid_utf8(req->username()) || !is_valid_utf8(req->password())) {
    return finish(ctx, invalid_argument("username and password must be valid UTF-8"));
  }
  return on_query_pool(engine_, ctx,
                       [this, resp, username = req->username(),
                        password = req->password()](persistence::Repository& repo) {
                         grpc::Status denied(grpc::StatusCode::UNAUTHENTICATED,
                                             "invalid username or password");
                         auto user = repo.find_user(username);
                         if (!user) return to_status(user.error());
                         if (!*user) {
                           verify_password_against_dummy(password);
                           return denied;
                         }
                         if (!verify_password(password, (*user)->password_hash)) return denied;
                         const TokenClaims claims{(*user)->id, (*user)->display_name,
                                                  (*user)->role == persistence::Role::kAdmin,
                                                  engine_.now() + signer_.ttl()};
                         resp->set_token(signer_.issue(claims));
                         to_proto(claims.expires_at, resp->mutable_expires_at());
                         to_proto(**user, resp->mutable_user());
                         return grpc::Status::OK;
                       });
}

Reactor* UserServiceImpl::GetMe(grpc::CallbackServerContext* ctx, const v1::GetMeRequest*,
                                v1::User* resp) {
  auto caller = auth_.required(ctx);
  if (!caller) return finish(ctx, caller.error());
  return on_query_pool(engine_, ctx, [resp, id = caller->id](persistence::Repository& repo) {
    auto user = repo.find_user(id);
    if (!user) return to_status(user.error());
    if (!*user) {
      return grpc::Status(grpc::StatusCode::UNAUTHENTICATED, "this account no longer exists");
    }
    to_proto(**user, resp);
    return grpc::Status::OK;
  });
}

Reactor* UserServiceImpl::ListMyBids(grpc::CallbackServerContext* ctx,
                                     const v1::ListMyBidsRequest* req,
                                     v1::ListMyBidsResponse* resp) {
  auto caller = auth_.required(ctx);
  if (!caller) return finish(ctx, caller.error());
  auto page = page_from(req->page_size(), req->page_token());
  if (!page) return finish(ctx, page.error());
  return on_query_pool(engine_, ctx,
                       [resp, who = *caller, page = *page](persistence::Repository& repo) {
                         auto bids = repo.list_user_bids(who.id, page);
                         if (!bids) return to_status(bids.error());
                         for (const auto& b : bids->items) to_proto(b, &who, resp->add_bids());
                         resp->set_next_page_token(bids->next_page_token);
                         return grpc::Status::OK;
                       });
}

Reactor* UserServiceImpl::ListMyAuctions(grpc::CallbackServerContext* ctx,
                                         const v1::ListMyAuctionsRequest* req,
                                         v1::ListMyAuctionsResponse* resp) {
  auto caller = auth_.required(ctx);
  if (!caller) return finish(ctx, caller.error());
  persistence::AuctionFilter filter;
  filter.seller_id = caller->id;
  if (req->status() != v1::AUCTION_STATUS_UNSPECIFIED) {
    filter.status = status_from_proto(req->status());
    if (!filter.status) return finish(ctx, cannot_parse("status"));
  }
  auto page = page_from(req->page_size(), req->page_token());
  if (!page) return finish(ctx, page.error());
  return on_query_pool(
      engine_, ctx,
      [this, resp, who = *caller, filter, page = *page](persistence::Repository& repo) {
        const TimePoint now = engine_.now();
        auto result = repo.list_auctions(filter, page, now);
        if (!result) return to_status(result.error());
        for (const auto& a : result->items) {
          to_proto(a, &who, now, resp->add_auctions());
        }
        resp->set_next_page_token(result->next_page_token);
        return grpc::Status::OK;
      });
}

// ----------------------------------------------------------------- streams

grpc::ServerWriteReactor<v1::AuctionUpdate>* AuctionServiceImpl::WatchAuction(
    grpc::CallbackServerContext* ctx, const v1::WatchAuctionRequest* req) {
  auto viewer = auth_.optional(ctx);
  if (!viewer) return reject_stream<v1::AuctionUpdate>(viewer.error());
  auto id = parse_id("auction_id", req->auction_id());
  if (!id) return reject_stream<v1::AuctionUpdate>(id.error());
  std::optional<std::int64_t> from;
  if (req->has_from_version()) {
    if (req->from_version() < 0) {
      return reject_stream<v1::AuctionUpdate>(
          invalid_argument("from_version must not be negative"));
    }
    from = req->from_version();
  }
  if (auto slot = streams_.registry.reserve(); !slot) {
    return reject_stream<v1::AuctionUpdate>(slot.error());
  }
  auto stream = AuctionWatchStream::open(streams_.registry, streams_.watch);
  std::shared_ptr<actors::WatchSink> sink = stream;
  engine_.watch(*id,
                actors::WatchCommand{sink, from, actors::make_reply<bool>([sink](Result<bool> r) {
                                       if (!r) sink->fail(r.error());
                                     })});
  return stream.get();
}

grpc::ServerWriteReactor<v1::Notification>* UserServiceImpl::WatchNotifications(
    grpc::CallbackServerContext* ctx, const v1::WatchNotificationsRequest* req) {
  auto caller = auth_.required(ctx);
  if (!caller) return reject_stream<v1::Notification>(caller.error());
  std::optional<std::int64_t> after;
  if (req->has_after_seq()) {
    if (req->after_seq() < 0) {
      return reject_stream<v1::Notification>(invalid_argument("after_seq must not be negative"));
    }
    after = req->after_seq();
  }
  if (auto slot = streams_.registry.reserve(); !slot) {
    return reject_stream<v1::Notification>(slot.error());
  }
  return NotificationStream::open(streams_.registry, streams_.hub, engine_, caller->id, after)
      .get();
}

// ----------------------------------------------------------- notifications

Reactor* UserServiceImpl::ListNotifications(grpc::CallbackServerContext* ctx,
                                            const v1::ListNotificationsRequest* req,
                                            v1::ListNotificationsResponse* resp) {
  auto caller = auth_.required(ctx);
  if (!caller) return finish(ctx, caller.error());
  auto page = page_from(req->page_size(), req->page_token());
  if (!page) return finish(ctx, page.error());
  return on_query_pool(engine_, ctx,
                       [resp, user = caller->id, unread_only = req->unread_only(),
                        page = *page](persistence::Repository& repo) {
                         auto list = repo.list_notifications(user, unread_only, page);
                         if (!list) return to_status(list.error());
                         auto unread = repo.unread_count(user);
                         if (!unread) return to_status(unread.error());
                         for (const auto& n : list->items) to_proto(n, resp->add_notifications());
                         resp->set_next_page_token(list->next_page_token);
                         resp->set_unread_count(*unread);
                         return grpc::Status::OK;
                       });
}

Reactor* UserServiceImpl::MarkNotificationsRead(grpc::CallbackServerContext* ctx,
                                                const v1::MarkNotificationsReadRequest* req,
                                                v1::MarkNotificationsReadResponse* resp) {
  auto caller = auth_.required(ctx);
  if (!caller) return finish(ctx, caller.error());
  constexpr int kMaxSeqs = 1000;
  if (req->seqs_size() > kMaxSeqs) {
    return finish(ctx, invalid_argument("at most 1000 seqs at a time; use up_to_seq"));
  }
  if (req->seqs_size() == 0 && req->up_to_seq() == 0) {
    return finish(ctx, invalid_argument("give the seqs to mark read, or up_to_seq"));
  }
  if (req->up_to_seq() < 0) return finish(ctx, invalid_argument("up_to_seq must not be negative"));
  std::vector<std::int64_t> seqs;
  for (std::int64_t seq : req->seqs()) {
    if (seq < 1) return finish(ctx, invalid_argument("every seq must be at least 1"));
    seqs.push_back(seq);
  }
  return on_query_pool(engine_, ctx,
                       [resp, user = caller->id, seqs = std::move(seqs),
                        up_to = req->up_to_seq()](persistence::Repository& repo) {
                         auto marked = repo.mark_notifications_read(user, seqs, up_to);
                         if (!marked) return to_status(marked.error());
                         auto unread = repo.unread_count(user);
                         if (!unread) return to_status(unread.error());
                         resp->set_marked(*marked);
                         resp->set_unread_count(*unread);
                         return grpc::Status::OK;
                       });
}

// -------------------------------------------------------------- watch list

Reactor* UserServiceImpl::FollowAuction(grpc::CallbackServerContext* ctx,
                                        const v1::FollowAuctionRequest* req,
                                        v1::FollowAuctionResponse* resp) {
  auto caller = auth_.required(ctx);
  if (!caller) return finish(ctx, caller.error());
  auto id = parse_id("auction_id", req->auction_id());
  if (!id) return finish(ctx, id.error());
  return on_query_pool(engine_, ctx,
                       [resp, user = caller->id, id = *id](persistence::Repository& repo) {
                         auto followed = repo.follow(user, id);
                         if (!followed) return to_status(followed.error());
                         resp->set_newly_followed(*followed);
                         return grpc::Status::OK;
                       });
}

Reactor* UserServiceImpl::UnfollowAuction(grpc::CallbackServerContext* ctx,
                                          const v1::UnfollowAuctionRequest* req,
                                          v1::UnfollowAuctionResponse* resp) {
  auto caller = auth_.required(ctx);
  if (!caller) return finish(ctx, caller.error());
  auto id = parse_id("auction_id", req->auction_id());
  if (!id) return finish(ctx, id.error());
  return on_query_pool(engine_, ctx,
                       [resp, user = caller->id, id = *id](persistence::Repository& repo) {
                         auto was = repo.unfollow(user, id);
                         if (!was) return to_status(was.error());
                         resp->set_was_following(*was);
                         return grpc::Status::OK;
                       });
}

Reactor* UserServiceImpl::ListFollowedAuctions(grpc::CallbackServerContext* ctx,
                                               const v1::ListFollowedAuctionsRequest* req,
                                               v1::ListFollowedAuctionsResponse* resp) {
  auto caller = auth_.required(ctx);
  if (!caller) return finish(ctx, caller.error());
  auto page = page_from(req->page_size(), req->page_token());
  if (!page) return finish(ctx, page.error());
  return on_query_pool(engine_, ctx,
                       [this, resp, who = *caller, page = *page](persistence::Repository& repo) {
                         const TimePoint now = engine_.now();
                         auto result = repo.followed_auctions(who.id, page);
                         if (!result) return to_status(result.error());
                         for (const auto& a : result->items) {
                           to_proto(a, &who, now, resp->add_auctions());
                         }
                         resp->set_next_page_token(result->next_page_token);
                         return grpc::Status::OK;
                       });
}

}  // namespace auction::server
