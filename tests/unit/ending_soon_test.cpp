// When ENDING_SOON is due (domain/ending_soon.hpp): the configured lead for
// long auctions, a quarter of the scheduled length for short ones.
#include "domain/ending_soon.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace auction {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

constexpr TimePoint kStart{seconds{1'700'000'000}};
constexpr Duration kDefaultLead = minutes{5};  // auctiond's --ending-soon-lead-ms default

AuctionState auction_of_length(Duration length) {
  AuctionTerms t;
  t.id = 1;
  t.seller_id = 2;
  t.starting_price = 1'000;
  t.start_time = kStart;
  t.original_end_time = kStart + length;
  return open_auction(t);
}

TEST(EndingSoon, AnAuctionMuchLongerThanTheLeadGetsTheConfiguredLead) {
  const AuctionState s = auction_of_length(hours{1});
  EXPECT_EQ(ending_soon_lead(s.terms, kDefaultLead), kDefaultLead);
  EXPECT_EQ(ending_soon_at(s, kDefaultLead), kStart + minutes{55});
}

TEST(EndingSoon, TheReadmesTwoMinuteAuctionWarnsThirtySecondsBeforeItsEnd) {
  const AuctionState s = auction_of_length(minutes{2});
  EXPECT_EQ(ending_soon_lead(s.terms, kDefaultLead), seconds{30});
  EXPECT_EQ(ending_soon_at(s, kDefaultLead), kStart + seconds{90});
}

TEST(EndingSoon, TheLeadIsTheSmallerOfTheConfiguredLeadAndAQuarterOfTheLength) {
  EXPECT_EQ(ending_soon_lead(auction_of_length(minutes{20}).terms, kDefaultLead), minutes{5})
      << "exactly four leads long: both rules agree";
  EXPECT_EQ(ending_soon_lead(auction_of_length(minutes{19}).terms, kDefaultLead), seconds{285});
  EXPECT_EQ(ending_soon_lead(auction_of_length(minutes{21}).terms, kDefaultLead), minutes{5});
  EXPECT_EQ(ending_soon_lead(auction_of_length(seconds{40}).terms, kDefaultLead), seconds{10});
  EXPECT_EQ(ending_soon_lead(auction_of_length(hours{1}).terms, Duration{0}), Duration{0})
      << "a zero lead means at the end";
}

TEST(EndingSoon, ASoftCloseExtensionMovesTheTimeButNotTheLead) {
  AuctionState s = auction_of_length(minutes{2});
  s.end_time = s.terms.original_end_time + seconds{45};  // extended by late bids
  EXPECT_EQ(ending_soon_lead(s.terms, kDefaultLead), seconds{30});
  EXPECT_EQ(ending_soon_at(s, kDefaultLead), s.end_time - seconds{30});
}

TEST(EndingSoon, NeverBeforeTheStart) {
  const AuctionState s = auction_of_length(minutes{2});
  EXPECT_GE(ending_soon_at(s, hours{2}), kStart);
  EXPECT_LT(ending_soon_at(s, hours{2}), s.end_time);
}

}  // namespace
}  // namespace auction
