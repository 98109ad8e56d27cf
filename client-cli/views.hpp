#pragma once
/// Human-readable renderings of replies (the default, non --json output).
#include <chrono>
#include <ostream>

#include <google/protobuf/repeated_ptr_field.h>

#include "auction/v1/auction.pb.h"

namespace auction::cli {

using Clock = std::chrono::system_clock;

/// The full block for one auction. `remaining` is the server's
/// time_remaining when known (GetAuction), else computed from `now`.
void print_auction(std::ostream& out, const v1::Auction& a, Clock::time_point now,
                   const google::protobuf::Duration* remaining = nullptr);

void print_top_bidders(std::ostream& out,
                       const google::protobuf::RepeatedPtrField<v1::TopBidder>& bidders,
                       const std::string& currency);

/// ID, TITLE, STATUS, PRICE, BIDS, ENDS.
void print_auction_table(std::ostream& out,
                         const google::protobuf::RepeatedPtrField<v1::Auction>& auctions,
                         Clock::time_point now);

/// A bid history (ListBids): TIME, BIDDER, AMOUNT, VERSION.
void print_bid_history(std::ostream& out, const google::protobuf::RepeatedPtrField<v1::Bid>& bids);

/// The caller's attempts (ListMyBids): TIME, AUCTION, AMOUNT, MAX, RESULT, VERSION.
void print_my_bids(std::ostream& out, const google::protobuf::RepeatedPtrField<v1::Bid>& bids);

void print_user(std::ostream& out, const v1::User& u);

/// The reply to PlaceBid, accepted or not.
void print_bid_reply(std::ostream& out, const v1::PlaceBidResponse& r, Clock::time_point now);
/// Why a bid was rejected, in words ("" when accepted).
std::string reject_reason_text(const v1::PlaceBidResponse& r);

/// SEQ, WHEN, TYPE, AUCTION, AMOUNT, READ ("no notifications" when empty).
void print_notification_table(
    std::ostream& out, const google::protobuf::RepeatedPtrField<v1::Notification>& notifications);

/// "OUTBID", "ENDING_SOON", ... ("-" for UNSPECIFIED).
std::string notification_type_name(v1::Notification::Type t);

/// One notification as one line (notifications --follow):
/// "#12 2030-01-02T03:04:05Z OUTBID: you were outbid on \"Desk lamp\" (auction 5): ...".
std::string notification_line(const v1::Notification& n);

/// "next page: --page-token T" when there is one.
void print_next_page(std::ostream& out, const std::string& token);

/// "alice (id 7)", or just one of them when the other is empty.
std::string name_with_id(const std::string& name, const std::string& id);

}  // namespace auction::cli
