#pragma once
/// The `watch` view model: WatchAuction updates folded into the state shown
/// on screen, the countdown, and the screen as text. Pure: no I/O, time is
/// passed in, so that all of it is unit-tested.
#include <chrono>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <string>

#include <google/protobuf/timestamp.pb.h>

#include "auction/v1/auction.pb.h"

namespace auction::cli {

/// One line of the "recent events" list.
struct WatchEvent {
  std::string when;  ///< "HH:MM:SS" (UTC)
  std::string text;
};

/// What the view shows, folded from the updates received so far.
struct WatchState {
  static constexpr std::size_t kMaxEvents = 10;

  std::string auction_id;
  std::string title;
  std::string currency;
  v1::AuctionStatus status = v1::AUCTION_STATUS_UNSPECIFIED;
  google::protobuf::Timestamp start_time;
  google::protobuf::Timestamp ends_at;
  std::int64_t version = 0;  ///< the last version applied
  bool have_state = false;   ///< a SNAPSHOT (or an event) was applied
  std::int64_t current_price = 0;
  std::string leader_id;
  std::string leader_name;
  std::int64_t bid_count = 0;
  std::int64_t minimum_next_bid = 0;
  v1::Outcome outcome = v1::OUTCOME_UNSPECIFIED;
  std::string winner_id;
  std::string winner_name;
  std::int64_t final_price = 0;
  /// AUCTION_ENDED or AUCTION_CANCELLED arrived, or a SNAPSHOT of a closed
  /// auction: the stream's last word.
  bool finished = false;
  /// server_time - local receive time of the latest update (clock skew).
  std::chrono::nanoseconds clock_offset{0};
  std::int64_t updates = 0;       ///< every update received, heartbeats too
  std::int64_t coalesced = 0;     ///< snapshots that skipped versions
  std::deque<WatchEvent> events;  ///< newest last, at most kMaxEvents
  std::size_t event_count = 0;    ///< events ever added (also those dropped)
  /// "" while connected; else what the connection is doing ("reconnecting ...").
  std::string connection;
};

/// Folds one update into `state`; `received` is the local time it arrived.
/// Returns false when it changed nothing (a duplicate event after a
/// reconnect: its version is not above the last one applied).
bool apply_update(WatchState& state, const v1::AuctionUpdate& update,
                  std::chrono::system_clock::time_point received);

/// `watch --from-version N` gets no SNAPSHOT, only the events after N. The
/// view takes what events do not carry (title, currency, start) from
/// `current`, the auction as it is now (GetAuction). When `current` is past
/// N, the view stays at N so that every later event applies and shows.
void seed_from_version(WatchState& state, const v1::AuctionUpdate& current,
                       std::int64_t from_version, std::chrono::system_clock::time_point received);

/// Appends a line to the recent events (dropping the oldest past kMaxEvents).
void add_event(WatchState& state, std::string when, std::string text);

/// "HH:MM:SS" (UTC) of a time.
std::string time_of_day(const google::protobuf::Timestamp& ts);
std::string time_of_day(std::chrono::system_clock::time_point t);

/// The countdown: "2d 03h 04m 05s", "1h 02m 03s", "4m 05s", "59s", "0s".
/// Negative values show as "0s".
std::string countdown(std::chrono::seconds d);

/// Seconds until the end (by the server's clock, estimated from the clock
/// offset), rounded up, never negative.
std::chrono::seconds time_left(const WatchState& state, std::chrono::system_clock::time_point now);

/// How long until the countdown shows the next value (at most 1 s), so that
/// redraws land just after each change.
std::chrono::nanoseconds until_next_tick(const WatchState& state,
                                         std::chrono::system_clock::time_point now);

/// "sold to Alice A for 12.50 USD", "ended unsold", "cancelled", or "" while open.
std::string outcome_text(const WatchState& state);

/// The whole screen as plain text lines (no escape codes), at most
/// `width` columns each.
std::string render_watch(const WatchState& state, std::chrono::system_clock::time_point now,
                         std::size_t width = 100);

}  // namespace auction::cli
