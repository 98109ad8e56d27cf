#include "stream_follow.hpp"

#include <deque>
#include <vector>

#include <gtest/gtest.h>

#include "auction/v1/auction.pb.h"

namespace auction::cli {
namespace {

using namespace std::chrono_literals;
using Update = v1::AuctionUpdate;
using Follower = StreamFollower<Update>;
using Kind = StreamItem<Update>::Kind;

/// One scripted call: these messages, then this status.
struct Script {
  std::vector<std::int64_t> versions;
  grpc::Status status;
  v1::AuctionUpdate::Type last_type = v1::AuctionUpdate::BID_PLACED;
};

class FakeReader final : public grpc::ClientReaderInterface<Update> {
 public:
  explicit FakeReader(Script script) : script_(std::move(script)) {}
  void WaitForInitialMetadata() override {}
  bool NextMessageSize(std::uint32_t* size) override {
    *size = 0;
    return next_ < script_.versions.size();
  }
  bool Read(Update* msg) override {
    if (next_ >= script_.versions.size()) return false;
    msg->Clear();
    msg->set_version(script_.versions[next_]);
    ++next_;
    msg->set_type(next_ == script_.versions.size() ? script_.last_type
                                                   : v1::AuctionUpdate::BID_PLACED);
    return true;
  }
  grpc::Status Finish() override { return script_.status; }

