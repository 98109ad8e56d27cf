// auction-cli end to end: the real binary against the real auctiond and
// PostgreSQL, used the way the README's walk-through uses it. Every person at
// the terminal has their own XDG_CONFIG_HOME (their stored login) and the
// server comes from AUCTION_SERVER, as after `export AUCTION_SERVER=...`.
//
// Expected prices are worked out by hand from the SPEC (section 3) rules:
//
//   minimum_next_bid = starting_price with no bids, else
//                      current_price + increment(current_price)
//   current_price    = second-highest maximum + increment(second-highest max),
//                      capped at the highest maximum; with one bidder the
//                      starting price (no reserve here)
//   default increments: 5.00-24.99 -> 0.50
//
// Start 10.00. Alice, max 15.00: only bidder, price 10.00, next 10.50. Bob,
// max 12.00 (>= 10.50): accepted, outbid at once by Alice's proxy; price
// 12.00 + 0.50 = 12.50 (below Alice's 15.00), next 12.50 + 0.50 = 13.00. Bob
// 12.50 < 13.00: BID_TOO_LOW naming 13.00 (so is 12.75). Alice, the leader,
// raises her maximum to 16.00: accepted, and the price stays 12.50 (a leader
// raising their own maximum does not raise the price). At the end: sold to
// Alice for 12.50.
//
// Also: the --json forms carry the same facts, errors exit 1 with
// "error: CODE: ...", usage errors exit 2 and write nothing, and `bench`
// reports no more accepted bids than the database holds. Each test case runs
// in its own process with its own cluster and server (ctest).
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <algorithm>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/environment.hpp"
#include "tests/support/process.hpp"
#include "tests/support/run_program.hpp"

namespace auction::test {
namespace {

using namespace std::chrono_literals;
using Json = nlohmann::json;
using SteadyClock = std::chrono::steady_clock;

/// Hard limit for one CLI run; every call it makes has the CLI's own 10 s deadline.
constexpr auto kCliTimeLimit = 20s;
/// The CLI's default per-call deadline (GlobalOptions::timeout_seconds).
constexpr auto kCliCallDeadline = 10s;

// ---------------------------------------------------------------------------
// Output parsing

std::string trim(const std::string& s) {
  const auto b = s.find_first_not_of(' ');
  if (b == std::string::npos) return {};
  return s.substr(b, s.find_last_not_of(' ') - b + 1);
}

/// The value of the first "label   value" line (the CLI's field lists pad
/// labels with at least two spaces), or a marker saying it is missing.
std::string field(const std::string& out, const std::string& label) {
  for (const auto& line : lines_of(out)) {
    if (line.rfind(label + "  ", 0) == 0) return trim(line.substr(label.size()));
  }
  return "<no '" + label + "' line>";
}

bool has_field(const std::string& out, const std::string& label) {
  return std::ranges::any_of(lines_of(out), [&label](const std::string& line) {
    return line.rfind(label + "  ", 0) == 0;
  });
}

/// Cells of one table line: columns are separated by two or more spaces.
std::vector<std::string> cells_of(const std::string& line) {
  std::vector<std::string> cells;
  std::string t = trim(line);
  std::size_t i = 0;
  while (i < t.size()) {
    auto gap = t.find("  ", i);
    if (gap == std::string::npos) {
      cells.push_back(t.substr(i));
      break;
    }
    cells.push_back(t.substr(i, gap - i));
    i = t.find_first_not_of(' ', gap);
  }
  return cells;
}

struct Table {
  std::vector<std::string> header;
  std::vector<std::vector<std::string>> rows;
};

/// The table that starts at the first line beginning with `first_header`
/// (after leading spaces) and runs to the next empty line.
Table table_of(const std::string& out, const std::string& first_header) {
  Table t;
  bool in_table = false;
  for (const auto& line : lines_of(out)) {
    if (!in_table) {
      if (trim(line).rfind(first_header + " ", 0) == 0) {
        t.header = cells_of(line);
        in_table = true;
      }
      continue;
    }
    if (trim(line).empty()) break;
    t.rows.push_back(cells_of(line));
  }
  return t;
}

/// The cell of `row` under the column named `column` ("" when missing).
std::string cell(const Table& t, std::size_t row, const std::string& column) {
  for (std::size_t i = 0; i < t.header.size(); ++i) {
    if (t.header[i] == column) return i < t.rows.at(row).size() ? t.rows.at(row)[i] : "";
  }
  return "<no column " + column + ">";
}

/// The first capture of `re` in `text`, or "".
std::string capture(const std::string& text, const std::string& re) {
  std::smatch m;
  if (std::regex_search(text, m, std::regex(re)) && m.size() > 1) return m[1].str();
  return {};
}

/// Parses a --json reply: exactly one JSON document on stdout.
Json json_of(const ProgramResult& r) {
  Json j = Json::parse(r.out, nullptr, /*allow_exceptions=*/false);
  EXPECT_FALSE(j.is_discarded()) << "stdout is not one JSON document: " << describe(r);
  return j.is_discarded() ? Json::object() : j;
}

std::int64_t accepted_count(const std::vector<StoredBid>& rows) {
  std::int64_t n = 0;
  for (const auto& r : rows) n += r.accepted ? 1 : 0;
  return n;
}

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// ---------------------------------------------------------------------------
// People at the terminal

std::string cli_path() { return AUCTION_CLI_PATH; }

/// Unique usernames also when all tests share one database (one process).
std::string unique_username(const std::string& base) {
  static int counter = 0;
  return base + "_" + std::to_string(++counter);
}

/// One person with their own config directory (their stored login).
class Person {
 public:
  Person(const std::string& name, std::string display, std::string secret)
      : username(unique_username(name)),
        display_name(std::move(display)),
        password(std::move(secret)),
        config_home_(make_temp_dir("auction-cli-" + name)) {}
  ~Person() { remove_tree(config_home_); }
  Person(const Person&) = delete;
  Person& operator=(const Person&) = delete;

  /// `auction-cli ARGS...` with XDG_CONFIG_HOME and AUCTION_SERVER set, and
  /// no AUCTION_PASSWORD from the test's own environment.
  ProgramResult run(const std::vector<std::string>& args) const {
    std::vector<std::string> argv{cli_path()};
    argv.insert(argv.end(), args.begin(), args.end());
    ProgramOptions options;
    options.env["XDG_CONFIG_HOME"] = config_home_;
    options.env["AUCTION_SERVER"] = shared_server().address();
    options.env["AUCTION_PASSWORD"] = std::nullopt;
    options.timeout = kCliTimeLimit;
    return run_program(argv, options);
  }

  std::string login_file() const { return config_home_ + "/auction-cli/login.json"; }
  /// "Alice A (id 2)", as the CLI names a user.
  std::string named() const { return display_name + " (id " + id + ")"; }

