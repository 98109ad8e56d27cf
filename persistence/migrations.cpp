#include "migrations.hpp"

#include <spdlog/spdlog.h>

#include <pqxx/pqxx>

namespace auction::persistence {

Result<int> apply_migrations(const Database& db) {
  Session session(db);
  return guarded<int>(session, "migrations", [&]() {
    pqxx::connection& c = session.conn();
    int applied = 0;
    for (const Migration& m : all_migrations()) {
      pqxx::work w(c);
      w.exec("SELECT pg_advisory_xact_lock(7261001)");
      w.exec(
          "CREATE TABLE IF NOT EXISTS schema_migrations (version INT PRIMARY KEY, name TEXT NOT "
          "NULL, applied_at TIMESTAMPTZ NOT NULL DEFAULT now())");
      auto done = w.exec_params("SELECT 1 FROM schema_migrations WHERE version = $1", m.version);
      if (!done.empty()) continue;
      w.exec(m.sql);
      w.exec_params("INSERT INTO schema_migrations (version, name) VALUES ($1, $2)", m.version,
                    std::string(m.name));
      w.commit();
      spdlog::info("applied migration {:04d} {}", m.version, m.name);
      ++applied;
    }
    return applied;
  });
}

}  // namespace auction::persistence
