// The auction actor as a CAF actor, deterministically: CAF's test
// coordinator runs every message on this thread and its clock is virtual, so
// timers fire exactly when the test moves time. The commit queue and the
// query pool are fakes that the test answers by hand.
#include "actors/auction_actor.hpp"

#include <gtest/gtest.h>
#include <caf/all.hpp>
#include <caf/scheduler/test_coordinator.hpp>

#include <deque>
#include <memory>

#include "core_harness.hpp"

namespace auction::actors::testing {
namespace {

class FakeCommits final : public CommitSink {
 public:
  struct Submitted {
    persistence::AuctionWrite write;
    std::int64_t prev_version = 0;
    std::function<void(CommitResult)> done;
  };
  void submit(persistence::AuctionWrite write, std::int64_t prev_version,
              std::function<void(CommitResult)> done) override {
    pending.push_back({std::move(write), prev_version, std::move(done)});
  }
  /// Commits the oldest submitted write; its rows get ids from next_id.
  persistence::AuctionWrite commit_next() {
    Submitted s = take();
    std::vector<std::int64_t> ids;
    for (std::size_t i = 0; i < s.write.bids.size(); ++i) ids.push_back(next_id++);
    s.done(ids);
    return s.write;
  }
  void fail_next(const Error& error) { take().done(error); }

  std::deque<Submitted> pending;
  std::int64_t next_id = 1;

 private:
  Submitted take() {
    EXPECT_FALSE(pending.empty()) << "nothing was submitted";
    Submitted s = std::move(pending.front());
    pending.pop_front();
    return s;
  }
};

class FakeQueries final : public QuerySource {
 public:
  bool load_auction(AuctionId /*id*/, std::function<void(Loaded)> done) override {
    loads.push_back(std::move(done));
    return true;
  }
  bool events_between(AuctionId /*id*/, std::int64_t /*after*/, std::int64_t /*up_to*/,
                      std::function<void(Events)> done) override {
    done(unavailable("no events table in this test"));
    return true;
  }
  std::deque<std::function<void(Loaded)>> loads;
};

/// Records what a watcher was sent.
class RecordingSink final : public WatchSink {
 public:
  void push(const std::vector<WatchUpdatePtr>& updates, const Coalescer& /*newest*/) override {
    received.insert(received.end(), updates.begin(), updates.end());
  }
  void catch_up(const std::vector<WatchUpdatePtr>& missed) override {
    received.insert(received.end(), missed.begin(), missed.end());
  }
  void hold_for_replay(WatchUpdatePtr /*fallback*/) override {}
  void replay(std::optional<std::vector<WatchUpdatePtr>> /*missed*/) override {}
  void fail(const Error& /*error*/) override {}
  bool closed() const override { return false; }
  std::vector<WatchUpdatePtr> received;
};

class AuctionActorTest : public ::testing::Test {
 protected:
  AuctionActorTest()
      : system_(configure(cfg_)),
        sched_(dynamic_cast<caf::scheduler::test_coordinator&>(system_.scheduler())),
        epoch_(sched_.clock().now()),
        ctx_{commits_, queries_, registry_, keys_, [this] { return now(); }} {
    ctx_.retire_grace = seconds(5);
    ctx_.heartbeat = seconds(4);
  }
  ~AuctionActorTest() override {
    for (auto& a : registry_.all()) caf::anon_send_exit(a, caf::exit_reason::user_shutdown);
    if (actor_) caf::anon_send_exit(*actor_, caf::exit_reason::user_shutdown);
    sched_.run();
  }

  static caf::actor_system_config& configure(caf::actor_system_config& cfg) {
    cfg.set("scheduler.policy", caf::atom("testing"));
    cfg.set("logger.file-verbosity", caf::atom("quiet"));
    cfg.set("logger.console", caf::atom("none"));
    return cfg;
  }

  /// The actor's clock: kStart + virtual time elapsed since the test began.
  TimePoint now() const {
    return kStart + minutes(1) +
           std::chrono::duration_cast<Duration>(sched_.clock().now() - epoch_);
  }
  void advance(Duration d) {
    sched_.clock().advance_time(std::chrono::duration_cast<caf::timespan>(d));
    sched_.run();
  }
  /// Virtual time until `at` (now() after it equals at).
  void advance_to(TimePoint at) { advance(at - now()); }