  const std::string username;
  const std::string display_name;
  const std::string password;
  std::string id;  ///< set by sign_up()

 private:
  std::string config_home_;
};

/// README: `register USER "Display Name" --password ...`, then `login USER
/// --password ...` (with --json when `json`); checks the stored login and
/// records the user's id.
void sign_up(Person& p, bool json = false) {
  std::vector<std::string> reg_args{"register", p.username, p.display_name, "--password",
                                    p.password};
  std::vector<std::string> login_args{"login", p.username, "--password", p.password};
  if (json) {
    reg_args.insert(reg_args.begin(), "--json");
    login_args.insert(login_args.begin(), "--json");
  }
  auto reg = p.run(reg_args);
  ASSERT_EQ(reg.exit_code, 0) << describe(reg);
  std::string token_shown;
  if (json) {
    const Json u = json_of(reg);
    EXPECT_EQ(u.value("username", ""), p.username) << reg.out;
    EXPECT_EQ(u.value("display_name", ""), p.display_name) << reg.out;
    EXPECT_EQ(u.value("role", ""), "ROLE_USER") << reg.out;
    ASSERT_TRUE(u.contains("id") && u["id"].is_string()) << reg.out;
    p.id = u["id"].get<std::string>();
  } else {
    p.id = capture(reg.out, "^registered " + p.username + R"( \(id ([0-9]+)\))");
  }
  ASSERT_FALSE(p.id.empty()) << describe(reg);

  auto login = p.run(login_args);
  ASSERT_EQ(login.exit_code, 0) << describe(login);
  if (json) {
    const Json l = json_of(login);
    token_shown = l.value("token", "");
    EXPECT_FALSE(token_shown.empty()) << login.out;
    EXPECT_EQ(l.value("user", Json::object()).value("id", ""), p.id) << login.out;
    EXPECT_TRUE(l.contains("expires_at") && l["expires_at"].is_string()) << login.out;
  } else {
    EXPECT_TRUE(contains(login.out, "logged in as " + p.username + " (id " + p.id + ") on " +
                                        shared_server().address()))
        << describe(login);
    EXPECT_TRUE(contains(login.out, "saved to " + p.login_file())) << describe(login);
  }

  // The stored login: private, for this server, with a token.
  struct stat st {};
  ASSERT_EQ(stat(p.login_file().c_str(), &st), 0) << p.login_file() << " was not written";
  EXPECT_EQ(st.st_mode & 0777U, 0600U) << "the stored token must be private";
  Json stored = Json::parse(read_text(p.login_file()), nullptr, false);
  ASSERT_TRUE(stored.is_object()) << read_text(p.login_file());
  EXPECT_EQ(stored.value("server", ""), shared_server().address());
  EXPECT_EQ(stored.value("username", ""), p.username);
  EXPECT_EQ(stored.value("user_id", ""), p.id);
  EXPECT_FALSE(stored.value("token", "").empty());
  if (json) {
    EXPECT_EQ(stored.value("token", ""), token_shown);
  }
}

/// `create ... --duration D` by `seller`; returns the id from "created auction N".
std::string create_auction(const Person& seller, const std::string& title,
                           const std::string& duration, ProgramResult* result = nullptr) {
  auto r =
      seller.run({"create", "--title", title, "--start-price", "10.00", "--duration", duration});
  EXPECT_EQ(r.exit_code, 0) << describe(r);
  std::string id = capture(r.out, R"(^created auction ([0-9]+)\n)");
  EXPECT_FALSE(id.empty()) << "no 'created auction N' line: " << describe(r);
  if (result != nullptr) *result = std::move(r);
  return id;
}

// ---------------------------------------------------------------------------

// Items 1 and 2 of the walk-through: the README's auction from the terminal,
// each step also checked in its --json form (proto field names, int64 as
// strings, enums by name) and against the database.
TEST(Cli, WholeAuctionFromTheCommandLine) {
  Db& db = shared_db();
  Person sam("sam", "Sam the Seller", "sam-secret-1");
  Person alice("alice", "Alice A", "alice-secret-1");
  Person bob("bob", "Bob B", "bob-secret-12");
  ASSERT_NO_FATAL_FAILURE(sign_up(sam));
  ASSERT_NO_FATAL_FAILURE(sign_up(alice));
  ASSERT_NO_FATAL_FAILURE(sign_up(bob, /*json=*/true));

  {
    auto me = alice.run({"whoami"});
    ASSERT_EQ(me.exit_code, 0) << describe(me);
    EXPECT_EQ(field(me.out, "username"), alice.username) << describe(me);
    EXPECT_EQ(field(me.out, "user id"), alice.id) << describe(me);
  }

  // A 3-second auction. It cannot end before `created_before + 3 s`.
  const auto created_before = SteadyClock::now();
  ProgramResult created;
  const std::string id = create_auction(sam, "Desk lamp", "3s", &created);
  ASSERT_FALSE(id.empty());
  EXPECT_EQ(field(created.out, "status"), "active") << describe(created);
  EXPECT_EQ(field(created.out, "current price"), "10.00 USD (no bids yet)") << describe(created);
  EXPECT_EQ(field(created.out, "min next bid"), "10.00 USD") << describe(created);
  EXPECT_EQ(field(created.out, "seller"), sam.named()) << describe(created);
  const std::int64_t v0 = std::stoll(field(created.out, "version"));

  // Alice, max 15.00: accepted and leading; one bidder, so the price stays 10.00.
  auto b1 = alice.run({"bid", id, "15.00"});
  ASSERT_EQ(b1.exit_code, 0) << describe(b1);
  EXPECT_TRUE(contains(field(b1.out, "accepted"), "yes")) << describe(b1);
  EXPECT_EQ(field(b1.out, "leading"), "yes") << describe(b1);
  EXPECT_EQ(field(b1.out, "current price"), "10.00 USD") << describe(b1);
  EXPECT_EQ(field(b1.out, "leader"), alice.named()) << describe(b1);
  EXPECT_EQ(field(b1.out, "min next bid"), "10.50 USD") << describe(b1);
  EXPECT_EQ(field(b1.out, "version"), std::to_string(v0 + 1)) << describe(b1);

  // Bob, max 12.00: accepted, but outbid at once by Alice's proxy: 12.50.
  auto b2 = bob.run({"bid", id, "12.00"});
  ASSERT_EQ(b2.exit_code, 0) << "an accepted bid exits 0 even when outbid: " << describe(b2);
  EXPECT_TRUE(contains(field(b2.out, "accepted"), "yes")) << describe(b2);
  EXPECT_EQ(field(b2.out, "leading").rfind("no", 0), 0U) << describe(b2);
  EXPECT_EQ(field(b2.out, "current price"), "12.50 USD") << describe(b2);
  EXPECT_EQ(field(b2.out, "leader"), alice.named()) << describe(b2);
  EXPECT_EQ(field(b2.out, "min next bid"), "13.00 USD") << describe(b2);
  EXPECT_EQ(field(b2.out, "version"), std::to_string(v0 + 2)) << describe(b2);

  // Bob, 12.50 < 13.00: rejected, exit 3, naming the reason and the minimum.
  auto b3 = bob.run({"bid", id, "12.50"});
  EXPECT_EQ(b3.exit_code, 3) << describe(b3);
  EXPECT_FALSE(has_field(b3.out, "accepted")) << describe(b3);
  EXPECT_EQ(field(b3.out, "rejected"), "BID_TOO_LOW: the minimum next bid is 13.00 USD")
      << describe(b3);
  EXPECT_EQ(field(b3.out, "current price"), "12.50 USD") << describe(b3);
  EXPECT_EQ(field(b3.out, "version"), std::to_string(v0 + 2)) << "a rejection changes nothing";

  // The same rejection as JSON (12.75 < 13.00), still exit 3.
  auto b4 = bob.run({"--json", "bid", id, "12.75"});
  EXPECT_EQ(b4.exit_code, 3) << describe(b4);
  {
    const Json r = json_of(b4);
    EXPECT_EQ(r.value("accepted", true), false) << b4.out;
    EXPECT_EQ(r.value("reject_reason", ""), "BID_TOO_LOW") << b4.out;
    EXPECT_EQ(r.value("minimum_next_bid", ""), "1300") << b4.out;
    EXPECT_EQ(r.value("current_price", ""), "1250") << b4.out;
    EXPECT_EQ(r.value("leading_bidder_id", ""), alice.id) << b4.out;
    EXPECT_EQ(r.value("version", ""), std::to_string(v0 + 2)) << b4.out;
    EXPECT_EQ(r.value("currency", ""), "USD") << b4.out;
  }

  // Alice (the leader) raises her maximum to 16.00, as JSON: accepted and
  // leading, and the price does not move (SPEC: raising one's own maximum
  // does not raise the price).
  auto b5 = alice.run({"--json", "bid", id, "16.00"});
  ASSERT_EQ(b5.exit_code, 0) << describe(b5);
  {
    const Json r = json_of(b5);
    EXPECT_EQ(r.value("accepted", false), true) << b5.out;
    EXPECT_EQ(r.value("leading", false), true) << b5.out;
    EXPECT_EQ(r.value("reject_reason", ""), "REJECT_REASON_UNSPECIFIED") << b5.out;
    EXPECT_EQ(r.value("current_price", ""), "1250") << b5.out;
    EXPECT_EQ(r.value("minimum_next_bid", ""), "1300") << b5.out;
    EXPECT_EQ(r.value("leading_bidder_id", ""), alice.id) << b5.out;
    EXPECT_EQ(r.value("version", ""), std::to_string(v0 + 3)) << b5.out;
    ASSERT_TRUE(r.contains("bid_id") && r["bid_id"].is_string()) << b5.out;
    const auto row = db.bid(to_id(r["bid_id"].get<std::string>()));
    ASSERT_TRUE(row.has_value()) << "an acknowledged bid is stored";
    EXPECT_TRUE(row->accepted);
    EXPECT_EQ(row->max_amount, 1600);
    EXPECT_EQ(row->price_after, 1250);
  }

  // What the CLI acknowledged is in the database: five attempts, three accepted.
  {
    const auto rows = db.bids(to_id(id));
    ASSERT_EQ(rows.size(), 5U);
    EXPECT_EQ(accepted_count(rows), 3);
  }

  // get: the price as currency, the leader by name, and never a maximum.
  auto got = bob.run({"get", id});
  auto got_json = bob.run({"--json", "get", id});
  const bool surely_open = SteadyClock::now() < created_before + 3s;
  ASSERT_EQ(got.exit_code, 0) << describe(got);
  if (surely_open) {
    EXPECT_EQ(field(got.out, "status"), "active") << describe(got);
    EXPECT_EQ(field(got.out, "min next bid"), "13.00 USD") << describe(got);
  }
  EXPECT_EQ(field(got.out, "current price"), "12.50 USD") << describe(got);
  EXPECT_EQ(field(got.out, "leader"), alice.named()) << describe(got);
  EXPECT_EQ(field(got.out, "bids"), "3") << describe(got);
  EXPECT_EQ(field(got.out, "starting price"), "10.00 USD") << describe(got);
  EXPECT_EQ(field(got.out, "version"), std::to_string(v0 + 3)) << describe(got);
  EXPECT_FALSE(contains(got.out, "15.00") || contains(got.out, "16.00"))
      << "Alice's maximum leaked: " << describe(got);
  {
    const Table top = table_of(got.out, "#");
    ASSERT_EQ(top.rows.size(), 2U) << describe(got);
    EXPECT_EQ(cell(top, 0, "BIDDER"), alice.named()) << describe(got);
    EXPECT_EQ(cell(top, 0, "LEADING"), "yes") << describe(got);
    EXPECT_EQ(cell(top, 1, "BIDDER"), bob.named()) << describe(got);
  }
  ASSERT_EQ(got_json.exit_code, 0) << describe(got_json);
  {
    const Json j = json_of(got_json);
    const Json a = j.value("auction", Json::object());
    if (surely_open) {
      EXPECT_EQ(a.value("status", ""), "AUCTION_STATUS_ACTIVE") << got_json.out;
    }
    EXPECT_EQ(a.value("id", ""), id) << got_json.out;
    EXPECT_EQ(a.value("currency", ""), "USD") << got_json.out;
    EXPECT_EQ(a.value("starting_price", ""), "1000") << got_json.out;
    EXPECT_EQ(a.value("current_price", ""), "1250") << got_json.out;
    EXPECT_EQ(a.value("leading_bidder_id", ""), alice.id) << got_json.out;
    EXPECT_EQ(a.value("leading_bidder_name", ""), alice.display_name) << got_json.out;
    EXPECT_EQ(a.value("bid_count", ""), "3") << got_json.out;
    EXPECT_EQ(a.value("reserve_price", ""), "0") << got_json.out;
    EXPECT_EQ(a.value("version", ""), std::to_string(v0 + 3)) << got_json.out;
    EXPECT_EQ(j.value("version", ""), std::to_string(v0 + 3)) << got_json.out;
    const Json top = j.value("top_bidders", Json::array());
    ASSERT_EQ(top.size(), 2U) << got_json.out;
    EXPECT_EQ(top[0].value("bidder_id", ""), alice.id) << got_json.out;
    EXPECT_EQ(top[0].value("leading", false), true) << got_json.out;
    for (const auto& t : top) {
      EXPECT_NE(t.value("amount", ""), "1500") << "a maximum leaked: " << got_json.out;
      EXPECT_NE(t.value("amount", ""), "1600") << "a maximum leaked: " << got_json.out;
    }
    // The JSON carries what the database holds.
    const auto stored = db.auction(to_id(id));
    ASSERT_TRUE(stored.has_value());
    EXPECT_EQ(std::to_string(stored->current_price), a.value("current_price", ""));
    EXPECT_EQ(std::to_string(stored->version), a.value("version", ""));
    EXPECT_EQ(stored->leader_id, std::optional<std::int64_t>(to_id(alice.id)));
  }

  // history: the accepted bids, newest first, with the price each produced.
  auto history = sam.run({"history", id});
  ASSERT_EQ(history.exit_code, 0) << describe(history);
  {
    const Table h = table_of(history.out, "TIME");
    ASSERT_EQ(h.rows.size(), 3U) << "three accepted bids (rejections are not history): "
                                 << describe(history);
    const std::vector<std::pair<std::string, std::string>> expected = {
        {alice.named(), "12.50 USD"}, {bob.named(), "12.50 USD"}, {alice.named(), "10.00 USD"}};
    for (std::size_t i = 0; i < expected.size(); ++i) {
      EXPECT_EQ(cell(h, i, "BIDDER"), expected[i].first) << describe(history);
      EXPECT_EQ(cell(h, i, "AMOUNT"), expected[i].second) << describe(history);
      EXPECT_EQ(cell(h, i, "VERSION"), std::to_string(v0 + 3 - static_cast<std::int64_t>(i)))
          << describe(history);
    }
    EXPECT_FALSE(contains(history.out, "15.00") || contains(history.out, "16.00"))
        << describe(history);
  }
  auto history_json = sam.run({"--json", "history", id});
  ASSERT_EQ(history_json.exit_code, 0) << describe(history_json);
  {
    const Json bids = json_of(history_json).value("bids", Json::array());
    ASSERT_EQ(bids.size(), 3U) << history_json.out;
    const std::vector<std::pair<std::string, std::string>> expected = {
        {alice.id, "1250"}, {bob.id, "1250"}, {alice.id, "1000"}};
    for (std::size_t i = 0; i < expected.size(); ++i) {
      EXPECT_EQ(bids[i].value("bidder_id", ""), expected[i].first) << history_json.out;
      EXPECT_EQ(bids[i].value("amount", ""), expected[i].second) << history_json.out;
      EXPECT_EQ(bids[i].value("version", ""), std::to_string(v0 + 3 - static_cast<std::int64_t>(i)))
          << history_json.out;
      EXPECT_EQ(bids[i].value("accepted", false), true) << history_json.out;
      EXPECT_EQ(bids[i].value("max_amount", ""), "0") << "maxima are private: " << history_json.out;
    }
  }

  // list: the auction is there with its price and bid count.
  auto list = alice.run({"list"});
  ASSERT_EQ(list.exit_code, 0) << describe(list);
  {
    const Table l = table_of(list.out, "ID");
    bool found = false;
    for (std::size_t i = 0; i < l.rows.size(); ++i) {
      if (cell(l, i, "ID") != id) continue;
      found = true;
      EXPECT_EQ(cell(l, i, "TITLE"), "Desk lamp") << describe(list);
      EXPECT_EQ(cell(l, i, "PRICE"), "12.50 USD") << describe(list);
      EXPECT_EQ(cell(l, i, "BIDS"), "3") << describe(list);
    }
    EXPECT_TRUE(found) << "auction " << id << " is not listed: " << describe(list);
  }
  auto list_json = alice.run({"--json", "list"});
  ASSERT_EQ(list_json.exit_code, 0) << describe(list_json);
  {
    bool found = false;
    for (const auto& a : json_of(list_json).value("auctions", Json::array())) {
      if (a.value("id", "") != id) continue;
      found = true;
      EXPECT_EQ(a.value("current_price", ""), "1250") << list_json.out;
      EXPECT_EQ(a.value("bid_count", ""), "3") << list_json.out;
    }
    EXPECT_TRUE(found) << list_json.out;
  }

  // my-bids: each bidder sees their own attempts with their own maxima. (The
  // order is checked in MyBidsListsAttemptsNewestFirst.)
  auto alice_bids = alice.run({"my-bids"});
  ASSERT_EQ(alice_bids.exit_code, 0) << describe(alice_bids);
  {
    const Table t = table_of(alice_bids.out, "TIME");
    ASSERT_EQ(t.rows.size(), 2U) << describe(alice_bids);
    std::multiset<std::string> seen;
    for (std::size_t i = 0; i < t.rows.size(); ++i) {
      EXPECT_EQ(cell(t, i, "AUCTION"), id) << describe(alice_bids);
      seen.insert(cell(t, i, "MAX") + " " + cell(t, i, "RESULT"));
    }
    EXPECT_EQ(seen, (std::multiset<std::string>{"15.00 USD accepted", "16.00 USD accepted"}))
        << describe(alice_bids);
  }
  auto bob_bids = bob.run({"my-bids"});
  ASSERT_EQ(bob_bids.exit_code, 0) << describe(bob_bids);
  {
    const Table t = table_of(bob_bids.out, "TIME");
    ASSERT_EQ(t.rows.size(), 3U) << "every attempt, rejected ones too: " << describe(bob_bids);
    std::multiset<std::string> seen;
    for (std::size_t i = 0; i < t.rows.size(); ++i) {
      EXPECT_EQ(cell(t, i, "AUCTION"), id) << describe(bob_bids);
      seen.insert(cell(t, i, "MAX") + " " + cell(t, i, "RESULT"));
    }
    EXPECT_EQ(seen,
              (std::multiset<std::string>{"12.00 USD accepted", "12.50 USD rejected: BID_TOO_LOW",
                                          "12.75 USD rejected: BID_TOO_LOW"}))
        << describe(bob_bids);
    EXPECT_FALSE(contains(bob_bids.out, "15.00") || contains(bob_bids.out, "16.00"))
        << "Alice's maximum leaked to Bob: " << describe(bob_bids);
  }
  auto bob_bids_json = bob.run({"--json", "my-bids"});
  ASSERT_EQ(bob_bids_json.exit_code, 0) << describe(bob_bids_json);
  {
    std::multiset<std::string> seen;
    for (const auto& b : json_of(bob_bids_json).value("bids", Json::array())) {
      EXPECT_EQ(b.value("auction_id", ""), id) << bob_bids_json.out;
      EXPECT_EQ(b.value("bidder_id", ""), bob.id) << bob_bids_json.out;
      seen.insert(b.value("max_amount", "") + " " + b.value("reject_reason", ""));
    }
    EXPECT_EQ(seen, (std::multiset<std::string>{"1200 REJECT_REASON_UNSPECIFIED",
                                                "1250 BID_TOO_LOW", "1275 BID_TOO_LOW"}))
        << bob_bids_json.out;
  }

  // my-auctions: the seller's auction; a bidder sells nothing.
  auto mine = sam.run({"my-auctions"});
  ASSERT_EQ(mine.exit_code, 0) << describe(mine);
  {
    const Table t = table_of(mine.out, "ID");
    ASSERT_EQ(t.rows.size(), 1U) << describe(mine);
    EXPECT_EQ(cell(t, 0, "ID"), id) << describe(mine);
    EXPECT_EQ(cell(t, 0, "TITLE"), "Desk lamp") << describe(mine);
    EXPECT_EQ(cell(t, 0, "PRICE"), "12.50 USD") << describe(mine);
    EXPECT_EQ(cell(t, 0, "BIDS"), "3") << describe(mine);
  }
  auto mine_json = sam.run({"--json", "my-auctions"});
  ASSERT_EQ(mine_json.exit_code, 0) << describe(mine_json);
  {
    const Json auctions = json_of(mine_json).value("auctions", Json::array());
    ASSERT_EQ(auctions.size(), 1U) << mine_json.out;
    EXPECT_EQ(auctions[0].value("id", ""), id) << mine_json.out;
    EXPECT_EQ(auctions[0].value("seller_id", ""), sam.id) << mine_json.out;
  }
  auto bob_auctions = bob.run({"my-auctions"});
  ASSERT_EQ(bob_auctions.exit_code, 0) << describe(bob_auctions);
  EXPECT_EQ(bob_auctions.out, "no auctions\n") << describe(bob_auctions);

  // After the end: poll `get` (bounded) until it shows the outcome.
  ProgramResult ended;
  const auto poll_deadline = created_before + 3s + 15s;
  for (int i = 0; i < 200; ++i) {
    ended = alice.run({"get", id});
    if (ended.exit_code == 0 && field(ended.out, "status") == "ended" &&
        has_field(ended.out, "outcome")) {
      break;
    }
    if (SteadyClock::now() >= poll_deadline) break;
    std::this_thread::sleep_for(100ms);
  }
  ASSERT_EQ(ended.exit_code, 0) << describe(ended);
  ASSERT_EQ(field(ended.out, "status"), "ended")
      << "the 3 s auction had not ended 15 s after its end: " << describe(ended);
  EXPECT_EQ(field(ended.out, "outcome"), "sold to " + alice.named() + " for 12.50 USD")
      << describe(ended);
  EXPECT_EQ(field(ended.out, "current price"), "12.50 USD") << describe(ended);
  EXPECT_FALSE(has_field(ended.out, "min next bid")) << describe(ended);
  EXPECT_TRUE(has_field(ended.out, "ended at")) << describe(ended);

  auto ended_json = alice.run({"--json", "get", id});
  ASSERT_EQ(ended_json.exit_code, 0) << describe(ended_json);
  {
    const Json j = json_of(ended_json);
    const Json a = j.value("auction", Json::object());
    EXPECT_EQ(a.value("status", ""), "AUCTION_STATUS_ENDED") << ended_json.out;
    EXPECT_EQ(a.value("outcome", ""), "OUTCOME_SOLD") << ended_json.out;
    EXPECT_EQ(a.value("winner_id", ""), alice.id) << ended_json.out;
    EXPECT_EQ(a.value("final_price", ""), "1250") << ended_json.out;
    EXPECT_EQ(a.value("current_price", ""), "1250") << ended_json.out;
    EXPECT_EQ(a.value("version", ""), std::to_string(v0 + 4)) << "the end is one more version";
    EXPECT_EQ(j.value("time_remaining", ""), "0s") << ended_json.out;
  }

  // And in the database.
  const auto stored = db.auction(to_id(id));
  ASSERT_TRUE(stored.has_value());
  EXPECT_EQ(stored->phase, "ENDED");
  EXPECT_EQ(stored->outcome, "SOLD");
  EXPECT_EQ(stored->winner_id, std::optional<std::int64_t>(to_id(alice.id)));
  EXPECT_EQ(stored->final_price, 1250);

  // A bid after the end: rejected (exit 3) with AUCTION_ENDED.
  auto late = bob.run({"bid", id, "20.00"});
  EXPECT_EQ(late.exit_code, 3) << describe(late);
  EXPECT_TRUE(contains(field(late.out, "rejected"), "AUCTION_ENDED")) << describe(late);
}

TEST(Cli, ErrorsExitOneWithTheCodeAndUsageErrorsChangeNothing) {
  Db& db = shared_db();
  Person sam("sam", "Sam the Seller", "sam-secret-1");
  Person bob("bob", "Bob B", "bob-secret-12");
  Person stranger("stranger", "Not Logged In", "unused-password");
  ASSERT_NO_FATAL_FAILURE(sign_up(sam));
  ASSERT_NO_FATAL_FAILURE(sign_up(bob));
  const std::string id = create_auction(sam, "Desk lamp", "1m");
  ASSERT_FALSE(id.empty());

  // An unknown auction: exit 1, "error: NOT_FOUND: ..." on stderr.
  auto missing = bob.run({"get", "999999"});
  EXPECT_EQ(missing.exit_code, 1) << describe(missing);
  EXPECT_EQ(missing.err.rfind("error: NOT_FOUND: ", 0), 0U) << describe(missing);
  EXPECT_EQ(missing.out, "") << describe(missing);

  // A bid without a stored login: UNAUTHENTICATED, with advice, and no row.
  const RowCounts before_anonymous = db.counts();
  auto anonymous = stranger.run({"bid", id, "20.00"});
  EXPECT_EQ(anonymous.exit_code, 1) << describe(anonymous);
  EXPECT_EQ(anonymous.err.rfind("error: UNAUTHENTICATED: ", 0), 0U) << describe(anonymous);
  EXPECT_TRUE(contains(anonymous.err, "hint: not logged in")) << describe(anonymous);
  EXPECT_EQ(db.counts(), before_anonymous);

  // Nothing listens on port 1: UNAVAILABLE, well within the call deadline.
  auto down = bob.run({"--server", "127.0.0.1:1", "get", "1"});
  EXPECT_EQ(down.exit_code, 1) << describe(down);
  EXPECT_FALSE(down.timed_out) << describe(down);
  EXPECT_EQ(down.err.rfind("error: UNAVAILABLE: ", 0), 0U) << describe(down);
  EXPECT_LT(down.elapsed, kCliCallDeadline) << describe(down);

  // Malformed amounts: usage errors (exit 2) that never reach the server.
  const RowCounts before = db.counts();
  const auto auction_before = db.auction(to_id(id));
  ASSERT_TRUE(auction_before.has_value());
  for (const std::string amount : {"1.234", "abc", "0", "12.345"}) {
    auto bad = bob.run({"bid", id, amount});
    EXPECT_EQ(bad.exit_code, 2) << describe(bad);
    EXPECT_TRUE(contains(bad.err, "error: invalid value '" + amount + "' for AMOUNT"))
        << describe(bad);
    EXPECT_EQ(bad.out, "") << describe(bad);
  }
  auto no_amount = bob.run({"bid", id});
  EXPECT_EQ(no_amount.exit_code, 2) << describe(no_amount);
  EXPECT_EQ(db.counts(), before) << "a usage error wrote something";
  const auto auction_after = db.auction(to_id(id));
  ASSERT_TRUE(auction_after.has_value());
  EXPECT_EQ(auction_after->version, auction_before->version);
  EXPECT_EQ(auction_after->bid_count, 0);

  // The same bidder with a well-formed amount gets through: the checks above
  // were about the amount, not the login.
  auto good = bob.run({"bid", id, "10.00"});
  EXPECT_EQ(good.exit_code, 0) << describe(good);
  EXPECT_EQ(db.counts().bids, before.bids + 1);
}

/// `auction-cli ARGS...` pointed at `server` (AUCTION_SERVER) with an empty
/// config directory: for what the CLI says before or without a server.
ProgramResult run_against(const std::string& server, const std::vector<std::string>& args) {
  const std::string config_home = make_temp_dir("auction-cli-noserver");
  std::vector<std::string> argv{cli_path()};
  argv.insert(argv.end(), args.begin(), args.end());
  ProgramOptions options;
  options.env["XDG_CONFIG_HOME"] = config_home;
  options.env["AUCTION_SERVER"] = server;
  options.env["AUCTION_PASSWORD"] = std::nullopt;
  options.timeout = kCliTimeLimit;
  ProgramResult r = run_program(argv, options);
  remove_tree(config_home);
  return r;
}

/// The one JSON object a --json run wrote on stderr ({} when it is not one).
Json json_error_of(const ProgramResult& r) {
  Json j = Json::parse(r.err, nullptr, /*allow_exceptions=*/false);
  EXPECT_TRUE(!j.is_discarded() && j.is_object() && j.contains("error"))
      << "stderr is not one {\"error\": ...} object: " << describe(r);
  return j.is_discarded() || !j.is_object() ? Json::object() : j.value("error", Json::object());
}

// Issue 10, item 7: with no server the user is told where the CLI looked and
// how to point it elsewhere, whether the address came from the flag or the
// environment.
TEST(Cli, NoServerHintsThatAuctiondIsNotRunningAndHowToPointAtIt) {
  auto from_env = run_against("127.0.0.1:1", {"get", "1"});
  EXPECT_EQ(from_env.exit_code, 1) << describe(from_env);
  EXPECT_EQ(from_env.err.rfind("error: UNAVAILABLE: ", 0), 0U) << describe(from_env);
  EXPECT_TRUE(contains(from_env.err,
                       "\nhint: is auctiond running at 127.0.0.1:1? Set --server or "
                       "AUCTION_SERVER.\n"))
      << describe(from_env);

  auto from_flag = run_against("127.0.0.1:1", {"--server", "127.0.0.1:2", "list"});
  EXPECT_EQ(from_flag.exit_code, 1) << describe(from_flag);
  EXPECT_TRUE(contains(from_flag.err, "hint: is auctiond running at 127.0.0.1:2?"))
      << describe(from_flag);
}

// Item 8: a mistyped subcommand is named, with the nearest real one when
// there is a close one; a usage error (exit 2) that prints nothing on stdout.
TEST(Cli, MistypedCommandIsNamedWithTheNearestOne) {
  auto bidd = run_against("127.0.0.1:1", {"bidd", "1", "10"});
  EXPECT_EQ(bidd.exit_code, 2) << describe(bidd);
  EXPECT_TRUE(contains(bidd.err, "error: unknown command 'bidd'")) << describe(bidd);
  EXPECT_TRUE(contains(bidd.err, "did you mean 'bid'?")) << describe(bidd);
  EXPECT_FALSE(contains(bidd.err, "were not expected")) << describe(bidd);
  EXPECT_EQ(bidd.out, "") << describe(bidd);

  // After a global option with a value, and a transposition.
  auto lsit = run_against("127.0.0.1:1", {"--timeout", "5", "lsit"});
  EXPECT_EQ(lsit.exit_code, 2) << describe(lsit);
  EXPECT_TRUE(contains(lsit.err, "error: unknown command 'lsit'")) << describe(lsit);
  EXPECT_TRUE(contains(lsit.err, "did you mean 'list'?")) << describe(lsit);

  // Nothing close: no guess.
  auto far = run_against("127.0.0.1:1", {"frobnicate"});
  EXPECT_EQ(far.exit_code, 2) << describe(far);
  EXPECT_TRUE(contains(far.err, "error: unknown command 'frobnicate'")) << describe(far);
  EXPECT_FALSE(contains(far.err, "did you mean")) << describe(far);
}

// Item 9: the server's field names become the CLI's flags, and an unknown
// currency is answered with the codes that are supported.
TEST(Cli, CreateErrorsNameTheCliFlagsAndTheSupportedCurrencies) {
  Db& db = shared_db();
  Person sam("sam", "Sam the Seller", "sam-secret-1");
  ASSERT_NO_FATAL_FAILURE(sign_up(sam));
  const RowCounts before = db.counts();

  auto reserve = sam.run({"create", "--title", "Lamp", "--start-price", "10.00", "--reserve",
                          "5.00", "--duration", "1m"});
  EXPECT_EQ(reserve.exit_code, 1) << describe(reserve);
  EXPECT_TRUE(
      contains(reserve.err, "error: INVALID_ARGUMENT: --reserve must be at least --start-price"))
      << describe(reserve);
  EXPECT_FALSE(contains(reserve.err, "reserve_price")) << describe(reserve);

  auto buy_now = sam.run({"create", "--title", "Lamp", "--start-price", "10.00", "--buy-now",
                          "10.00", "--duration", "1m"});
  EXPECT_EQ(buy_now.exit_code, 1) << describe(buy_now);
  EXPECT_TRUE(contains(buy_now.err, "--buy-now must be greater than --start-price"))
      << describe(buy_now);

  auto currency = sam.run({"create", "--title", "Lamp", "--start-price", "10.00", "--currency",
                           "XYZ", "--duration", "1m"});
  EXPECT_NE(currency.exit_code, 0) << describe(currency);
  for (const std::string code : {"USD", "EUR", "GBP", "CHF", "CNY"}) {
    EXPECT_TRUE(contains(currency.err, code)) << code << " not listed: " << describe(currency);
  }
  EXPECT_EQ(db.counts(), before);
}

// Issue 10, item 6: the soft-close cap from `create` to `get`.
TEST(Cli, SoftCloseMaxExtensionIsSetByCreateAndShownByGet) {
  Person sam("sam", "Sam the Seller", "sam-secret-1");
  ASSERT_NO_FATAL_FAILURE(sign_up(sam));
  auto created = sam.run({"create", "--title", "Lamp", "--start-price", "10.00", "--duration", "1h",
                          "--soft-close-window", "30s", "--soft-close-extension", "1m",
                          "--soft-close-max-extension", "10m"});
  ASSERT_EQ(created.exit_code, 0) << describe(created);
  const std::string id = capture(created.out, R"(^created auction ([0-9]+)\n)");
  ASSERT_FALSE(id.empty()) << describe(created);
  const std::string shown =
      "bids in the last 30s extend the end by 1m, at most 10m past the original end";
  EXPECT_EQ(field(created.out, "soft close"), shown) << describe(created);
  auto got = sam.run({"get", id});
  ASSERT_EQ(got.exit_code, 0) << describe(got);
  EXPECT_EQ(field(got.out, "soft close"), shown) << describe(got);
  auto as_json = sam.run({"--json", "get", id});
  ASSERT_EQ(as_json.exit_code, 0) << describe(as_json);
  const Json j = json_of(as_json);
  EXPECT_EQ(j["auction"].value("soft_close_max_extension", ""), "600s") << as_json.out;

  auto without_soft_close = sam.run({"create", "--title", "Lamp", "--start-price", "10.00",
                                     "--duration", "1h", "--soft-close-max-extension", "10m"});
  EXPECT_EQ(without_soft_close.exit_code, 2) << describe(without_soft_close);
  EXPECT_TRUE(contains(without_soft_close.err, "--soft-close-max-extension"))
      << describe(without_soft_close);
}

// Item 9: a seller bidding on their own auction is told so in words, and
// under --json the rejection is also the JSON error on stderr (exit 3 both).
TEST(Cli, SelfBidIsExplainedInWords) {
  Person sam("sam", "Sam the Seller", "sam-secret-1");
  ASSERT_NO_FATAL_FAILURE(sign_up(sam));
  const std::string id = create_auction(sam, "Desk lamp", "1m");
  ASSERT_FALSE(id.empty());

  auto text = sam.run({"bid", id, "20.00"});
  EXPECT_EQ(text.exit_code, 3) << describe(text);
  EXPECT_EQ(field(text.out, "rejected"), "SELF_BID: sellers cannot bid on their own auction")
      << describe(text);

  auto json = sam.run({"--json", "bid", id, "20.00"});
  EXPECT_EQ(json.exit_code, 3) << describe(json);
  EXPECT_EQ(json_of(json).value("reject_reason", ""), "SELF_BID") << describe(json);
  const Json e = json_error_of(json);
  EXPECT_EQ(e.value("code", ""), "SELF_BID") << describe(json);
  EXPECT_EQ(e.value("message", ""), "sellers cannot bid on their own auction") << describe(json);
}

// Item 9: under --json every error is one JSON object on stderr, with the
// exit codes of the text form.
TEST(Cli, JsonErrorsAreOneObjectOnStderrWithTheSameExitCodes) {
  Person bob("bob", "Bob B", "bob-secret-12");
  ASSERT_NO_FATAL_FAILURE(sign_up(bob));

  auto missing = bob.run({"--json", "get", "999999"});
  EXPECT_EQ(missing.exit_code, 1) << describe(missing);
  EXPECT_EQ(missing.out, "") << describe(missing);
  EXPECT_EQ(json_error_of(missing).value("code", ""), "NOT_FOUND") << describe(missing);
  EXPECT_FALSE(json_error_of(missing).value("message", "").empty()) << describe(missing);

  auto bad_amount = bob.run({"--json", "bid", "1", "abc"});
  EXPECT_EQ(bad_amount.exit_code, 2) << describe(bad_amount);
  EXPECT_EQ(json_error_of(bad_amount).value("code", ""), "USAGE") << describe(bad_amount);
  EXPECT_TRUE(contains(json_error_of(bad_amount).value("message", ""), "for AMOUNT"))
      << describe(bad_amount);

  auto no_amount = bob.run({"--json", "bid", "1"});
  EXPECT_EQ(no_amount.exit_code, 2) << describe(no_amount);
  EXPECT_EQ(json_error_of(no_amount).value("code", ""), "USAGE") << describe(no_amount);

  auto typo = bob.run({"--json", "bidd", "1", "10"});
  EXPECT_EQ(typo.exit_code, 2) << describe(typo);
  EXPECT_EQ(json_error_of(typo).value("code", ""), "USAGE") << describe(typo);
  EXPECT_EQ(json_error_of(typo).value("hint", ""), "did you mean 'bid'?") << describe(typo);

  auto down = bob.run({"--json", "--server", "127.0.0.1:1", "get", "1"});
  EXPECT_EQ(down.exit_code, 1) << describe(down);
  EXPECT_EQ(json_error_of(down).value("code", ""), "UNAVAILABLE") << describe(down);
  EXPECT_EQ(json_error_of(down).value("hint", ""),
            "is auctiond running at 127.0.0.1:1? Set --server or AUCTION_SERVER.")
      << describe(down);
}

// Item 10: `list --seller` takes the seller's username as well as their id,
// and the options say what they take.
TEST(Cli, ListBySellerTakesAUsernameAndTheOptionsAreExplained) {
  Person sam("sam", "Sam the Seller", "sam-secret-1");
  Person sue("sue", "Sue Seller", "sue-secret-12");
  ASSERT_NO_FATAL_FAILURE(sign_up(sam));
  ASSERT_NO_FATAL_FAILURE(sign_up(sue));
  const std::string sams = create_auction(sam, "Sam's lamp", "1m");
  const std::string sues = create_auction(sue, "Sue's chair", "1m");
  ASSERT_FALSE(sams.empty());
  ASSERT_FALSE(sues.empty());

  for (const std::string& seller : {sam.username, sam.id}) {
    auto r = sue.run({"--json", "list", "--seller", seller});
    ASSERT_EQ(r.exit_code, 0) << describe(r);
    std::vector<std::string> ids;
    for (const auto& a : json_of(r).value("auctions", Json::array())) {
      ids.push_back(a.value("id", ""));
    }
    EXPECT_EQ(ids, std::vector<std::string>{sams}) << "--seller " << seller << ": " << describe(r);
  }

  auto list_help = sam.run({"list", "--help"});
  EXPECT_EQ(list_help.exit_code, 0) << describe(list_help);
  EXPECT_TRUE(contains(list_help.out, "username")) << describe(list_help);
  auto create_help = sam.run({"create", "--help"});
  EXPECT_EQ(create_help.exit_code, 0) << describe(create_help);
  const std::string category_line = capture(create_help.out, R"((\n *--category[^\n]*))");
  EXPECT_NE(category_line, "") << describe(create_help);
  EXPECT_TRUE(std::regex_search(category_line, std::regex(R"(TEXT +[A-Za-z])")))
      << "--category has no help text: '" << category_line << "'";
}

/// The bench report's "bids:   accepted N, ..." count.
std::int64_t accepted_in_text_report(const std::string& out) {
  const std::string n = capture(out, R"(\nbids: +accepted ([0-9]+), rejected)");
  return n.empty() ? -1 : std::stoll(n);
}

/// Accepted bid rows on the auctions of the bench run `prefix` (its seller is PREFIX_s).
std::int64_t stored_accepted_bids(Db& db, const std::string& prefix, std::int64_t& auctions) {
  const std::string seller = "(SELECT id FROM users WHERE username = '" + prefix + "_s')";
  auctions = db.scalar("SELECT count(*) FROM auctions WHERE seller_id = " + seller);
  return db.scalar(
      "SELECT count(*) FROM bids b JOIN auctions a ON a.id = b.auction_id "
      "WHERE b.accepted AND a.seller_id = " +
      seller);
}

TEST(Cli, BenchReportsOnlyDurableAcceptedBids) {
  Db& db = shared_db();
  Person operator_("bench", "Bench Operator", "unused-password");
  const std::vector<std::string> args = {"bench", "--duration",  "1s", "--warmup",
                                         "0s",    "--auctions",  "3",  "--bidders",
                                         "3",     "--in-flight", "4"};

  auto text = operator_.run(args);
  ASSERT_EQ(text.exit_code, 0) << describe(text);
  const std::string prefix = capture(text.err, R"(bench: run prefix ([a-z0-9]+);)");
  ASSERT_FALSE(prefix.empty()) << describe(text);
  const std::string rate_text = capture(text.out, R"(\nbids \(accepted, durable\) +([0-9.]+) )");
  ASSERT_FALSE(rate_text.empty()) << "no bids line: " << describe(text);
  EXPECT_GT(std::stod(rate_text), 0.0) << describe(text);
  const std::int64_t reported = accepted_in_text_report(text.out);
  ASSERT_GE(reported, 1) << describe(text);
  std::int64_t auctions = 0;
  const std::int64_t stored = stored_accepted_bids(db, prefix, auctions);
  EXPECT_EQ(auctions, 3);
  EXPECT_LE(reported, stored) << "bench reported more accepted bids than the database holds: "
                              << describe(text);
}

// `bench watch` is how the live-update figures are measured: its counts
// must agree with what the server stored and sent.
TEST(Cli, BenchWatchDeliversEveryAcceptedBidToEveryWatcherAndSaysSo) {
  Db& db = shared_db();
  Person operator_("benchwatch", "Bench Operator", "unused-password");
  auto run =
      operator_.run({"--json", "bench", "watch", "--watchers", "40", "--watchers-per-channel", "10",
                     "--bid-rate", "20", "--duration", "2s"});
  ASSERT_EQ(run.exit_code, 0) << describe(run);
  const Json r = json_of(run);
  EXPECT_EQ(r["watchers_ready"].get<int>(), 40) << run.out;
  const std::int64_t accepted = r["bids"]["accepted"].get<std::int64_t>();
  ASSERT_GE(accepted, 1) << run.out;
  const std::string auction_id = r["config"]["auction_id"].get<std::string>();
  EXPECT_EQ(accepted,
            db.scalar("SELECT count(*) FROM bids WHERE accepted AND auction_id = " + auction_id))
      << run.out;
  // Every watcher gets every accepted bid (as its BID_PLACED or inside a
  // coalesced SNAPSHOT), in order, nothing unreadable.
  EXPECT_EQ(r["expected_deliveries"].get<std::int64_t>(), accepted * 40) << run.out;
  EXPECT_EQ(r["deliveries"].get<std::int64_t>(), accepted * 40) << run.out;
  EXPECT_EQ(r["version_gaps"].get<std::int64_t>(), 0) << run.out;
  EXPECT_EQ(r["malformed_messages"].get<std::int64_t>(), 0) << run.out;
  EXPECT_EQ(r["bid_events_without_accepted_reply"].get<std::int64_t>(), 0) << run.out;
  EXPECT_GT(r["latency_ms"]["p50"].get<double>(), 0.0) << run.out;
  EXPECT_GE(r["latency_ms"]["max"].get<double>(), r["latency_ms"]["p99"].get<double>()) << run.out;
}

// ListMyBids promises "every attempt, newest first" (auction.proto) and
// `my-bids --help` says "Your bid attempts, newest first". One bidder raises
// their own maximum step by step; the list must show the maxima newest first.
TEST(Cli, MyBidsListsAttemptsNewestFirst) {
  Person sam("sam", "Sam the Seller", "sam-secret-1");
  Person alice("alice", "Alice A", "alice-secret-1");
  ASSERT_NO_FATAL_FAILURE(sign_up(sam));
  ASSERT_NO_FATAL_FAILURE(sign_up(alice));
  const std::string id = create_auction(sam, "Desk lamp", "1m");
  ASSERT_FALSE(id.empty());

  const std::vector<std::string> maxima = {"15.00", "16.00", "17.00", "18.00", "19.00", "20.00"};
  for (const auto& m : maxima) {
    auto r = alice.run({"bid", id, m});
    ASSERT_EQ(r.exit_code, 0) << describe(r);
  }
  // What the user reads: the MAX column, newest first.
  auto table = alice.run({"my-bids"});
  ASSERT_EQ(table.exit_code, 0) << describe(table);
  const Table t = table_of(table.out, "TIME");
  std::vector<std::string> max_column;
  for (std::size_t i = 0; i < t.rows.size(); ++i) max_column.push_back(cell(t, i, "MAX"));
  EXPECT_EQ(max_column, (std::vector<std::string>{"20.00 USD", "19.00 USD", "18.00 USD",
                                                  "17.00 USD", "16.00 USD", "15.00 USD"}))
      << describe(table);

  // The same list as JSON, with the exact times for the report.
  auto mine = alice.run({"--json", "my-bids"});
  ASSERT_EQ(mine.exit_code, 0) << describe(mine);
  const Json bids = json_of(mine).value("bids", Json::array());
  ASSERT_EQ(bids.size(), maxima.size()) << mine.out;
  std::vector<std::string> listed;
  std::vector<std::string> placed_at;
  for (const auto& b : bids) {
    listed.push_back(b.value("max_amount", ""));
    placed_at.push_back(b.value("placed_at", ""));
  }
  const std::vector<std::string> newest_first = {"2000", "1900", "1800", "1700", "1600", "1500"};
  EXPECT_EQ(listed, newest_first) << "my-bids is not newest first; placed_at in listed order: "
                                  << Json(placed_at).dump() << "\n"
                                  << mine.out;
}

}  // namespace
}  // namespace auction::test
