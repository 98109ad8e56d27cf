#pragma once
/// Versioned schema migrations (persistence/migrations/NNNN_name.sql),
/// compiled into the binary and applied at start-up.
#include <vector>

#include "database.hpp"

namespace auction::persistence {

struct Migration {
  int version;
  const char* name;
  const char* sql;
};

/// The migrations, in version order (generated at build time).
const std::vector<Migration>& all_migrations();

/// Applies the missing migrations, each in its own transaction, under an
/// advisory lock so that two servers starting together do not race.
/// Returns how many were applied.
Result<int> apply_migrations(const Database& db);

}  // namespace auction::persistence
