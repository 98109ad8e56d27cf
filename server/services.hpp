#pragma once
/// gRPC callback services: translate proto <-> domain and hand the work to
/// the engine, each handler through the one Pipeline (authentication, ids,
/// paging, finishing). No business logic and no SQL here.
#include <grpcpp/grpcpp.h>

#include <functional>

#include "actors/engine_api.hpp"
#include "auction/v1/auction.grpc.pb.h"
#include "server/auth.hpp"
#include "server/pipeline.hpp"
#include "server/rate_limiter.hpp"
#include "server/streams.hpp"

namespace auction::server {

/// What the streaming RPCs share.
struct StreamSettings {
  StreamRegistry& registry;
  NotificationHub& hub;
  WatchLimits watch;
};

class AuctionServiceImpl final : public v1::AuctionService::CallbackService {
 public:
  AuctionServiceImpl(actors::Engine& engine, const Authenticator& auth, StreamSettings streams,
                     BidRateLimiter& bid_limits)
      : engine_(engine), pipeline_(auth, engine), streams_(streams), bid_limits_(bid_limits) {}

  grpc::ServerUnaryReactor* CreateAuction(grpc::CallbackServerContext* ctx,
                                          const v1::CreateAuctionRequest* req,
                                          v1::Auction* resp) override;
  grpc::ServerUnaryReactor* GetAuction(grpc::CallbackServerContext* ctx,
                                       const v1::GetAuctionRequest* req,
                                       v1::GetAuctionResponse* resp) override;
  grpc::ServerUnaryReactor* ListAuctions(grpc::CallbackServerContext* ctx,
                                         const v1::ListAuctionsRequest* req,
                                         v1::ListAuctionsResponse* resp) override;
  grpc::ServerUnaryReactor* PlaceBid(grpc::CallbackServerContext* ctx,
                                     const v1::PlaceBidRequest* req,
                                     v1::PlaceBidResponse* resp) override;
  grpc::ServerUnaryReactor* BuyNow(grpc::CallbackServerContext* ctx, const v1::BuyNowRequest* req,
                                   v1::BuyNowResponse* resp) override;
  grpc::ServerUnaryReactor* CancelAuction(grpc::CallbackServerContext* ctx,
                                          const v1::CancelAuctionRequest* req,
                                          v1::Auction* resp) override;
  grpc::ServerUnaryReactor* ListBids(grpc::CallbackServerContext* ctx,
                                     const v1::ListBidsRequest* req,
                                     v1::ListBidsResponse* resp) override;
  grpc::ServerWriteReactor<v1::AuctionUpdate>* WatchAuction(
      grpc::CallbackServerContext* ctx, const v1::WatchAuctionRequest* req) override;

 private:
  actors::Engine& engine_;
  Pipeline pipeline_;
  StreamSettings streams_;
  BidRateLimiter& bid_limits_;
};

class UserServiceImpl final : public v1::UserService::CallbackService {
 public:
  UserServiceImpl(actors::Engine& engine, const Authenticator& auth, const TokenSigner& signer,
                  StreamSettings streams)
      : engine_(engine), pipeline_(auth, engine), signer_(signer), streams_(streams) {}

  grpc::ServerUnaryReactor* Register(grpc::CallbackServerContext* ctx,
                                     const v1::RegisterRequest* req, v1::User* resp) override;
  grpc::ServerUnaryReactor* Login(grpc::CallbackServerContext* ctx, const v1::LoginRequest* req,
                                  v1::LoginResponse* resp) override;
  grpc::ServerUnaryReactor* GetMe(grpc::CallbackServerContext* ctx, const v1::GetMeRequest* req,
                                  v1::User* resp) override;
  grpc::ServerUnaryReactor* ListMyBids(grpc::CallbackServerContext* ctx,
                                       const v1::ListMyBidsRequest* req,
                                       v1::ListMyBidsResponse* resp) override;
  grpc::ServerUnaryReactor* ListMyAuctions(grpc::CallbackServerContext* ctx,
                                           const v1::ListMyAuctionsRequest* req,
                                           v1::ListMyAuctionsResponse* resp) override;
  grpc::ServerUnaryReactor* ListNotifications(grpc::CallbackServerContext* ctx,
                                              const v1::ListNotificationsRequest* req,
                                              v1::ListNotificationsResponse* resp) override;
  grpc::ServerUnaryReactor* MarkNotificationsRead(grpc::CallbackServerContext* ctx,
                                                  const v1::MarkNotificationsReadRequest* req,
                                                  v1::MarkNotificationsReadResponse* resp) override;
  grpc::ServerWriteReactor<v1::Notification>* WatchNotifications(
      grpc::CallbackServerContext* ctx, const v1::WatchNotificationsRequest* req) override;
  grpc::ServerUnaryReactor* FollowAuction(grpc::CallbackServerContext* ctx,
                                          const v1::FollowAuctionRequest* req,
                                          v1::FollowAuctionResponse* resp) override;
  grpc::ServerUnaryReactor* UnfollowAuction(grpc::CallbackServerContext* ctx,
                                            const v1::UnfollowAuctionRequest* req,
                                            v1::UnfollowAuctionResponse* resp) override;
  grpc::ServerUnaryReactor* ListFollowedAuctions(grpc::CallbackServerContext* ctx,
                                                 const v1::ListFollowedAuctionsRequest* req,
                                                 v1::ListFollowedAuctionsResponse* resp) override;

 private:
  /// FollowAuction and UnfollowAuction: `follow` picks the change, `answer`
  /// writes whether it changed anything into the response.
  template <class Req>
  grpc::ServerUnaryReactor* change_following(grpc::CallbackServerContext* ctx, const Req& req,
                                             bool follow, std::function<void(bool)> answer);

  actors::Engine& engine_;
  Pipeline pipeline_;
  const TokenSigner& signer_;
  StreamSettings streams_;
};

}  // namespace auction::server