 private:
  Script script_;
  std::size_t next_ = 0;
};

/// Runs a follower over `scripts` (one per call) and collects every item;
/// `cursors` gets the cursor each call was opened with.
std::vector<StreamItem<Update>> follow(std::vector<Script> scripts,
                                       std::vector<std::optional<std::int64_t>>& cursors,
                                       std::optional<std::int64_t> start = std::nullopt,
                                       bool reached = false) {
  auto queue = std::make_shared<std::deque<Script>>(scripts.begin(), scripts.end());
  Follower::Hooks hooks;
  hooks.make_context = [] { return std::make_unique<grpc::ClientContext>(); };
  hooks.open = [queue, &cursors](grpc::ClientContext&, std::optional<std::int64_t> cursor)
      -> std::unique_ptr<grpc::ClientReaderInterface<Update>> {
    cursors.push_back(cursor);
    Script s{{}, grpc::Status(grpc::StatusCode::UNAVAILABLE, "no more scripts")};
    if (!queue->empty()) {
      s = queue->front();
      queue->pop_front();
    }
    return std::make_unique<FakeReader>(s);
  };
  hooks.cursor_of = [](const Update& u) { return u.version(); };
  hooks.is_last = [](const Update& u) { return u.type() == v1::AuctionUpdate::AUCTION_ENDED; };
  hooks.server_reached = reached;
  ReconnectPolicy policy;
  policy.initial = 1ms;
  policy.max = 4ms;
  policy.give_up = 200ms;
  Follower follower(std::move(hooks), start, policy);
  follower.start();
  std::vector<StreamItem<Update>> items;
  const auto deadline = std::chrono::steady_clock::now() + 10s;
  for (;;) {
    auto item = follower.next(deadline);
    if (!item) {
      ADD_FAILURE() << "no end within 10 s";
      break;
    }
    items.push_back(*item);
    if (item->kind == Kind::kEnd) break;
  }
  return items;
}

std::vector<std::int64_t> versions_of(const std::vector<StreamItem<Update>>& items) {
  std::vector<std::int64_t> v;
  for (const auto& i : items) {
    if (i.kind == Kind::kUpdate) v.push_back(i.update.version());
  }
  return v;
}

TEST(StreamFollower, ResumesAfterTheLastVersionSeen) {
  std::vector<std::optional<std::int64_t>> cursors;
  auto items = follow({{{5, 6, 7}, grpc::Status(grpc::StatusCode::UNAVAILABLE, "restart")},
                       {{}, grpc::Status(grpc::StatusCode::UNAVAILABLE, "still down")},
                       {{8, 9}, grpc::Status::OK, v1::AuctionUpdate::AUCTION_ENDED}},
                      cursors);
  EXPECT_EQ(versions_of(items), (std::vector<std::int64_t>{5, 6, 7, 8, 9}));
  ASSERT_EQ(cursors.size(), 3U);
  EXPECT_EQ(cursors[0], std::nullopt);
  EXPECT_EQ(cursors[1], 7);
  EXPECT_EQ(cursors[2], 7);
  ASSERT_FALSE(items.empty());
  EXPECT_EQ(items.back().kind, Kind::kEnd);
  EXPECT_TRUE(items.back().status.ok());
  int reconnecting = 0;
  int reconnected = 0;
  for (const auto& i : items) {
    reconnecting += i.kind == Kind::kReconnecting ? 1 : 0;
    reconnected += i.kind == Kind::kReconnected ? 1 : 0;
  }
  EXPECT_EQ(reconnecting, 2);
  EXPECT_EQ(reconnected, 1);
}

TEST(StreamFollower, StartsFromTheGivenCursor) {
  std::vector<std::optional<std::int64_t>> cursors;
  auto items = follow({{{4}, grpc::Status::OK, v1::AuctionUpdate::AUCTION_ENDED}}, cursors, 3);
  ASSERT_EQ(cursors.size(), 1U);
  EXPECT_EQ(cursors[0], 3);
  EXPECT_TRUE(items.back().status.ok());
}

TEST(StreamFollower, ARefusalIsFinal) {
  std::vector<std::optional<std::int64_t>> cursors;
  auto items = follow({{{1}, grpc::Status(grpc::StatusCode::UNAVAILABLE, "drop")},
                       {{}, grpc::Status(grpc::StatusCode::NOT_FOUND, "gone")}},
                      cursors);
  EXPECT_EQ(cursors.size(), 2U);
  EXPECT_EQ(items.back().kind, Kind::kEnd);
  EXPECT_EQ(items.back().status.error_code(), grpc::StatusCode::NOT_FOUND);
}

TEST(StreamFollower, AFirstCallThatFailsIsReportedUnlessTheServerAnsweredBefore) {
  std::vector<std::optional<std::int64_t>> cursors;
  auto items = follow({{{}, grpc::Status(grpc::StatusCode::UNAVAILABLE, "refused")}}, cursors);
  EXPECT_EQ(cursors.size(), 1U);
  EXPECT_EQ(items.back().status.error_code(), grpc::StatusCode::UNAVAILABLE);

  cursors.clear();
  items = follow({{{}, grpc::Status(grpc::StatusCode::UNAVAILABLE, "restart")},
                  {{2}, grpc::Status::OK, v1::AuctionUpdate::AUCTION_ENDED}},
                 cursors, 1, /*reached=*/true);
  EXPECT_EQ(cursors.size(), 2U);
  EXPECT_TRUE(items.back().status.ok());
}

TEST(StreamFollower, AnOkEndBeforeTheLastWordReconnects) {
  std::vector<std::optional<std::int64_t>> cursors;
  auto items = follow(
      {{{1, 2}, grpc::Status::OK}, {{3}, grpc::Status::OK, v1::AuctionUpdate::AUCTION_ENDED}},
      cursors);
  EXPECT_EQ(versions_of(items), (std::vector<std::int64_t>{1, 2, 3}));
  EXPECT_EQ(cursors.size(), 2U);
  EXPECT_TRUE(items.back().status.ok());
}

TEST(StreamFollower, GivesUpAfterFailingTooLong) {
  std::vector<std::optional<std::int64_t>> cursors;
  // One message, then every call fails (the fake's default) for > 200 ms.
  auto items = follow({{{1}, grpc::Status(grpc::StatusCode::UNAVAILABLE, "down")}}, cursors);
  EXPECT_EQ(items.back().kind, Kind::kEnd);
  EXPECT_EQ(items.back().status.error_code(), grpc::StatusCode::UNAVAILABLE);
  EXPECT_NE(items.back().status.error_message().find("gave up reconnecting"), std::string::npos)
      << items.back().status.error_message();
  EXPECT_GT(cursors.size(), 3U);
}

}  // namespace
}  // namespace auction::cli
