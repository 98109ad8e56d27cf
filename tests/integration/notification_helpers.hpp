#pragma once
/// What the notification suites (notifications_*_test.cpp) share: the
/// expected notifications of an auction and their checks, bids that must be
/// accepted, and the watch-list calls.
///
/// A notification is written in the same transaction as the change that caused
/// it, so it can be read as soon as that change is acknowledged: the checks
/// right after a bid's reply do not wait.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "tests/support/environment.hpp"
#include "tests/support/watch_client.hpp"

namespace auction::test {

using Note = v1::Notification;
using Notes = std::vector<Note>;
using Code = grpc::StatusCode;

inline constexpr std::int64_t kAny = -1;

/// One expected notification about one auction.
struct Want {
  Note::Type type;
  std::int64_t amount = kAny;
  std::int64_t version = kAny;
};

/// The user's notifications about `auction_id`, oldest first; ENDING_SOON
/// left out unless asked for (its timing is tested on its own).
inline Notes about(const Notes& all, const std::string& auction_id, bool with_ending_soon = false) {
  Notes out;
  for (const auto& n : all) {
    if (n.auction_id() != auction_id) continue;
    if (n.type() == Note::ENDING_SOON && !with_ending_soon) continue;
    out.push_back(n);
  }
  std::sort(out.begin(), out.end(), [](const Note& a, const Note& b) { return a.seq() < b.seq(); });
  return out;
}

/// Exactly `want`, in commit order, with the auction's title and currency.
inline ::testing::AssertionResult exactly(const Notes& got, const std::vector<Want>& want,
                                          const std::string& title) {
  auto fail = [&](const std::string& why) {
    std::string w = "[";
    for (const auto& x : want) w += Note::Type_Name(x.type) + " ";
    return ::testing::AssertionFailure()
           << why << "\n  got:      " << describe(got) << "\n  expected: " << w << "]";
  };
  if (got.size() != want.size()) return fail("wrong number of notifications");
  for (std::size_t i = 0; i < got.size(); ++i) {
    const Note& n = got[i];
    if (n.type() != want[i].type) return fail("type differs at " + std::to_string(i));
    if (want[i].amount != kAny && n.amount() != want[i].amount) {
      return fail("amount " + std::to_string(n.amount()) + " at " + std::to_string(i) +
                  ", expected " + std::to_string(want[i].amount));
    }
    if (want[i].version != kAny && n.auction_version() != want[i].version) {
      return fail("auction_version " + std::to_string(n.auction_version()) + " at " +
                  std::to_string(i) + ", expected " + std::to_string(want[i].version));
    }
    if (n.auction_title() != title) return fail("auction_title '" + n.auction_title() + "'");
    if (n.currency() != "USD") return fail("currency '" + n.currency() + "'");
    if (n.created_at().seconds() == 0) return fail("no created_at");
  }
  return ::testing::AssertionSuccess();
}

/// A user's seqs are 1, 2, 3, ... without gaps or repeats.
inline ::testing::AssertionResult seqs_are_dense(const Notes& all) {
  std::vector<std::int64_t> seqs;
  for (const auto& n : all) seqs.push_back(n.seq());
  std::sort(seqs.begin(), seqs.end());
  for (std::size_t i = 0; i < seqs.size(); ++i) {
    if (seqs[i] != static_cast<std::int64_t>(i) + 1) {
      return ::testing::AssertionFailure() << "seqs are not 1..n: " << describe(all);
    }
  }
  return ::testing::AssertionSuccess();
}

inline Notes notes_of(Client& c, const Account& user) {
  return all_notifications(c.users(), user.token);
}

inline Reply<v1::FollowAuctionResponse> follow(Client& c, const std::string& token,
                                               const std::string& id) {
  v1::FollowAuctionRequest req;
  req.set_auction_id(id);
  return c.call(&v1::UserService::Stub::FollowAuction, req, token);
}

inline Reply<v1::UnfollowAuctionResponse> unfollow(Client& c, const std::string& token,
                                                   const std::string& id) {
  v1::UnfollowAuctionRequest req;
  req.set_auction_id(id);
  return c.call(&v1::UserService::Stub::UnfollowAuction, req, token);
}

inline Reply<v1::ListFollowedAuctionsResponse> followed(Client& c, const std::string& token,
                                                        int page_size = 0,
                                                        const std::string& page_token = "") {
  v1::ListFollowedAuctionsRequest req;
  req.set_page_size(page_size);
  req.set_page_token(page_token);
  return c.call(&v1::UserService::Stub::ListFollowedAuctions, req, token);
}

/// Places a bid that must be accepted; returns its reply.
inline v1::PlaceBidResponse bid(Client& c, const Account& who, const std::string& id,
                                std::int64_t max_amount) {
  auto r = c.place_bid(who.token, id, max_amount);
  EXPECT_TRUE(r.ok()) << describe(r.status);
  EXPECT_TRUE(r->accepted()) << who.username << " " << max_amount << ": "
                             << v1::RejectReason_Name(r->reject_reason());
  return r.value;
}

}  // namespace auction::test
