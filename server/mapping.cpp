#include "server/mapping.hpp"

namespace auction::server {
namespace {

constexpr std::int64_t kMinSeconds = -62'135'596'800;  // 0001-01-01
constexpr std::int64_t kMaxSeconds = 253'402'300'799;  // 9999-12-31
constexpr std::int64_t kMaxDurationSeconds = 10LL * 366 * 24 * 3600;

v1::Outcome to_proto(Outcome o) {
  switch (o) {
    case Outcome::kSold:
      return v1::OUTCOME_SOLD;
    case Outcome::kUnsold:
      return v1::OUTCOME_UNSOLD;
    case Outcome::kNone:
      break;
  }
  return v1::OUTCOME_UNSPECIFIED;
}

}  // namespace

Result<TimePoint> from_proto(std::string_view field, const google::protobuf::Timestamp& t) {
  if (t.seconds() < kMinSeconds || t.seconds() > kMaxSeconds || t.nanos() < 0 ||
      t.nanos() >= 1'000'000'000) {
    return invalid_argument(std::string(field) + " is out of range");
  }
  return TimePoint{std::chrono::seconds(t.seconds()) + Duration(t.nanos() / 1000)};
}

Result<Duration> from_proto(std::string_view field, const google::protobuf::Duration& d) {
  if (d.seconds() < 0 || d.nanos() < 0) {
    return invalid_argument(std::string(field) + " must not be negative");
  }
  if (d.seconds() > kMaxDurationSeconds || d.nanos() >= 1'000'000'000) {
    return invalid_argument(std::string(field) + " is out of range");
  }
  return Duration{std::chrono::seconds(d.seconds()) + Duration(d.nanos() / 1000)};
}

void to_proto(TimePoint t, google::protobuf::Timestamp* out) {
  const auto us = t.time_since_epoch().count();
  auto seconds = us / 1'000'000;
  auto micros = us % 1'000'000;
  if (micros < 0) {
    micros += 1'000'000;
    --seconds;
  }
  out->set_seconds(seconds);
  out->set_nanos(static_cast<std::int32_t>(micros * 1000));
}

void to_proto(Duration d, google::protobuf::Duration* out) {
  const auto us = d.count();
  out->set_seconds(us / 1'000'000);
  out->set_nanos(static_cast<std::int32_t>((us % 1'000'000) * 1000));
}

std::string id_string(std::int64_t id) { return std::to_string(id); }

Result<NewAuctionInput> new_auction_from_proto(const v1::CreateAuctionRequest& req) {
  NewAuctionInput in;
  in.listing.title = req.title();
  in.listing.description = req.description();
  in.listing.media_urls.assign(req.media_urls().begin(), req.media_urls().end());
  in.listing.category = req.category();
  in.currency = req.currency();
  in.starting_price = req.starting_price();
  in.reserve_price = req.reserve_price();
  in.buy_now_price = req.buy_now_price();
  in.min_increment = req.min_increment();
  if (req.reserve_price() < 0) return invalid_argument("reserve_price must not be negative");
  if (req.buy_now_price() < 0) return invalid_argument("buy_now_price must not be negative");
  if (req.min_increment() < 0) return invalid_argument("min_increment must not be negative");
  if (req.has_start_time()) {
    auto t = from_proto("start_time", req.start_time());
    if (!t) return t.error();
    in.start_time = *t;
  }
  if (req.has_end_time()) {
    auto t = from_proto("end_time", req.end_time());
    if (!t) return t.error();
    in.end_time = *t;
  }
  if (req.has_duration()) {
    auto d = from_proto("duration", req.duration());
    if (!d) return d.error();
    in.duration = *d;
  }
  auto window = from_proto("soft_close_window", req.soft_close_window());
  if (!window) return window.error();
  auto extension = from_proto("soft_close_extension", req.soft_close_extension());
  if (!extension) return extension.error();
  auto max_extension = from_proto("soft_close_max_extension", req.soft_close_max_extension());
  if (!max_extension) return max_extension.error();
  in.soft_close_window = *window;
  in.soft_close_extension = *extension;
  in.soft_close_max_extension = *max_extension;
  return in;
}

v1::AuctionStatus to_proto(Status s) {
  switch (s) {
    case Status::kScheduled:
      return v1::AUCTION_STATUS_SCHEDULED;
    case Status::kActive:
      return v1::AUCTION_STATUS_ACTIVE;
    case Status::kEnded:
      return v1::AUCTION_STATUS_ENDED;
    case Status::kCancelled:
      return v1::AUCTION_STATUS_CANCELLED;
  }
  return v1::AUCTION_STATUS_UNSPECIFIED;
}

std::optional<Status> status_from_proto(v1::AuctionStatus s) {
  switch (s) {
    case v1::AUCTION_STATUS_SCHEDULED:
      return Status::kScheduled;
    case v1::AUCTION_STATUS_ACTIVE:
      return Status::kActive;
    case v1::AUCTION_STATUS_ENDED:
      return Status::kEnded;
    case v1::AUCTION_STATUS_CANCELLED:
      return Status::kCancelled;
    default:
      return std::nullopt;
  }
}

v1::RejectReason to_proto(RejectReason r) {
  switch (r) {
    case RejectReason::kNone:
      return v1::REJECT_REASON_UNSPECIFIED;
    case RejectReason::kBidTooLow:
      return v1::BID_TOO_LOW;
    case RejectReason::kAuctionNotStarted:
      return v1::AUCTION_NOT_STARTED;
    case RejectReason::kAuctionEnded:
      return v1::AUCTION_ENDED;
    case RejectReason::kAuctionCancelled:
      return v1::AUCTION_CANCELLED;
    case RejectReason::kSelfBid:
      return v1::SELF_BID;
    case RejectReason::kBidderSuspended:
      return v1::BIDDER_SUSPENDED;
  }
  return v1::REJECT_REASON_UNSPECIFIED;
}

void to_proto(const persistence::AuctionRecord& record, const actors::Caller* viewer, TimePoint now,
              v1::Auction* out) {
  const AuctionState& s = record.state;
  const AuctionTerms& t = s.terms;
  out->set_id(id_string(t.id));
  out->set_seller_id(id_string(t.seller_id));
  out->set_seller_name(record.seller_name);
  out->set_title(record.listing.title);
  out->set_description(record.listing.description);
  for (const auto& url : record.listing.media_urls) out->add_media_urls(url);
  out->set_category(record.listing.category);
  out->set_currency(t.currency);
  out->set_starting_price(t.starting_price);
  out->set_has_reserve(t.reserve_price > 0);
  out->set_reserve_met(t.reserve_price > 0 && reserve_met(s));
  if (viewer != nullptr && (viewer->is_admin || viewer->id == t.seller_id)) {
    out->set_reserve_price(t.reserve_price);
  }
  out->set_buy_now_price(t.buy_now_price);
  out->set_min_increment(t.increment.fixed);
  to_proto(t.start_time, out->mutable_start_time());
  to_proto(s.end_time, out->mutable_end_time());
  to_proto(t.original_end_time, out->mutable_original_end_time());
  to_proto(t.soft_close_window, out->mutable_soft_close_window());
  to_proto(t.soft_close_extension, out->mutable_soft_close_extension());
  to_proto(t.soft_close_max_extension, out->mutable_soft_close_max_extension());
  const Status status = shown_status(s, now);
  out->set_status(to_proto(status));
  out->set_outcome(to_proto(s.outcome));
  out->set_current_price(s.current_price);
  if (s.leader) {
    out->set_leading_bidder_id(id_string(*s.leader));
    out->set_leading_bidder_name(record.leader_name);
  }
  out->set_bid_count(s.bid_count);
  out->set_minimum_next_bid(minimum_next_bid(s));
  if (s.winner) out->set_winner_id(id_string(*s.winner));
  out->set_final_price(s.final_price);
  to_proto(record.created_at, out->mutable_created_at());
  if (s.ended_at) to_proto(*s.ended_at, out->mutable_ended_at());
  out->set_version(s.version);
}

void to_proto(const actors::AuctionView& view, const actors::Caller* viewer, TimePoint now,
              v1::Auction* out) {
  to_proto(view.record, viewer, now, out);
}

void to_proto(const actors::BidReply& r, v1::PlaceBidResponse* out) {
  out->set_bid_id(id_string(r.bid_id));
  out->set_accepted(r.accepted);
  out->set_reject_reason(to_proto(r.reason));
  out->set_leading(r.leading);
  out->set_current_price(r.current_price);
  if (r.leader) out->set_leading_bidder_id(id_string(*r.leader));
  out->set_leading_bidder_name(r.leader_name);
  out->set_minimum_next_bid(r.minimum_next_bid);
  to_proto(r.ends_at, out->mutable_ends_at());
  out->set_version(r.version);
  out->set_currency(r.currency);
}

void to_proto(const persistence::BidRow& b, const actors::Caller* viewer, v1::Bid* out) {
  out->set_bid_id(id_string(b.id));
  out->set_auction_id(id_string(b.auction_id));
  out->set_bidder_id(id_string(b.bidder_id));
  out->set_bidder_name(b.bidder_name);
  out->set_amount(b.price_after);
  to_proto(b.placed_at, out->mutable_placed_at());
  out->set_version(b.version_after);
  out->set_accepted(b.accepted);
  out->set_reject_reason(to_proto(b.reject_reason));
  if (viewer != nullptr && (viewer->is_admin || viewer->id == b.bidder_id)) {
    out->set_max_amount(b.max_amount);
  }
  out->set_buy_now(b.buy_now);
  out->set_currency(b.currency);
}

void to_proto(const persistence::UserRecord& u, v1::User* out) {
  out->set_id(id_string(u.id));
  out->set_username(u.username);
  out->set_display_name(u.display_name);
  out->set_role(u.role == persistence::Role::kAdmin ? v1::ROLE_ADMIN : v1::ROLE_USER);
  out->set_suspended(u.suspended);
  to_proto(u.created_at, out->mutable_created_at());
}

namespace {

v1::AuctionUpdate::Type update_type(const actors::WatchUpdate& u) {
  switch (u.kind) {
    case actors::WatchUpdate::Kind::kSnapshot:
      return v1::AuctionUpdate::SNAPSHOT;
    case actors::WatchUpdate::Kind::kHeartbeat:
      return v1::AuctionUpdate::HEARTBEAT;
    case actors::WatchUpdate::Kind::kEvent:
      break;
  }
  switch (u.event) {
    case EventType::kTimeExtended:
      return v1::AuctionUpdate::TIME_EXTENDED;
    case EventType::kEnded:
      return v1::AuctionUpdate::AUCTION_ENDED;
    case EventType::kCancelled:
      return v1::AuctionUpdate::AUCTION_CANCELLED;
    case EventType::kCreated:
    case EventType::kBidPlaced:
      break;
  }
  return v1::AuctionUpdate::BID_PLACED;
}

v1::Notification::Type notification_type(NoticeType t) {
  switch (t) {
    case NoticeType::kOutbid:
      return v1::Notification::OUTBID;
    case NoticeType::kWon:
      return v1::Notification::WON;
    case NoticeType::kLost:
      return v1::Notification::LOST;
    case NoticeType::kSold:
      return v1::Notification::SOLD;
    case NoticeType::kUnsold:
      return v1::Notification::UNSOLD;
    case NoticeType::kCancelled:
      return v1::Notification::CANCELLED;
    case NoticeType::kEndingSoon:
      return v1::Notification::ENDING_SOON;
  }
  return v1::Notification::TYPE_UNSPECIFIED;
}

}  // namespace

void to_proto(const std::vector<TopBidderEntry>& top,
              google::protobuf::RepeatedPtrField<v1::TopBidder>* out) {
  for (const auto& e : top) {
    auto* t = out->Add();
    t->set_bidder_id(id_string(e.bidder));
    t->set_display_name(e.display_name);
    t->set_amount(e.amount);
    t->set_leading(e.leading);
  }
}

void to_proto(const actors::WatchUpdate& u, v1::AuctionUpdate* out) {
  out->Clear();
  out->set_type(update_type(u));
  out->set_version(u.version);
  out->set_auction_id(id_string(u.auction_id));
  to_proto(u.server_time, out->mutable_server_time());
  to_proto(u.ends_at, out->mutable_ends_at());
  out->set_currency(u.currency);
  const bool running = !u.final && u.ends_at > u.server_time;
  if (u.kind == actors::WatchUpdate::Kind::kHeartbeat) {
    to_proto(running ? u.ends_at - u.server_time : Duration{0}, out->mutable_time_remaining());
    return;
  }
  out->set_current_price(u.current_price);
  if (u.leader) out->set_leading_bidder_id(id_string(*u.leader));
  out->set_leading_bidder_name(u.leader_name);
  out->set_bid_count(u.bid_count);
  out->set_minimum_next_bid(u.minimum_next_bid);
  out->set_outcome(to_proto(u.outcome));
  if (u.winner) out->set_winner_id(id_string(*u.winner));
  out->set_winner_name(u.winner_name);
  out->set_final_price(u.final_price);
  if (u.kind == actors::WatchUpdate::Kind::kEvent && u.event == EventType::kTimeExtended) {
    out->set_extension_reason("a bid came within the soft-close window");
  }
  if (u.kind == actors::WatchUpdate::Kind::kSnapshot && u.snapshot) {
    to_proto(*u.snapshot, nullptr, u.server_time, out->mutable_auction());
    to_proto(u.snapshot->top_bidders, out->mutable_top_bidders());
    to_proto(running ? u.ends_at - u.server_time : Duration{0}, out->mutable_time_remaining());
  }
}

void to_proto(const persistence::NotificationRecord& n, v1::Notification* out) {
  out->Clear();
  out->set_seq(n.seq);
  out->set_type(notification_type(n.type));
  out->set_auction_id(id_string(n.auction_id));
  out->set_auction_title(n.auction_title);
  out->set_amount(n.amount);
  out->set_currency(n.currency);
  out->set_auction_version(n.auction_version);
  to_proto(n.created_at, out->mutable_created_at());
  out->set_read(n.read);
  to_proto(n.ends_at, out->mutable_ends_at());
}

}  // namespace auction::server
