// 32 bidders at once on one auction (SPEC sections 3 and 6): the auction
// decides bids one at a time, acknowledges only what is committed, and its
// stored history replays (through the domain library) to exactly the state
// the server shows.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <iostream>
#include <map>
#include <mutex>
#include <random>
#include <set>
#include <string>
#include <thread>
#include <vector>

#include "domain/auction.hpp"
#include "persistence/row_mapping.hpp"
#include "tests/support/environment.hpp"
#include "tests/support/history.hpp"

namespace auction::test {
namespace {

using namespace std::chrono_literals;

constexpr int kBidders = 32;
constexpr int kBidsPerBidder = 30;
constexpr auto kTimeBudget = 60s;
constexpr std::uint32_t kSeed = 20240611;

struct Ack {
  int bidder = 0;  ///< index into the accounts
  std::int64_t max_amount = 0;
  v1::PlaceBidResponse reply;
};

TEST(ConcurrentBidding, ThirtyTwoBiddersOnOneAuctionMatchTheReplayedHistory) {
  Client& c = shared_client();
  Db& db = shared_db();

  // Registration hashes passwords (argon2id): do it in parallel.
  const auto t0 = std::chrono::steady_clock::now();
  std::vector<Account> bidders(kBidders);
  {
    std::vector<std::thread> threads;
    threads.reserve(4);
    std::atomic<int> next{0};
    for (int t = 0; t < 4; ++t) {
      threads.emplace_back([&] {
        for (int i = next++; i < kBidders; i = next++) {
          bidders[static_cast<std::size_t>(i)] = c.register_user("bidder");
        }
      });
    }
    for (auto& t : threads) t.join();
  }
  const Account seller = c.register_user("seller");

  auto created = c.create_auction(seller.token, auction_request("Hot item", 1000, 600s));
  ASSERT_TRUE(created.ok()) << describe(created.status);
  const v1::Auction terms_view = created.value;
  const std::string& id = terms_view.id();

  // Each bidder raises their own maximum every time by a random step, and at
  // least to a random amount above the last minimum_next_bid they were told,
  // so that everyone stays in the race: many accepted bids, many outbid at
  // once, some too low (overtaken by a concurrent bid).
  std::mutex mu;
  std::vector<Ack> acks;
  std::vector<std::string> errors;
  const auto t1 = std::chrono::steady_clock::now();
  const auto deadline = t1 + kTimeBudget;
  {
    std::vector<std::thread> threads;
    threads.reserve(kBidders);
    for (int b = 0; b < kBidders; ++b) {
      threads.emplace_back([&, b] {
        std::mt19937 rng(kSeed + static_cast<std::uint32_t>(b));
        std::uniform_int_distribution<std::int64_t> first(1000, 3000);
        std::uniform_int_distribution<std::int64_t> step(50, 2500);
        std::uniform_int_distribution<std::int64_t> headroom(0, 40000);
        std::int64_t max_amount = first(rng);
        const std::string& token = bidders[static_cast<std::size_t>(b)].token;
        for (int i = 0; i < kBidsPerBidder && std::chrono::steady_clock::now() < deadline; ++i) {
          auto r = c.place_bid(token, id, max_amount);
          std::lock_guard lock(mu);
          if (r.ok()) {
            acks.push_back(Ack{b, max_amount, r.value});
          } else {
            errors.push_back(describe(r.status));
          }
          const std::int64_t told = r.ok() ? r->minimum_next_bid() : 0;
          max_amount = std::max(max_amount + step(rng), told + headroom(rng));
        }
      });
    }
    for (auto& t : threads) t.join();
  }
  const auto t2 = std::chrono::steady_clock::now();
  auto ms = [](auto d) { return std::chrono::duration_cast<std::chrono::milliseconds>(d).count(); };
  std::cout << "[          ] registered " << kBidders + 1 << " users in " << ms(t1 - t0) << " ms; "
            << acks.size() << " bids in " << ms(t2 - t1) << " ms\n";
  ASSERT_TRUE(errors.empty()) << errors.size() << " bids failed; first: " << errors.front();
  ASSERT_EQ(acks.size(), static_cast<std::size_t>(kBidders * kBidsPerBidder))
      << "the bids did not all finish within " << kTimeBudget.count() << " s";

  // 1. Every acknowledged bid is stored exactly as acknowledged.
  const auto stored = db.bids(to_id(id));
  std::map<std::int64_t, StoredBid> by_id;
  for (const auto& s : stored) by_id[s.id] = s;
  EXPECT_EQ(stored.size(), acks.size()) << "every attempt is stored once, none more";
  std::set<std::int64_t> ack_versions;
  std::size_t accepted_acks = 0;
  for (const Ack& a : acks) {
    const auto& r = a.reply;
    const auto bidder_id = to_id(bidders[static_cast<std::size_t>(a.bidder)].id);
    auto it = by_id.find(to_id(r.bid_id()));
    if (it == by_id.end()) {
      ADD_FAILURE() << "acknowledged bid " << r.bid_id() << " is not in the database";
      continue;
    }
    const StoredBid& s = it->second;
    SCOPED_TRACE("bid " + r.bid_id());
    EXPECT_EQ(s.bidder_id, bidder_id);
    EXPECT_EQ(s.max_amount, a.max_amount);
    EXPECT_EQ(s.accepted, r.accepted());
    EXPECT_EQ(s.price_after, r.current_price());
    EXPECT_EQ(s.version_after, r.version());
    if (r.accepted()) {
      ++accepted_acks;
      EXPECT_TRUE(ack_versions.insert(r.version()).second)
          << "two accepted bids acknowledged the same version " << r.version();
      EXPECT_EQ(r.leading(),
                r.leading_bidder_id() == bidders[static_cast<std::size_t>(a.bidder)].id);
    } else {
      // Maxima only grow per bidder, so the only possible reason is too low,
      // and the reply says what would have been enough.
      EXPECT_EQ(r.reject_reason(), v1::BID_TOO_LOW);
      EXPECT_LT(a.max_amount, r.minimum_next_bid());
      EXPECT_EQ(persistence::to_string(s.reject_reason), "BID_TOO_LOW");
    }
  }
  std::cout << "[          ] " << accepted_acks << " accepted, " << acks.size() - accepted_acks
            << " rejected\n";
  EXPECT_GT(accepted_acks, static_cast<std::size_t>(kBidders)) << "too little contention to test";

  // 2. Accepted bids, in version order, have gap-free increasing versions
  //    right after the creation, and each matches its BID_PLACED event.
  const std::vector<StoredBid> accepted = accepted_in_version_order(stored);
  ASSERT_EQ(accepted.size(), accepted_acks);
  for (std::size_t i = 0; i < accepted.size(); ++i) {
    ASSERT_EQ(accepted[i].version_after, terms_view.version() + 1 + static_cast<std::int64_t>(i))
        << "accepted bid versions must be gap-free";
    if (i > 0) {
      EXPECT_GE(persistence::time_to_us(accepted[i].placed_at),
                persistence::time_to_us(accepted[i - 1].placed_at))
          << "a later version was decided earlier";
    }
  }
  const auto events = db.events(to_id(id));
  ASSERT_EQ(events.size(), accepted.size() + 1) << "one CREATED event, one per accepted bid";
  EXPECT_EQ(events.front().type, "CREATED");
  EXPECT_EQ(events.front().version, terms_view.version());
  for (std::size_t i = 1; i < events.size(); ++i) {
    const StoredEvent& e = events[i];
    ASSERT_EQ(e.version, events[i - 1].version + 1) << "event versions must be gap-free";
    EXPECT_EQ(e.type, "BID_PLACED");
    EXPECT_EQ(e.price, accepted[i - 1].price_after);
  }

  // 3. The domain rules, replayed over the stored accepted bids in version
  //    order, give every intermediate price and the final state.
  const AuctionTerms terms = terms_from(terms_view);
  AuctionState step_state = open_auction(terms);
  for (const auto& s : accepted) {
    const BidDecision d =
        place_bid(step_state, BidAttempt{s.bidder_id, s.max_amount, false, s.placed_at});
    ASSERT_TRUE(d.accepted) << "stored accepted bid " << s.id << " is not acceptable in order";
    EXPECT_EQ(step_state.current_price, s.price_after) << "bid " << s.id;
    EXPECT_EQ(d.leading, s.leading) << "bid " << s.id;
  }
  const AuctionState replayed = replay_stored(terms, accepted);

  const StoredAuction row = db.auction(to_id(id)).value();
  auto view = c.get_auction(id);
  ASSERT_TRUE(view.ok()) << describe(view.status);
  const auto& live = view->auction();
  EXPECT_EQ(replayed.current_price, row.current_price);
  EXPECT_EQ(replayed.current_price, live.current_price());
  ASSERT_TRUE(replayed.leader.has_value());
  EXPECT_EQ(row.leader_id, replayed.leader);
  EXPECT_EQ(live.leading_bidder_id(), std::to_string(*replayed.leader));
  EXPECT_EQ(replayed.bid_count, static_cast<std::int64_t>(accepted.size()));
  EXPECT_EQ(live.bid_count(), replayed.bid_count);
  EXPECT_EQ(live.minimum_next_bid(), minimum_next_bid(replayed));

  // 4. The version the server shows is the stored one.
  EXPECT_EQ(view->version(), row.version);
  EXPECT_EQ(live.version(), row.version);
  EXPECT_EQ(row.version, accepted.back().version_after);
  EXPECT_EQ(row.version, events.back().version);
}

}  // namespace
}  // namespace auction::test
