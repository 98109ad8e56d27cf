#pragma once
/// What an auction actor sends to its watchers. Each update is built once
/// per change and shared (read-only) by every watcher's stream.
#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "actors/commands.hpp"

namespace auction::actors {

struct WatchUpdate {
  enum class Kind { kSnapshot, kEvent, kHeartbeat };
  Kind kind = Kind::kEvent;
  AuctionId auction_id = 0;
  std::int64_t version = 0;
  TimePoint server_time;
  EventType event = EventType::kBidPlaced;  ///< kEvent only
  Money current_price = 0;
  std::optional<UserId> leader;
  std::string leader_name;
  std::int64_t bid_count = 0;
  Money minimum_next_bid = 0;
  TimePoint ends_at;
  std::string currency;
  Outcome outcome = Outcome::kNone;
  std::optional<UserId> winner;
  std::string winner_name;
  Money final_price = 0;
  std::shared_ptr<const AuctionView> snapshot;  ///< kSnapshot only
  bool final = false;                           ///< the auction is over: the stream ends after this
};
using WatchUpdatePtr = std::shared_ptr<const WatchUpdate>;
/// Makes the newest state on demand (at most once per change), for a
/// watcher whose backlog overflows.
using Coalescer = std::function<WatchUpdatePtr()>;

WatchUpdatePtr event_update(const AuctionTerms& terms, const AuctionEvent& event,
                            std::string leader_name, std::string winner_name, TimePoint now);
WatchUpdatePtr snapshot_update(AuctionView view, TimePoint now);
/// Stored events (the events table) as updates, in their order.
std::vector<WatchUpdatePtr> updates_from_stored(const AuctionTerms& terms,
                                                std::vector<persistence::StoredEvent> stored,
                                                TimePoint now);
WatchUpdatePtr heartbeat_update(const AuctionState& committed, TimePoint now);

/// One watcher's end of the stream (the gRPC layer implements it). Every
/// method is thread-safe and never blocks on the network.
class WatchSink {
 public:
  virtual ~WatchSink() = default;
  /// Updates in version order.
  virtual void push(const std::vector<WatchUpdatePtr>& updates, const Coalescer& newest) = 0;
  /// Events a new watcher missed, sent exactly, before anything live.
  virtual void catch_up(const std::vector<WatchUpdatePtr>& missed) = 0;
  /// Live updates wait until replay() brings the missed events before them;
  /// `fallback` (a snapshot) stands in if they cannot be read.
  virtual void hold_for_replay(WatchUpdatePtr fallback) = 0;
  virtual void replay(std::optional<std::vector<WatchUpdatePtr>> missed) = 0;
  /// Ends the stream with this error.
  virtual void fail(const Error& error) = 0;
  /// The client went away or the stream ended: drop it.
  virtual bool closed() const = 0;
};

struct WatchCommand {
  std::shared_ptr<WatchSink> sink;
  std::optional<std::int64_t> from_version;
  /// Answered (with an error) only when the watch cannot start; its
  /// destructor answers UNAVAILABLE if the command is dropped unhandled.
  ReplyPtr<bool> reply;
};

}  // namespace auction::actors
