#pragma once
/// Auction id -> its live actor. Read on every command from gRPC threads, so
/// a plain map under a shared lock rather than an actor round trip.
#include <cstddef>
#include <optional>
#include <shared_mutex>
#include <unordered_map>
#include <vector>

#include "actors/protocol.hpp"

namespace auction::actors {

class Registry {
 public:
  std::optional<auction_actor> find(AuctionId id) const {
    std::shared_lock lock(mu_);
    auto it = actors_.find(id);
    if (it == actors_.end()) return std::nullopt;
    return it->second;
  }
  void add(AuctionId id, auction_actor actor) {
    std::unique_lock lock(mu_);
    actors_[id] = std::move(actor);
  }
  /// Removes the entry only if it still names this actor.
  void remove(AuctionId id, const caf::actor_addr& actor) {
    std::unique_lock lock(mu_);
    auto it = actors_.find(id);
    if (it != actors_.end() && it->second.address() == actor) actors_.erase(it);
  }
  std::size_t size() const {
    std::shared_lock lock(mu_);
    return actors_.size();
  }
  std::vector<auction_actor> all() const {
    std::shared_lock lock(mu_);
    std::vector<auction_actor> out;
    out.reserve(actors_.size());
    for (const auto& [id, a] : actors_) out.push_back(a);
    return out;
  }

 private:
  mutable std::shared_mutex mu_;
  std::unordered_map<AuctionId, auction_actor> actors_;
};

}  // namespace auction::actors
