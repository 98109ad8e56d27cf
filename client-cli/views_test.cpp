#include "views.hpp"

#include <sstream>

#include <gtest/gtest.h>

#include "format.hpp"

namespace auction::cli {
namespace {

v1::Notification notification(std::int64_t seq, v1::Notification::Type type, std::int64_t amount) {
  v1::Notification n;
  n.set_seq(seq);
  n.set_type(type);
  n.set_auction_id("5");
  n.set_auction_title("Desk lamp");
  n.set_amount(amount);
  n.set_currency("USD");
  n.mutable_created_at()->set_seconds(1'893'553'445);  // 2030-01-02T03:04:05Z
  return n;
}

TEST(NotificationViews, Table) {
  google::protobuf::RepeatedPtrField<v1::Notification> list;
  *list.Add() = notification(12, v1::Notification::OUTBID, 1250);
  auto& cancelled = *list.Add() = notification(3, v1::Notification::CANCELLED, 0);
  cancelled.set_read(true);
  std::ostringstream out;
  print_notification_table(out, list);
  EXPECT_EQ(out.str(),
            "SEQ  WHEN                  TYPE       AUCTION              AMOUNT  READ\n"
            " 12  2030-01-02T03:04:05Z  OUTBID     Desk lamp (id 5)  12.50 USD  no\n"
            "  3  2030-01-02T03:04:05Z  CANCELLED  Desk lamp (id 5)          -  yes\n");

  std::ostringstream empty;
  print_notification_table(empty, {});
  EXPECT_EQ(empty.str(), "no notifications\n");
}

TEST(NotificationViews, OneLineEach) {
  EXPECT_EQ(notification_line(notification(12, v1::Notification::OUTBID, 1250)),
            "#12 2030-01-02T03:04:05Z OUTBID: you were outbid on \"Desk lamp\" (auction 5): the "
            "price is now 12.50 USD");
  EXPECT_EQ(notification_line(notification(13, v1::Notification::WON, 1300)),
            "#13 2030-01-02T03:04:05Z WON: you won \"Desk lamp\" (auction 5) for 13.00 USD");
  EXPECT_EQ(notification_line(notification(2, v1::Notification::UNSOLD, 0)),
            "#2 2030-01-02T03:04:05Z UNSOLD: your auction \"Desk lamp\" (auction 5) ended unsold");
  auto soon = notification(4, v1::Notification::ENDING_SOON, 1000);
  soon.mutable_ends_at()->set_seconds(1'893'553'445 + 300);
  EXPECT_EQ(notification_line(soon),
            "#4 2030-01-02T03:04:05Z ENDING_SOON: \"Desk lamp\" (auction 5) ends soon "
            "(2030-01-02T03:09:05Z): the price is 10.00 USD");
  auto evil = notification(5, v1::Notification::CANCELLED, 0);
  evil.set_auction_title("a\nb\x1b");
  EXPECT_EQ(notification_line(evil).find_first_of("\n\x1b"), std::string::npos);
}

/// The value after "label" in a field list ("" when there is no such line).
std::string field_value(const std::string& text, const std::string& label) {
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind(label + "  ", 0) == 0) {
      return line.substr(line.find_first_not_of(' ', label.size()));
    }
  }
  return "";
}

v1::PlaceBidResponse bid_reply() {
  v1::PlaceBidResponse r;
  r.set_currency("USD");
  r.set_current_price(1000);
  r.set_minimum_next_bid(1050);
  r.set_version(3);
  return r;
}

TEST(BidReplyView, NamesTheLeaderAsOtherViewsDo) {
  auto r = bid_reply();
  r.set_accepted(true);
  r.set_leading(true);
  r.set_leading_bidder_id("3");
  r.set_leading_bidder_name("Alice A");
  std::ostringstream out;
  print_bid_reply(out, r, Clock::now());
  EXPECT_EQ(field_value(out.str(), "leader"), "Alice A (id 3)") << out.str();

  // An older server sends no name: the id alone.
  r.clear_leading_bidder_name();
  std::ostringstream old;
  print_bid_reply(old, r, Clock::now());
  EXPECT_EQ(field_value(old.str(), "leader"), "id 3") << old.str();
}

TEST(BidReplyView, RejectionsAreExplainedInWords) {
  auto r = bid_reply();
  r.set_reject_reason(v1::SELF_BID);
  std::ostringstream out;
  print_bid_reply(out, r, Clock::now());
  EXPECT_EQ(field_value(out.str(), "rejected"), "SELF_BID: sellers cannot bid on their own auction")
      << out.str();
  r.set_reject_reason(v1::BID_TOO_LOW);
  std::ostringstream low;
  print_bid_reply(low, r, Clock::now());
  EXPECT_EQ(field_value(low.str(), "rejected"), "BID_TOO_LOW: the minimum next bid is 10.50 USD")
      << low.str();
}

TEST(BidReplyView, AnAuctionThatIsOverShowsWhenItEndedAndNoNextBid) {
  auto r = bid_reply();
  r.set_reject_reason(v1::AUCTION_ENDED);
  r.set_minimum_next_bid(0);  // the server sends none once it is over
  const auto now = Clock::now();
  const auto ended =
      std::chrono::time_point_cast<std::chrono::seconds>(now - std::chrono::minutes(3));
  r.mutable_ends_at()->set_seconds(ended.time_since_epoch().count());
  std::ostringstream out;
  print_bid_reply(out, r, now);
  EXPECT_EQ(field_value(out.str(), "ends at"), "") << out.str();
  EXPECT_EQ(field_value(out.str(), "ended at"), timestamp(r.ends_at()) + " (3m ago)") << out.str();
  EXPECT_EQ(field_value(out.str(), "min next bid"), "") << out.str();
}

}  // namespace
}  // namespace auction::cli
