#pragma once
/// Connections and the libpqxx exception edge: everything above this layer
/// sees Result<T> and Error, never a pqxx exception.
#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include "domain/result.hpp"

#include <pqxx/connection>

namespace auction::persistence {

/// Opens connections to one database and prepares our named statements on
/// each. Thread-safe; the connections it returns are not.
class Database {
 public:
  explicit Database(std::string url);
  /// Throws pqxx::broken_connection when the database cannot be reached.
  std::unique_ptr<pqxx::connection> connect() const;
  const std::string& url() const { return url_; }
  /// This process's connections call themselves `auctiond/<instance>`.
  const std::string& application_name() const { return application_name_; }

 private:
  std::string url_;
  std::string application_name_;
};

/// Waits (at most `timeout`) until no statement of an earlier auctiond
/// instance is still running on the database. A killed server's last group
/// commit can still be executing (or waiting on a lock) when its successor
/// starts; recovering before it ends would rebuild actors from a state that
/// is about to change. Returns how many were waited for.
Result<int> wait_for_other_instances(const Database& db, std::chrono::milliseconds timeout);

/// One lazily (re)opened connection. After a connection-level failure the
/// next use reconnects, so the server recovers by itself when the database
/// comes back.
class Session {
 public:
  explicit Session(const Database& db) : db_(&db) {}
  ~Session();
  Session(const Session&) = delete;
  Session& operator=(const Session&) = delete;
  Session(Session&& other) noexcept;
  Session& operator=(Session&& other) noexcept;

  pqxx::connection& conn();
  void reset();

 private:
  const Database* db_;
  std::unique_ptr<pqxx::connection> conn_;
};

/// Whether the database answers a trivial query now, on `session`'s
/// connection (reopened if it was lost). Quiet: the caller reports changes.
bool database_answers(Session& session);

/// Runs `fn`, turning libpqxx exceptions into an Error: connection loss and
/// "in doubt" commits are UNAVAILABLE (not known to be applied; the session
/// is reset), anything else is INTERNAL with the detail logged, not returned.
Error database_error_from_current_exception(Session& session, const char* what);

template <class T, class F>
Result<T> guarded(Session& session, const char* what, F&& fn) {
  try {
    return fn();
  } catch (...) {
    return database_error_from_current_exception(session, what);
  }
}

}  // namespace auction::persistence
