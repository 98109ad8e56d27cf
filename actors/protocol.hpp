#pragma once
/// The messages an auction actor understands, as a typed CAF interface so the
/// compiler checks who sends what.
#include <caf/all.hpp>
#include <cstdint>
#include <optional>
#include <vector>

#include "actors/commands.hpp"
#include "actors/watch.hpp"

namespace auction::actors {

/// A group-commit outcome, delivered back to the actor that submitted it.
struct CommitOutcome {
  std::uint64_t batch = 0;
  Result<std::vector<std::int64_t>> ids = unavailable("not committed");
};

/// The auction as the database holds it, after a failed commit.
struct ReloadOutcome {
  Result<std::optional<persistence::LoadedAuction>> loaded = unavailable("not loaded");
};

using bid_atom = caf::atom_constant<caf::atom("bid")>;
using buy_now_atom = caf::atom_constant<caf::atom("buynow")>;
using cancel_atom = caf::atom_constant<caf::atom("cancel")>;
using get_atom = caf::atom_constant<caf::atom("get")>;
using commit_atom = caf::atom_constant<caf::atom("committed")>;
using reload_atom = caf::atom_constant<caf::atom("reloaded")>;
using retry_atom = caf::atom_constant<caf::atom("retry")>;
using end_timer_atom = caf::atom_constant<caf::atom("endtimer")>;
using retire_atom = caf::atom_constant<caf::atom("retire")>;
using watch_atom = caf::atom_constant<caf::atom("watch")>;
using heartbeat_atom = caf::atom_constant<caf::atom("heartbeat")>;
using ending_soon_atom = caf::atom_constant<caf::atom("endsoon")>;

using auction_actor = caf::typed_actor<
    caf::reacts_to<bid_atom, BidCommand>, caf::reacts_to<buy_now_atom, BuyNowCommand>,
    caf::reacts_to<cancel_atom, CancelCommand>, caf::reacts_to<get_atom, GetCommand>,
    caf::reacts_to<commit_atom, CommitOutcome>, caf::reacts_to<reload_atom, ReloadOutcome>,
    caf::reacts_to<retry_atom>, caf::reacts_to<end_timer_atom, std::uint64_t>,
    caf::reacts_to<retire_atom>, caf::reacts_to<watch_atom, WatchCommand>,
    caf::reacts_to<heartbeat_atom>, caf::reacts_to<ending_soon_atom, std::uint64_t>>;

}  // namespace auction::actors

// These never leave the process: they carry reply handles and shared state.
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(auction::actors::BidCommand)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(auction::actors::BuyNowCommand)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(auction::actors::CancelCommand)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(auction::actors::GetCommand)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(auction::actors::CommitOutcome)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(auction::actors::ReloadOutcome)
CAF_ALLOW_UNSAFE_MESSAGE_TYPE(auction::actors::WatchCommand)
