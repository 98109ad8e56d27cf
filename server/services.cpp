#include "server/services.hpp"

#include <spdlog/spdlog.h>

#include "persistence/repository.hpp"
#include "server/mapping.hpp"
#include "server/status.hpp"

namespace auction::server {
namespace {

using Reactor = grpc::ServerUnaryReactor;
using persistence::PageRequest;
using persistence::Repository;

Error cannot_parse(std::string_view what) {
  return invalid_argument(std::string(what) + " is not valid");
}

/// An optional status filter: UNSPECIFIED is none.
Result<std::optional<Status>> status_filter(v1::AuctionStatus status) {
  if (status == v1::AUCTION_STATUS_UNSPECIFIED) return std::optional<Status>{};
  auto parsed = status_from_proto(status);
  if (!parsed) return cannot_parse("status");
  return parsed;
}

/// ListAuctions' filters and order, checked.
Result<persistence::AuctionFilter> auction_filter_from(const v1::ListAuctionsRequest& req) {
  persistence::AuctionFilter filter;
  auto status = status_filter(req.status());
  if (!status) return status.error();
  filter.status = *status;
  if (!req.seller_id().empty()) {
    auto seller = parse_id("seller_id", req.seller_id());
    if (!seller) return seller.error();
    filter.seller_id = *seller;
  }
  if (!req.seller_username().empty()) {
    if (auto e = check_text("seller_username", req.seller_username(), 1, 32)) return *e;
    filter.seller_username = req.seller_username();
  }
  if (!req.category().empty()) {
    if (auto e = check_text("category", req.category(), 1, 64)) return *e;
    filter.category = req.category();
  }
  if (auto e = check_text("text", req.text(), 0, 200)) return *e;
  filter.text = req.text();
  switch (req.order()) {
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
      return cannot_parse("order");
  }
  return filter;
}

/// The call's deadline in our clock; kNoDeadline when it has none.
TimePoint deadline_of(const grpc::CallbackServerContext* ctx) {
  const auto d = ctx->deadline();
  if (d >= std::chrono::system_clock::time_point::max() - std::chrono::hours(24 * 365)) {
    return actors::kNoDeadline;
  }
  return std::chrono::time_point_cast<Duration>(d);
}

/// What PlaceBid and BuyNow check last: the call's deadline has not passed
/// and the bidder is within the rate limit. Returns the deadline.
Result<TimePoint> admit_bid(const Call& call, const actors::Engine& engine,
                            BidRateLimiter& limits) {
  const TimePoint deadline = deadline_of(call.ctx);
  if (deadline < engine.now()) return deadline_exceeded("the call's deadline had already passed");
  if (!limits.allow(call.who().id, engine.now())) {
    return resource_exhausted(
        "too many bids from this account in a short time; slow down and retry");
  }
  return deadline;
}

}  // namespace

// ------------------------------------------------------------ AuctionService

Reactor* AuctionServiceImpl::CreateAuction(grpc::CallbackServerContext* ctx,
                                           const v1::CreateAuctionRequest* req, v1::Auction* resp) {
  return pipeline_.unary(ctx, *req, Auth::kRequired, [&](const UnaryCall& call) -> Result<Sent> {
    if (call.who().suspended) return permission_denied("your account is suspended");
    auto input = new_auction_from_proto(*req);
    if (!input) return input.error();
    auto auction = validate_new_auction(*input, engine_.now());
    if (!auction) return auction.error();
    engine_.create_auction(call.who(), std::move(*auction),
                           call.reply<actors::AuctionView>(
                               [resp, seller = call.who(), this](const actors::AuctionView& v) {
                                 to_proto(v, &seller, engine_.now(), resp);
                               }));
    return Sent{};
  });
}

Reactor* AuctionServiceImpl::GetAuction(grpc::CallbackServerContext* ctx,
                                        const v1::GetAuctionRequest* req,
                                        v1::GetAuctionResponse* resp) {
  return pipeline_.unary(ctx, *req, Auth::kOptional, [&](const UnaryCall& call) -> Result<Sent> {
    if (req->top_bidders() < 0 || req->top_bidders() > 50) {
      return invalid_argument("top_bidders must be between 0 and 50");
    }
    const auto top = static_cast<std::size_t>(req->top_bidders() == 0 ? 5 : req->top_bidders());
    auto fill = [resp, viewer = call.caller, this](const actors::AuctionView& v) {
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
      const Status status = shown_status(s, now);
      const bool running = status == Status::kScheduled || status == Status::kActive;
      const Duration remaining = running ? s.end_time - now : Duration{0};
      to_proto(remaining, resp->mutable_time_remaining());
      resp->set_version(s.version);
    };
    engine_.get_auction(call.auction_id,
                        actors::GetCommand{top, call.reply<actors::AuctionView>(std::move(fill))});
    return Sent{};
  });
}

Reactor* AuctionServiceImpl::ListAuctions(grpc::CallbackServerContext* ctx,
                                          const v1::ListAuctionsRequest* req,
                                          v1::ListAuctionsResponse* resp) {
  return pipeline_.unary(
      ctx, *req, Auth::kOptional, [&](const UnaryCall& call) -> Result<PagedQuery> {
        auto filter = auction_filter_from(*req);
        if (!filter) return filter.error();
        return PagedQuery([this, resp, filter = std::move(*filter), viewer = call.caller](
                              Repository& repo, const PageRequest& page) -> Outcome {
          const TimePoint now = engine_.now();
          auto result = repo.list_auctions(filter, page, now);
          if (!result) return result.error();
          for (const auto& a : result->items) {
            to_proto(a, viewer ? &*viewer : nullptr, now, resp->add_auctions());
          }
          resp->set_next_page_token(result->next_page_token);
          return Done{};
        });
      });
}

Reactor* AuctionServiceImpl::PlaceBid(grpc::CallbackServerContext* ctx,
                                      const v1::PlaceBidRequest* req, v1::PlaceBidResponse* resp) {
  return pipeline_.unary(ctx, *req, Auth::kRequired, [&](const UnaryCall& call) -> Result<Sent> {
    if (auto e = check_amount("max_amount", req->max_amount())) return *e;
    if (auto e = check_idempotency_key(req->idempotency_key())) return *e;
    auto deadline = admit_bid(call, engine_, bid_limits_);
    if (!deadline) return deadline.error();
    actors::BidCommand cmd{
        call.who(), req->max_amount(), req->idempotency_key(),
        call.reply<actors::BidReply>([resp](const actors::BidReply& r) { to_proto(r, resp); })};
    cmd.deadline = *deadline;
    engine_.place_bid(call.auction_id, std::move(cmd));
    return Sent{};
  });
}

Reactor* AuctionServiceImpl::BuyNow(grpc::CallbackServerContext* ctx, const v1::BuyNowRequest* req,
                                    v1::BuyNowResponse* resp) {
  return pipeline_.unary(ctx, *req, Auth::kRequired, [&](const UnaryCall& call) -> Result<Sent> {
    if (auto e = check_idempotency_key(req->idempotency_key())) return *e;
    auto deadline = admit_bid(call, engine_, bid_limits_);
    if (!deadline) return deadline.error();
    actors::BuyNowCommand cmd{call.who(), req->idempotency_key(),
                              call.reply<actors::BuyNowReply>([resp, buyer = call.who(),
                                                               this](const actors::BuyNowReply& r) {
                                resp->set_bid_id(id_string(r.bid_id));
                                to_proto(r.auction, &buyer, engine_.now(), resp->mutable_auction());
                              })};
    cmd.deadline = *deadline;
    engine_.buy_now(call.auction_id, std::move(cmd));
    return Sent{};
  });
}

Reactor* AuctionServiceImpl::CancelAuction(grpc::CallbackServerContext* ctx,
                                           const v1::CancelAuctionRequest* req, v1::Auction* resp) {
  return pipeline_.unary(ctx, *req, Auth::kRequired, [&](const UnaryCall& call) -> Result<Sent> {
    if (auto e = check_text("reason", req->reason(), 0, 500)) return *e;
    if (!req->reason().empty()) {
      spdlog::info("auction {} cancel requested by user {}: {}", call.auction_id, call.who().id,
                   req->reason());
    }
    engine_.cancel(call.auction_id,
                   actors::CancelCommand{call.who(), call.reply<actors::AuctionView>(
                                                         [resp, who = call.who(),
                                                          this](const actors::AuctionView& v) {
                                                           to_proto(v, &who, engine_.now(), resp);
                                                         })});
    return Sent{};
  });
}

Reactor* AuctionServiceImpl::ListBids(grpc::CallbackServerContext* ctx,
                                      const v1::ListBidsRequest* req, v1::ListBidsResponse* resp) {
  return pipeline_.unary(
      ctx, *req, Auth::kOptional, [&](const UnaryCall& call) -> Result<PagedQuery> {
        return PagedQuery([resp, id = call.auction_id, viewer = call.caller](
                              Repository& repo, const PageRequest& page) -> Outcome {
          auto auction = repo.get_auction(id);
          if (!auction) return auction.error();
          if (!*auction) return not_found("no auction with that id");
          auto bids = repo.list_bids(id, page);
          if (!bids) return bids.error();
          for (const auto& b : bids->items) {
            to_proto(b, viewer ? &*viewer : nullptr, resp->add_bids());
          }
          resp->set_next_page_token(bids->next_page_token);
          return Done{};
        });
      });
}

// --------------------------------------------------------------- UserService

Reactor* UserServiceImpl::Register(grpc::CallbackServerContext* ctx, const v1::RegisterRequest* req,
                                   v1::User* resp) {
  return pipeline_.unary(ctx, *req, Auth::kNone, [&](const UnaryCall&) -> Result<Query> {
    if (auto e = check_username(req->username())) return *e;
    if (auto e = check_display_name(req->display_name())) return *e;
    if (auto e = check_password(req->password())) return *e;
    return Query([resp, username = req->username(), name = req->display_name(),
                  password = req->password()](Repository& repo) -> Outcome {
      auto user =
          repo.create_user(username, name, hash_password(password), persistence::Role::kUser);
      if (!user) return user.error();
      to_proto(*user, resp);
      return Done{};
    });
  });
}

Reactor* UserServiceImpl::Login(grpc::CallbackServerContext* ctx, const v1::LoginRequest* req,
                                v1::LoginResponse* resp) {
  return pipeline_.unary(ctx, *req, Auth::kNone, [&](const UnaryCall&) -> Result<Query> {
    if (req->username().empty() || req->username().size() > 32 || req->password().empty() ||
        req->password().size() > 256) {
      return invalid_argument("username and password are required");
    }
    if (!is_valid_utf8(req->username()) || !is_valid_utf8(req->password())) {
      return invalid_argument("username and password must be valid UTF-8");
    }
    return Query([this, resp, username = req->username(),
                  password = req->password()](Repository& repo) -> Outcome {
      const Error denied = unauthenticated("invalid username or password");
      auto user = repo.find_user(username);
      if (!user) return user.error();
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
      return Done{};
    });
  });
}

Reactor* UserServiceImpl::GetMe(grpc::CallbackServerContext* ctx, const v1::GetMeRequest* req,
                                v1::User* resp) {
  return pipeline_.unary(ctx, *req, Auth::kRequired, [&](const UnaryCall& call) -> Result<Query> {
    return Query([resp, id = call.who().id](Repository& repo) -> Outcome {
      auto user = repo.find_user(id);
      if (!user) return user.error();
      if (!*user) return unauthenticated("this account no longer exists");
      to_proto(**user, resp);
      return Done{};
    });
  });
}

Reactor* UserServiceImpl::ListMyBids(grpc::CallbackServerContext* ctx,
                                     const v1::ListMyBidsRequest* req,
                                     v1::ListMyBidsResponse* resp) {
  return pipeline_.unary(
      ctx, *req, Auth::kRequired, [&](const UnaryCall& call) -> Result<PagedQuery> {
        return PagedQuery(
            [resp, who = call.who()](Repository& repo, const PageRequest& page) -> Outcome {
              auto bids = repo.list_user_bids(who.id, page);
              if (!bids) return bids.error();
              for (const auto& b : bids->items) to_proto(b, &who, resp->add_bids());
              resp->set_next_page_token(bids->next_page_token);
              return Done{};
            });
      });
}

Reactor* UserServiceImpl::ListMyAuctions(grpc::CallbackServerContext* ctx,
                                         const v1::ListMyAuctionsRequest* req,
                                         v1::ListMyAuctionsResponse* resp) {
  return pipeline_.unary(
      ctx, *req, Auth::kRequired, [&](const UnaryCall& call) -> Result<PagedQuery> {
        persistence::AuctionFilter filter;
        filter.seller_id = call.who().id;
        auto status = status_filter(req->status());
        if (!status) return status.error();
        filter.status = *status;
        return PagedQuery([this, resp, who = call.who(), filter](
                              Repository& repo, const PageRequest& page) -> Outcome {
          const TimePoint now = engine_.now();
          auto result = repo.list_auctions(filter, page, now);
          if (!result) return result.error();
          for (const auto& a : result->items) to_proto(a, &who, now, resp->add_auctions());
          resp->set_next_page_token(result->next_page_token);
          return Done{};
        });
      });
}

// ----------------------------------------------------------------- streams

grpc::ServerWriteReactor<v1::AuctionUpdate>* AuctionServiceImpl::WatchAuction(
    grpc::CallbackServerContext* ctx, const v1::WatchAuctionRequest* req) {
  return pipeline_.stream<v1::AuctionUpdate>(
      ctx, *req, Auth::kOptional,
      [&](const Call& call) -> Result<grpc::ServerWriteReactor<v1::AuctionUpdate>*> {
        std::optional<std::int64_t> from;
        if (req->has_from_version()) {
          if (req->from_version() < 0) return invalid_argument("from_version must not be negative");
          from = req->from_version();
        }
        if (auto slot = streams_.registry.reserve(); !slot) return slot.error();
        auto stream = AuctionWatchStream::open(streams_.registry, streams_.watch);
        std::shared_ptr<actors::WatchSink> sink = stream;
        engine_.watch(
            call.auction_id,
            actors::WatchCommand{sink, from, actors::make_reply<bool>([sink](Result<bool> r) {
                                   if (!r) sink->fail(r.error());
                                 })});
        return stream.get();
      });
}

grpc::ServerWriteReactor<v1::Notification>* UserServiceImpl::WatchNotifications(
    grpc::CallbackServerContext* ctx, const v1::WatchNotificationsRequest* req) {
  return pipeline_.stream<v1::Notification>(
      ctx, *req, Auth::kRequired,
      [&](const Call& call) -> Result<grpc::ServerWriteReactor<v1::Notification>*> {
        std::optional<std::int64_t> after;
        if (req->has_after_seq()) {
          if (req->after_seq() < 0) return invalid_argument("after_seq must not be negative");
          after = req->after_seq();
        }
        if (auto slot = streams_.registry.reserve(); !slot) return slot.error();
        return NotificationStream::open(streams_.registry, streams_.hub, engine_, call.who().id,
                                        after)
            .get();
      });
}

// ----------------------------------------------------------- notifications

Reactor* UserServiceImpl::ListNotifications(grpc::CallbackServerContext* ctx,
                                            const v1::ListNotificationsRequest* req,
                                            v1::ListNotificationsResponse* resp) {
  return pipeline_.unary(
      ctx, *req, Auth::kRequired, [&](const UnaryCall& call) -> Result<PagedQuery> {
        return PagedQuery([resp, user = call.who().id, unread_only = req->unread_only()](
                              Repository& repo, const PageRequest& page) -> Outcome {
          auto list = repo.list_notifications(user, unread_only, page);
          if (!list) return list.error();
          auto unread = repo.unread_count(user);
          if (!unread) return unread.error();
          for (const auto& n : list->items) to_proto(n, resp->add_notifications());
          resp->set_next_page_token(list->next_page_token);
          resp->set_unread_count(*unread);
          return Done{};
        });
      });
}

Reactor* UserServiceImpl::MarkNotificationsRead(grpc::CallbackServerContext* ctx,
                                                const v1::MarkNotificationsReadRequest* req,
                                                v1::MarkNotificationsReadResponse* resp) {
  return pipeline_.unary(ctx, *req, Auth::kRequired, [&](const UnaryCall& call) -> Result<Query> {
    constexpr int kMaxSeqs = 1000;
    if (req->seqs_size() > kMaxSeqs) {
      return invalid_argument("at most 1000 seqs at a time; use up_to_seq");
    }
    if (req->seqs_size() == 0 && req->up_to_seq() == 0) {
      return invalid_argument("give the seqs to mark read, or up_to_seq");
    }
    if (req->up_to_seq() < 0) return invalid_argument("up_to_seq must not be negative");
    std::vector<std::int64_t> seqs;
    for (std::int64_t seq : req->seqs()) {
      if (seq < 1) return invalid_argument("every seq must be at least 1");
      seqs.push_back(seq);
    }
    return Query([resp, user = call.who().id, seqs = std::move(seqs),
                  up_to = req->up_to_seq()](Repository& repo) -> Outcome {
      auto marked = repo.mark_notifications_read(user, seqs, up_to);
      if (!marked) return marked.error();
      auto unread = repo.unread_count(user);
      if (!unread) return unread.error();
      resp->set_marked(*marked);
      resp->set_unread_count(*unread);
      return Done{};
    });
  });
}

// -------------------------------------------------------------- watch list

template <class Req>
Reactor* UserServiceImpl::change_following(grpc::CallbackServerContext* ctx, const Req& req,
                                           bool follow, std::function<void(bool)> answer) {
  return pipeline_.unary(ctx, req, Auth::kRequired, [&](const UnaryCall& call) -> Result<Query> {
    return Query([follow, answer = std::move(answer), user = call.who().id,
                  id = call.auction_id](Repository& repo) -> Outcome {
      auto changed = follow ? repo.follow(user, id) : repo.unfollow(user, id);
      if (!changed) return changed.error();
      answer(*changed);
      return Done{};
    });
  });
}

Reactor* UserServiceImpl::FollowAuction(grpc::CallbackServerContext* ctx,
                                        const v1::FollowAuctionRequest* req,
                                        v1::FollowAuctionResponse* resp) {
  return change_following(ctx, *req, true, [resp](bool newly) { resp->set_newly_followed(newly); });
}

Reactor* UserServiceImpl::UnfollowAuction(grpc::CallbackServerContext* ctx,
                                          const v1::UnfollowAuctionRequest* req,
                                          v1::UnfollowAuctionResponse* resp) {
  return change_following(ctx, *req, false, [resp](bool was) { resp->set_was_following(was); });
}

Reactor* UserServiceImpl::ListFollowedAuctions(grpc::CallbackServerContext* ctx,
                                               const v1::ListFollowedAuctionsRequest* req,
                                               v1::ListFollowedAuctionsResponse* resp) {
  return pipeline_.unary(
      ctx, *req, Auth::kRequired, [&](const UnaryCall& call) -> Result<PagedQuery> {
        return PagedQuery(
            [this, resp, who = call.who()](Repository& repo, const PageRequest& page) -> Outcome {
              const TimePoint now = engine_.now();
              auto result = repo.followed_auctions(who.id, page);
              if (!result) return result.error();
              for (const auto& a : result->items) to_proto(a, &who, now, resp->add_auctions());
              resp->set_next_page_token(result->next_page_token);
              return Done{};
            });
      });
}

}  // namespace auction::server
