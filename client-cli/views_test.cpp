#include "views.hpp"

#include <sstream>

#include <gtest/gtest.h>

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

}  // namespace
}  // namespace auction::cli