  /// An auction whose ENDING_SOON already went out, so that only its end
  /// timer writes.
  static persistence::LoadedAuction past_ending_soon(const AuctionTerms& terms) {
    auto loaded = fresh(terms);
    loaded.record.ending_soon_sent = true;
    return loaded;
  }

  void spawn(persistence::LoadedAuction loaded) {
    const AuctionId id = loaded.record.state.terms.id;
    actor_ = system_.spawn<AuctionActor>(ctx_, std::move(loaded));
    registry_.add(id, *actor_);
    sched_.run();
  }
  Answer<BidReply> bid(UserId who, Money max) {
    Answer<BidReply> a;
    caf::anon_send(*actor_, bid_atom::value, BidCommand{user(who), max, {}, a.handle()});
    sched_.run();
    return a;
  }
  void commit_next() {
    commits_.commit_next();
    sched_.run();
  }
  std::shared_ptr<RecordingSink> watch() {
    auto sink = std::make_shared<RecordingSink>();
    Answer<bool> started;
    caf::anon_send(*actor_, watch_atom::value, WatchCommand{sink, std::nullopt, started.handle()});
    sched_.run();
    return sink;
  }

  caf::actor_system_config cfg_;
  caf::actor_system system_;
  caf::scheduler::test_coordinator& sched_;
  caf::actor_clock::time_point epoch_;
  FakeCommits commits_;
  FakeQueries queries_;
  Registry registry_;
  IdempotencyIndex keys_;
  ActorContext ctx_;
  std::optional<auction_actor> actor_;
};

TEST_F(AuctionActorTest, BidsAreDecidedInMailboxOrderAndAnsweredAfterTheirCommit) {
  spawn(fresh(one_hour_terms()));
  auto first = bid(7, 1'500);
  auto second = bid(8, 2'000);
  auto third = bid(9, 1'900);
  ASSERT_EQ(commits_.pending.size(), 1U) << "one batch in flight";
  EXPECT_FALSE(first.answered());
  commit_next();
  EXPECT_TRUE(first.value().leading);
  EXPECT_FALSE(second.answered());
  ASSERT_EQ(commits_.pending.size(), 1U);
  EXPECT_EQ(commits_.pending.front().write.bids.size(), 2U);
  commit_next();
  EXPECT_TRUE(second.value().leading);
  EXPECT_EQ(second.value().current_price, 1'550) << "the price right after its own bid";
  EXPECT_TRUE(third.value().accepted);
  EXPECT_FALSE(third.value().leading) << "outbid at once by the leader's proxy";
  EXPECT_EQ(third.value().current_price, 1'950);
  EXPECT_EQ(third.value().version, 4);
}

TEST_F(AuctionActorTest, AFailedCommitAnswersUnavailableThenTheActorReloadsAndServesAgain) {
  spawn(fresh(one_hour_terms()));
  auto lost = bid(7, 1'500);
  auto queued = bid(8, 2'000);
  commits_.fail_next(unavailable("connection lost"));
  sched_.run();
  EXPECT_EQ(lost.code(), ErrorCode::kUnavailable);
  EXPECT_EQ(queued.code(), ErrorCode::kUnavailable);
  ASSERT_EQ(queries_.loads.size(), 1U) << "the actor asks the database what holds";
  auto refused = bid(9, 3'000);
  EXPECT_EQ(refused.code(), ErrorCode::kUnavailable) << "no decision on an unknown state";
  EXPECT_TRUE(commits_.pending.empty());

  // The database still cannot answer: the actor asks again after a pause.
  queries_.loads.front()(unavailable("still down"));
  queries_.loads.pop_front();
  sched_.run();
  EXPECT_TRUE(queries_.loads.empty());
  advance(ctx_.reload_retry);
  ASSERT_EQ(queries_.loads.size(), 1U);
  queries_.loads.front()(std::optional<persistence::LoadedAuction>(fresh(one_hour_terms())));
  queries_.loads.pop_front();
  sched_.run();
  auto served = bid(9, 3'000);
  commit_next();
  EXPECT_TRUE(served.value().leading);
  EXPECT_EQ(served.value().version, 2) << "the lost batch never happened";
}

TEST_F(AuctionActorTest, EndingSoonIsWrittenExactlyLeadBeforeTheEnd) {
  spawn(fresh(one_hour_terms()));
  advance_to(kStart + hours(1) - ctx_.ending_soon_lead - Duration(1));
  EXPECT_TRUE(commits_.pending.empty());
  advance(Duration(1));
  ASSERT_EQ(commits_.pending.size(), 1U);
  EXPECT_TRUE(commits_.commit_next().ending_soon);
}

TEST_F(AuctionActorTest, TheEndTimerFiresExactlyAtTheEndInVirtualTime) {
  spawn(past_ending_soon(one_hour_terms()));
  auto b = bid(7, 1'500);
  commit_next();
  ASSERT_TRUE(b.ok());
  advance_to(kStart + hours(1) - Duration(1));
  EXPECT_TRUE(commits_.pending.empty()) << "not a microsecond early";
  advance(Duration(1));
  ASSERT_EQ(commits_.pending.size(), 1U);
  const auto end = commits_.commit_next();
  sched_.run();
  ASSERT_EQ(end.events.size(), 1U);
  EXPECT_EQ(end.events[0].type, EventType::kEnded);
  EXPECT_EQ(end.state.ended_at, kStart + hours(1));
  EXPECT_EQ(end.state.winner, 7);
  EXPECT_FALSE(registry_.find(kAuction)) << "a finished auction leaves the registry";

  // Commands already routed to it are still answered during the grace.
  auto late = bid(8, 9'000);
  commit_next();
  EXPECT_EQ(late.value().reason, RejectReason::kAuctionEnded);
}

TEST_F(AuctionActorTest, ASoftCloseExtensionMovesTheTimer) {
  auto terms = one_hour_terms();
  terms.soft_close_window = minutes(2);
  terms.soft_close_extension = minutes(3);
  spawn(past_ending_soon(terms));
  advance_to(kStart + hours(1) - minutes(1));
  auto in_window = bid(7, 1'500);
  commit_next();
  EXPECT_EQ(in_window.value().ends_at, kStart + hours(1) + minutes(2));
  advance_to(kStart + hours(1));
  EXPECT_TRUE(commits_.pending.empty()) << "the original end no longer closes it";
  advance_to(kStart + hours(1) + minutes(2));
  ASSERT_EQ(commits_.pending.size(), 1U);
  const auto end = commits_.commit_next();
  EXPECT_EQ(end.state.ended_at, kStart + hours(1) + minutes(2));
}

TEST_F(AuctionActorTest, WatchersGetCommittedEventsInOrderAndHeartbeatsWhenQuiet) {
  spawn(fresh(one_hour_terms()));
  auto sink = watch();
  ASSERT_EQ(sink->received.size(), 1U);
  EXPECT_EQ(sink->received[0]->kind, WatchUpdate::Kind::kSnapshot);
  bid(7, 1'500);
  EXPECT_EQ(sink->received.size(), 1U) << "nothing before the commit";
  commit_next();
  ASSERT_EQ(sink->received.size(), 2U);
  EXPECT_EQ(sink->received[1]->kind, WatchUpdate::Kind::kEvent);
  EXPECT_EQ(sink->received[1]->version, 2);
  advance(ctx_.heartbeat);
  ASSERT_EQ(sink->received.size(), 3U);
  EXPECT_EQ(sink->received[2]->kind, WatchUpdate::Kind::kHeartbeat);
}

TEST_F(AuctionActorTest, AnActorQuitsAfterItsGraceOnlyOnceNothingIsInFlight) {
  spawn(past_ending_soon(one_hour_terms()));
  advance_to(kStart + hours(1));
  commit_next();  // the end
  auto late = bid(8, 9'000);
  ASSERT_EQ(commits_.pending.size(), 1U);
  advance(ctx_.retire_grace);
  EXPECT_FALSE(late.answered()) << "still waiting for its commit";
  commit_next();
  EXPECT_EQ(late.value().reason, RejectReason::kAuctionEnded);
  advance(ctx_.retire_grace);
  auto gone = bid(9, 9'000);
  EXPECT_EQ(gone.code(), ErrorCode::kUnavailable)
      << "a quit actor's mail is answered by the handle";
}

}  // namespace
}  // namespace auction::actors::testing
