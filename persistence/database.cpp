#include "database.hpp"

#include <spdlog/spdlog.h>

#include <fmt/format.h>

#include <pqxx/pqxx>
#include <random>
#include <thread>

#include "sql.hpp"

namespace auction::persistence {

Database::Database(std::string url) : url_(std::move(url)) {
  std::random_device random;
  application_name_ = fmt::format("auctiond/{:08x}{:04x}", random(), random() & 0xffffU);
}

std::unique_ptr<pqxx::connection> Database::connect() const {
  auto c = std::make_unique<pqxx::connection>(url_);
  c->set_variable("application_name", c->quote(application_name_));
  for (const auto& [name, text] : sql::kPrepared) c->prepare(name, text);
  return c;
}

Result<int> wait_for_other_instances(const Database& db, std::chrono::milliseconds timeout) {
  Session session(db);
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  int waited = 0;
  for (;;) {
    auto running = guarded<std::int64_t>(session, "waiting for earlier instances", [&] {
      pqxx::nontransaction q(session.conn());
      return q.exec_prepared1("other_instances_running", db.application_name())[0]
          .as<std::int64_t>();
    });
    if (!running) return running.error();
    if (*running == 0 || std::chrono::steady_clock::now() >= deadline) return waited;
    ++waited;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
}

Session::~Session() = default;
Session::Session(Session&&) noexcept = default;
Session& Session::operator=(Session&&) noexcept = default;

pqxx::connection& Session::conn() {
  if (!conn_ || !conn_->is_open()) {
    conn_.reset();
    conn_ = db_->connect();
  }
  return *conn_;
}

void Session::reset() { conn_.reset(); }

bool database_answers(Session& session) {
  try {
    pqxx::nontransaction q(session.conn());
    q.exec("SELECT 1");
    return true;
  } catch (const std::exception&) {
    session.reset();
    return false;
  }
}

Error database_error_from_current_exception(Session& session, const char* what) {
  try {
    throw;
  } catch (const pqxx::broken_connection& e) {
    session.reset();
    spdlog::warn("database connection lost during {}: {}", what, e.what());
    return unavailable("the database is unavailable; nothing was changed, please retry");
  } catch (const pqxx::in_doubt_error& e) {
    session.reset();
    spdlog::warn("commit in doubt during {}: {}", what, e.what());
    return unavailable(
        "the database connection failed during commit; retry with the same idempotency key");
  } catch (const pqxx::sql_error& e) {
    // A server shutting down reports admin_shutdown (57P01) and friends as
    // SQL errors on a connection that is about to die.
    const std::string& state = e.sqlstate();
    if (state.rfind("57", 0) == 0 || state.rfind("08", 0) == 0 || state == "53300") {
      session.reset();
      spdlog::warn("database unavailable during {}: {}", what, e.what());
      return unavailable("the database is unavailable; nothing was changed, please retry");
    }
    spdlog::error("database error during {}: {} [{}] in: {:.200}", what, e.what(), state,
                  e.query());
    return Error{ErrorCode::kInternal, "internal error"};
  } catch (const pqxx::failure& e) {
    session.reset();
    spdlog::warn("database failure during {}: {}", what, e.what());
    return unavailable("the database is unavailable; nothing was changed, please retry");
  } catch (const std::exception& e) {
    spdlog::error("unexpected error during {}: {}", what, e.what());
    return Error{ErrorCode::kInternal, "internal error"};
  }
}

}  // namespace auction::persistence
