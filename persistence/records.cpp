#include "records.hpp"

namespace auction::persistence {

std::string to_string(RejectReason r) {
  switch (r) {
    case RejectReason::kNone:
      return "NONE";
    case RejectReason::kBidTooLow:
      return "BID_TOO_LOW";
    case RejectReason::kAuctionNotStarted:
      return "AUCTION_NOT_STARTED";
    case RejectReason::kAuctionEnded:
      return "AUCTION_ENDED";
    case RejectReason::kAuctionCancelled:
      return "AUCTION_CANCELLED";
    case RejectReason::kSelfBid:
      return "SELF_BID";
    case RejectReason::kBidderSuspended:
      return "BIDDER_SUSPENDED";
  }
  return "NONE";
}

RejectReason reject_reason_from(std::string_view s) {
  for (auto r :
       {RejectReason::kBidTooLow, RejectReason::kAuctionNotStarted, RejectReason::kAuctionEnded,
        RejectReason::kAuctionCancelled, RejectReason::kSelfBid, RejectReason::kBidderSuspended}) {
    if (to_string(r) == s) return r;
  }
  return RejectReason::kNone;
}

std::string to_string(EventType t) {
  switch (t) {
    case EventType::kCreated:
      return "CREATED";
    case EventType::kBidPlaced:
      return "BID_PLACED";
    case EventType::kTimeExtended:
      return "TIME_EXTENDED";
    case EventType::kEnded:
      return "ENDED";
    case EventType::kCancelled:
      return "CANCELLED";
  }
  return "CREATED";
}

std::string to_string(Outcome o) {
  switch (o) {
    case Outcome::kNone:
      return "NONE";
    case Outcome::kSold:
      return "SOLD";
    case Outcome::kUnsold:
      return "UNSOLD";
  }
  return "NONE";
}

Outcome outcome_from(std::string_view s) {
  if (s == "SOLD") return Outcome::kSold;
  if (s == "UNSOLD") return Outcome::kUnsold;
  return Outcome::kNone;
}

std::string to_string(Phase p) {
  switch (p) {
    case Phase::kOpen:
      return "OPEN";
    case Phase::kEnded:
      return "ENDED";
    case Phase::kCancelled:
      return "CANCELLED";
  }
  return "OPEN";
}

Phase phase_from(std::string_view s) {
  if (s == "ENDED") return Phase::kEnded;
  if (s == "CANCELLED") return Phase::kCancelled;
  return Phase::kOpen;
}

EventType event_type_from(std::string_view s) {
  for (auto t : {EventType::kCreated, EventType::kBidPlaced, EventType::kTimeExtended,
                 EventType::kEnded, EventType::kCancelled}) {
    if (to_string(t) == s) return t;
  }
  return EventType::kCreated;
}

std::string to_string(NoticeType t) {
  switch (t) {
    case NoticeType::kOutbid:
      return "OUTBID";
    case NoticeType::kWon:
      return "WON";
    case NoticeType::kLost:
      return "LOST";
    case NoticeType::kSold:
      return "SOLD";
    case NoticeType::kUnsold:
      return "UNSOLD";
    case NoticeType::kCancelled:
      return "CANCELLED";
    case NoticeType::kEndingSoon:
      return "ENDING_SOON";
  }
  return "OUTBID";
}

NoticeType notice_type_from(std::string_view s) {
  for (auto t : {NoticeType::kOutbid, NoticeType::kWon, NoticeType::kLost, NoticeType::kSold,
                 NoticeType::kUnsold, NoticeType::kCancelled, NoticeType::kEndingSoon}) {
    if (to_string(t) == s) return t;
  }
  return NoticeType::kOutbid;
}

}  // namespace auction::persistence
