#include "auction.hpp"

#include <algorithm>

namespace auction {
namespace {

AuctionEvent make_event(const AuctionState& s, EventType type, TimePoint at) {
  AuctionEvent e;
  e.type = type;
  e.version = s.version;
  e.at = at;
  e.price = s.current_price;
  e.leader = s.leader;
  e.bid_count = s.bid_count;
  e.ends_at = bidding_end(s);
  e.outcome = s.outcome;
  e.winner = s.winner;
  return e;
}

/// The visible price from the maxima: second-highest maximum plus one
/// increment (for that maximum), capped at the highest; with one bidder the
/// starting price; never below the reserve once the leader's maximum meets it.
Money price_from_maxima(const AuctionState& s) {
  Money price = s.terms.starting_price;
  if (s.second_max > 0) {
    price = std::min(s.leader_max, s.second_max + s.terms.increment.at(s.second_max));
  }
  if (s.terms.reserve_price > 0 && s.leader_max >= s.terms.reserve_price) {
    price = std::max(price, s.terms.reserve_price);
  }
  return std::max(price, s.terms.starting_price);
}

void finish(AuctionState& s, Phase phase, Outcome outcome, TimePoint ended_at) {
  s.phase = phase;
  s.outcome = outcome;
  s.ended_at = ended_at;
  if (outcome == Outcome::kSold) {
    s.winner = s.leader;
    s.final_price = s.current_price;
  }
  ++s.version;
}

}  // namespace

AuctionState open_auction(const AuctionTerms& terms) {
  AuctionState s;
  s.terms = terms;
  s.end_time = terms.original_end_time;
  s.current_price = terms.starting_price;
  s.version = 1;
  return s;
}

AuctionEvent created_event(const AuctionState& state, TimePoint at) {
  return make_event(state, EventType::kCreated, at);
}

Status status_at(const AuctionState& s, TimePoint now) {
  switch (s.phase) {
    case Phase::kEnded:
      return Status::kEnded;
    case Phase::kCancelled:
      return Status::kCancelled;
    case Phase::kOpen:
      break;
  }
  if (now < s.terms.start_time) return Status::kScheduled;
  // Past the end but not yet closed by the actor: it is over for everyone.
  if (now >= s.end_time) return Status::kEnded;
  return Status::kActive;
}

Status shown_status(const AuctionState& s, TimePoint now) {
  const Status status = status_at(s, now);
  if (status == Status::kEnded && s.phase == Phase::kOpen) return Status::kActive;
  return status;
}

bool reserve_met(const AuctionState& s) {
  return s.terms.reserve_price == 0 || (s.leader && s.leader_max >= s.terms.reserve_price);
}

Money minimum_next_bid(const AuctionState& s) {
  if (s.phase != Phase::kOpen) return 0;
  if (!s.leader) return s.terms.starting_price;
  return s.current_price + s.terms.increment.at(s.current_price);
}

TimePoint bidding_end(const AuctionState& s) {
  return s.phase != Phase::kOpen && s.ended_at ? *s.ended_at : s.end_time;
}

std::vector<AuctionEvent> close_if_due(AuctionState& s, TimePoint now) {
  if (s.phase != Phase::kOpen || now < s.end_time) return {};
  const bool sold = s.leader.has_value() && reserve_met(s);
  finish(s, Phase::kEnded, sold ? Outcome::kSold : Outcome::kUnsold, s.end_time);
  return {make_event(s, EventType::kEnded, s.end_time)};
}

BidDecision place_bid(AuctionState& s, const BidAttempt& bid) {
  BidDecision d;
  d.events = close_if_due(s, bid.now);
  auto reject = [&](RejectReason r) {
    d.reason = r;
    d.leading = s.leader == bid.bidder;
    return d;
  };
  if (s.phase == Phase::kCancelled) return reject(RejectReason::kAuctionCancelled);
  if (s.phase == Phase::kEnded) return reject(RejectReason::kAuctionEnded);
  if (bid.now < s.terms.start_time) return reject(RejectReason::kAuctionNotStarted);
  if (bid.bidder == s.terms.seller_id) return reject(RejectReason::kSelfBid);
  if (bid.bidder_suspended) return reject(RejectReason::kBidderSuspended);
  if (bid.max_amount < minimum_next_bid(s)) return reject(RejectReason::kBidTooLow);

  if (s.leader == bid.bidder) {
    // A leader may only raise their own maximum; it moves the price only to
    // meet the reserve.
    if (bid.max_amount <= s.leader_max) return reject(RejectReason::kBidTooLow);
    s.leader_max = bid.max_amount;
  } else if (!s.leader || bid.max_amount > s.leader_max) {
    // New leader; the old leader's maximum is now the best of the others.
    if (s.leader) s.second_max = s.leader_max;
    s.leader = bid.bidder;
    s.leader_max = bid.max_amount;
  } else {
    // Outbid at once by the leader's proxy (equal maxima: the earlier leads).
    s.second_max = std::max(s.second_max, bid.max_amount);
  }
  s.current_price = price_from_maxima(s);
  ++s.bid_count;
  ++s.version;
  d.accepted = true;
  d.leading = s.leader == bid.bidder;
  d.events.push_back(make_event(s, EventType::kBidPlaced, bid.now));

  const auto window = s.terms.soft_close_window;
  if (window.count() > 0 && s.end_time - bid.now <= window) {
    TimePoint extended = bid.now + s.terms.soft_close_extension;
    // The cap bounds a bidding war: the end moves up to it, then stays.
    if (const auto cap = s.terms.soft_close_max_extension; cap.count() > 0) {
      extended = std::min(extended, s.terms.original_end_time + cap);
    }
    if (extended > s.end_time) {
      s.end_time = extended;
      ++s.version;
      d.events.push_back(make_event(s, EventType::kTimeExtended, bid.now));
    }
  }
  return d;
}

Result<std::vector<AuctionEvent>> buy_now(AuctionState& s, UserId buyer, bool buyer_suspended,
                                          TimePoint now) {
  if (buyer == s.terms.seller_id) return permission_denied("sellers cannot buy their own item");
  if (buyer_suspended) return permission_denied("your account is suspended");
  if (s.terms.buy_now_price == 0) return failed_precondition("this auction has no buy-now price");
  switch (status_at(s, now)) {
    case Status::kScheduled:
      return failed_precondition("the auction has not started");
    case Status::kEnded:
      return failed_precondition("the auction has ended");
    case Status::kCancelled:
      return failed_precondition("the auction was cancelled");
    case Status::kActive:
      break;
  }
  if (s.current_price >= s.terms.buy_now_price) {
    return failed_precondition("bidding has reached the buy-now price; buy-now is closed");
  }
  s.leader = buyer;
  s.leader_max = s.terms.buy_now_price;
  s.current_price = s.terms.buy_now_price;
  // The purchase is stored as an accepted bid, so it counts as one.
  ++s.bid_count;
  finish(s, Phase::kEnded, Outcome::kSold, now);
  return std::vector<AuctionEvent>{make_event(s, EventType::kEnded, now)};
}

Result<std::vector<AuctionEvent>> cancel(AuctionState& s, UserId caller, bool caller_is_admin,
                                         TimePoint now) {
  if (!caller_is_admin && caller != s.terms.seller_id) {
    return permission_denied("only the seller or an admin can cancel this auction");
  }
  const Status status = status_at(s, now);
  if (status == Status::kEnded) return failed_precondition("the auction has already ended");
  if (status == Status::kCancelled) return failed_precondition("the auction is already cancelled");
  if (!caller_is_admin && s.bid_count > 0) {
    return failed_precondition("the auction has bids; only an admin can cancel it now");
  }
  finish(s, Phase::kCancelled, Outcome::kNone, now);
  return std::vector<AuctionEvent>{make_event(s, EventType::kCancelled, now)};
}

AuctionState replay(const AuctionTerms& terms, std::span<const AcceptedBid> bids) {
  AuctionState s = open_auction(terms);
  for (const auto& b : bids) {
    place_bid(s, BidAttempt{b.bidder, b.max_amount, false, b.at});
  }
  return s;
}

}  // namespace auction
