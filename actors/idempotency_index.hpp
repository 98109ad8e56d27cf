#pragma once
/// Process-wide record of which (bidder, idempotency key) pairs this process
/// has seen and with what parameters. Keys are unique per bidder across all
/// auctions, but each actor only knows its own auction's keys; this index
/// catches reuse across auctions and tells when the database must be asked
/// (a key first seen by this process may come from before a restart).
#include <mutex>
#include <string>
#include <unordered_map>

#include "domain/auction.hpp"

namespace auction::actors {

struct KeyUse {
  AuctionId auction_id = 0;
  Money amount = 0;
  bool buy_now = false;
  friend bool operator==(const KeyUse&, const KeyUse&) = default;
};

enum class KeyClaim {
  kFirstSeen,  ///< new to this process: check the database, then proceed
  kSameUse,    ///< seen with the same parameters: proceed (the actor answers)
  kConflict,   ///< seen with other parameters: refuse
};

class IdempotencyIndex {
 public:
  KeyClaim claim(UserId bidder, const std::string& key, const KeyUse& use) {
    std::lock_guard lock(mu_);
    auto [it, inserted] = uses_.try_emplace(id(bidder, key), use);
    if (inserted) return KeyClaim::kFirstSeen;
    return it->second == use ? KeyClaim::kSameUse : KeyClaim::kConflict;
  }
  /// Replaces what we believed with what the database holds.
  void set(UserId bidder, const std::string& key, const KeyUse& use) {
    std::lock_guard lock(mu_);
    uses_[id(bidder, key)] = use;
  }
  void forget(UserId bidder, const std::string& key) {
    std::lock_guard lock(mu_);
    uses_.erase(id(bidder, key));
  }

 private:
  static std::string id(UserId bidder, const std::string& key) {
    return std::to_string(bidder) + ":" + key;
  }
  std::mutex mu_;
  std::unordered_map<std::string, KeyUse> uses_;
};

}  // namespace auction::actors
