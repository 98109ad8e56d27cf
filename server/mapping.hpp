#pragma once
/// proto <-> domain translation. Handlers call these and nothing else to
/// build replies, so the wire format lives in one place.
#include <optional>

#include "actors/commands.hpp"
#include "actors/watch.hpp"
#include "auction/v1/auction.pb.h"
#include "domain/result.hpp"
#include "domain/validation.hpp"
#include "persistence/records.hpp"

namespace auction::server {

namespace v1 = ::auction::v1;

/// Range-checked: year 1..9999, nanos in [0, 1e9).
Result<TimePoint> from_proto(std::string_view field, const google::protobuf::Timestamp& t);
/// Non-negative, at most 10 years, nanos consistent.
Result<Duration> from_proto(std::string_view field, const google::protobuf::Duration& d);
void to_proto(TimePoint t, google::protobuf::Timestamp* out);
void to_proto(Duration d, google::protobuf::Duration* out);

std::string id_string(std::int64_t id);

Result<NewAuctionInput> new_auction_from_proto(const v1::CreateAuctionRequest& req);

/// `viewer` decides whether the reserve amount is shown (seller or admin).
void to_proto(const actors::AuctionView& view, const actors::Caller* viewer, TimePoint now,
              v1::Auction* out);
void to_proto(const actors::BidReply& reply, v1::PlaceBidResponse* out);
/// max_amount is filled only when the viewer placed the bid or is an admin.
void to_proto(const persistence::BidRow& bid, const actors::Caller* viewer, v1::Bid* out);
void to_proto(const persistence::UserRecord& user, v1::User* out);
/// Auctions from the database (lists): no top-bidder board.
void to_proto(const persistence::AuctionRecord& record, const actors::Caller* viewer, TimePoint now,
              v1::Auction* out);

/// One watcher message. Snapshots show no reserve amount (watchers are
/// anonymous).
void to_proto(const actors::WatchUpdate& update, v1::AuctionUpdate* out);
void to_proto(const persistence::NotificationRecord& n, v1::Notification* out);
void to_proto(const std::vector<TopBidderEntry>& top,
              google::protobuf::RepeatedPtrField<v1::TopBidder>* out);

v1::AuctionStatus to_proto(Status s);
std::optional<Status> status_from_proto(v1::AuctionStatus s);
v1::RejectReason to_proto(RejectReason r);

}  // namespace auction::server
