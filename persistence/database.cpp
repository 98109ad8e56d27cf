#include "database.hpp"

#include <spdlog/spdlog.h>

#include <pqxx/pqxx>

#include "sql.hpp"

namespace auction::persistence {

std::unique_ptr<pqxx::connection> Database::connect() const {
  auto c = std::make_unique<pqxx::connection>(url_);
  for (const auto& [name, text] : sql::kPrepared) c->prepare(name, text);
  return c;
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
