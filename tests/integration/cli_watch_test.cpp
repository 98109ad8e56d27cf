// auction-cli's live commands end to end: `watch` in a real terminal (tmux),
// `watch --json` and `watch` without a terminal until the auction ends,
// `watch` across a server restart, and the notification and watch-list
// commands (`notifications`, `--follow`, `mark-read`, `follow`, `unfollow`,
// `following`). The real binary against the real auctiond and PostgreSQL;
// each test case runs in its own process with its own cluster and server.
//
// Prices (SPEC section 3, default increments 5.00-24.99 -> 0.50): start
// 10.00; Alice, max 15.00: only bidder, price 10.00; Bob, max 20.00: Bob
// leads at 15.00 + 0.50 = 15.50, and Alice is OUTBID at 15.50.
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <nlohmann/json.hpp>
#include <optional>
#include <regex>
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

constexpr auto kCliTimeLimit = 20s;
constexpr const char* kTmux = "/usr/bin/tmux";

std::string cli_path() { return AUCTION_CLI_PATH; }

/// The first capture of `re` in `text`, or "".
std::string capture(const std::string& text, const std::string& re) {
  std::smatch m;
  if (std::regex_search(text, m, std::regex(re)) && m.size() > 1) return m[1].str();
  return {};
}

/// Seconds in a countdown such as "1m 58s" or "59s"; -1 when unreadable.
int countdown_seconds(const std::string& text) {
  std::smatch m;
  if (std::regex_match(text, m, std::regex(R"((?:(\d+)m )?(\d+)s)"))) {
    return (m[1].matched ? std::stoi(m[1].str()) * 60 : 0) + std::stoi(m[2].str());
  }
  return -1;
}

/// Single quotes for sh.
std::string quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

std::string unique_username(const std::string& base) {
  static int counter = 0;
  return base + "_" + std::to_string(++counter);
}

/// One person at the terminal with their own stored login.
class Person {
 public:
  Person(const std::string& name, std::string display)
      : username(unique_username(name)),
        display_name(std::move(display)),
        config_home_(make_temp_dir("auction-cli-" + name)) {}
  ~Person() { remove_tree(config_home_); }
  Person(const Person&) = delete;
  Person& operator=(const Person&) = delete;

  ProgramResult run(const std::vector<std::string>& args,
                    std::chrono::milliseconds limit = kCliTimeLimit) const {
    std::vector<std::string> argv{cli_path()};
    argv.insert(argv.end(), args.begin(), args.end());
    ProgramOptions options;
    options.env["XDG_CONFIG_HOME"] = config_home_;
    options.env["AUCTION_SERVER"] = shared_server().address();
    options.env["AUCTION_PASSWORD"] = std::nullopt;
    options.timeout = limit;
    return run_program(argv, options);
  }

  /// `auction-cli ARGS...` as a shell command line for a tmux pane.
  std::string shell_command(const std::vector<std::string>& args) const {
    std::string cmd = "env XDG_CONFIG_HOME=" + quoted(config_home_) +
                      " AUCTION_SERVER=" + quoted(shared_server().address()) + " " +
                      quoted(cli_path());
    for (const auto& a : args) cmd += " " + quoted(a);
    return cmd;
  }

  /// "Alice A (id 2)", as the CLI names a user.
  std::string named() const { return display_name + " (id " + id + ")"; }

  const std::string username;
  const std::string display_name;
  const std::string password = "secret-password-1";
  std::string id;

 private:
  std::string config_home_;
};

void sign_up(Person& p) {
  auto reg = p.run({"register", p.username, p.display_name, "--password", p.password});
  ASSERT_EQ(reg.exit_code, 0) << describe(reg);
  p.id = capture(reg.out, "^registered " + p.username + R"( \(id ([0-9]+)\))");
  ASSERT_FALSE(p.id.empty()) << describe(reg);
  auto login = p.run({"login", p.username, "--password", p.password});
  ASSERT_EQ(login.exit_code, 0) << describe(login);
}

std::string create_auction(const Person& seller, const std::string& title,
                           const std::string& duration) {
  auto r =
      seller.run({"create", "--title", title, "--start-price", "10.00", "--duration", duration});
  EXPECT_EQ(r.exit_code, 0) << describe(r);
  std::string id = capture(r.out, R"(^created auction ([0-9]+)\n)");
  EXPECT_FALSE(id.empty()) << describe(r);
  return id;
}

/// A private tmux server (own socket) with one 120x40 session running
/// `command` under sh; killed on destruction.
class Tmux {
 public:
  explicit Tmux(const std::string& command)
      : socket_("auction-cli-test-" + std::to_string(getpid()) + "-" + std::to_string(++count_)) {
    auto r = tmux({"new-session", "-d", "-x", "120", "-y", "40", "-s", "w", command});
    EXPECT_EQ(r.exit_code, 0) << describe(r);
  }
  ~Tmux() { tmux({"kill-server"}); }
  Tmux(const Tmux&) = delete;
  Tmux& operator=(const Tmux&) = delete;

  std::string screen() const { return tmux({"capture-pane", "-p", "-t", "w"}).out; }
  void keys(const std::string& keys) const { tmux({"send-keys", "-t", "w", keys}); }

  /// Polls the screen every 20 ms until `pred` holds or `timeout` passes;
  /// returns the last screen and whether it held.
  template <class Pred>
  std::pair<std::string, bool> wait_for(Pred pred, std::chrono::milliseconds timeout) const {
    const auto deadline = SteadyClock::now() + timeout;
    std::string s;
    for (;;) {
      s = screen();
      if (pred(s)) return {s, true};
      if (SteadyClock::now() >= deadline) return {s, false};
      std::this_thread::sleep_for(20ms);
    }
  }

 private:
  ProgramResult tmux(std::vector<std::string> args) const {
    args.insert(args.begin(), {kTmux, "-L", socket_});
    ProgramOptions options;
    options.timeout = 10s;
    return run_program(args, options);
  }

  static inline int count_ = 0;
  std::string socket_;
};

/// The value on a "label   value" line of a screen.
std::string field(const std::string& screen, const std::string& label) {
  for (const auto& line : lines_of(screen)) {
    if (line.rfind(label + "  ", 0) == 0) {
      std::string v = line.substr(label.size());
      const auto b = v.find_first_not_of(' ');
      const auto e = v.find_last_not_of(' ');
      return b == std::string::npos ? "" : v.substr(b, e - b + 1);
    }
  }
  return "<no '" + label + "' line>";
}

/// `watch` in a pane, then the exit status; Ctrl-C reaches the CLI (the
/// shell only traps it so that it can print the status).
std::string watch_in_pane(const Person& p, const std::string& id) {
  return "trap : INT; " + p.shell_command({"watch", id}) + "; echo \"exit=$?\"; sleep 120";
}

TEST(CliWatch, LiveViewInATerminalShowsNewPricesWithinASecondAndCountsDown) {
  Person sam("sam", "Sam the Seller");
  Person alice("alice", "Alice A");
  Person bob("bob", "Bob B");
  ASSERT_NO_FATAL_FAILURE(sign_up(sam));
  ASSERT_NO_FATAL_FAILURE(sign_up(alice));
  ASSERT_NO_FATAL_FAILURE(sign_up(bob));
  const std::string id = create_auction(sam, "Desk lamp", "5m");
  ASSERT_FALSE(id.empty());

  Tmux term(watch_in_pane(alice, id));
  auto [first, shown] = term.wait_for(
      [](const std::string& s) { return contains(s, "current price  10.00 USD (no bids yet)"); },
      10s);
  ASSERT_TRUE(shown) << "the view never showed the auction:\n" << first;
  EXPECT_TRUE(contains(first, "auction " + id + ": Desk lamp")) << first;
  EXPECT_EQ(field(first, "status"), "active") << first;
  EXPECT_EQ(field(first, "leader"), "none") << first;
  EXPECT_EQ(field(first, "bids"), "0") << first;
  EXPECT_EQ(field(first, "min next bid"), "10.00 USD") << first;

  // The countdown ticks without any event.
  const int left0 = countdown_seconds(field(first, "time left"));
  ASSERT_GT(left0, 200) << first;
  ASSERT_LE(left0, 300) << first;
  auto [later, moved] = term.wait_for(
      [&](const std::string& s) {
        const int left = countdown_seconds(field(s, "time left"));
        return left > 0 && left <= left0 - 2;
      },
      4s);
  EXPECT_TRUE(moved) << "the countdown did not move in 4 s (it was " << left0 << " s):\n" << later;

  // Alice bids: the leader shows within 1 s of the acknowledgement.
  auto b1 = alice.run({"bid", id, "15.00"});
  ASSERT_EQ(b1.exit_code, 0) << describe(b1);
  auto acked = SteadyClock::now();
  auto [s1, led] =
      term.wait_for([&](const std::string& s) { return field(s, "leader") == alice.named(); }, 1s);
  EXPECT_TRUE(led) << "leader not shown within 1 s of the bid:\n" << s1;
  EXPECT_LT(SteadyClock::now() - acked, 1100ms);
  EXPECT_EQ(field(s1, "bids"), "1") << s1;
  EXPECT_EQ(field(s1, "current price"), "10.00 USD") << s1;

  // Bob outbids: the new price within 1 s.
  auto b2 = bob.run({"bid", id, "20.00"});
  ASSERT_EQ(b2.exit_code, 0) << describe(b2);
  acked = SteadyClock::now();
  auto [s2, priced] = term.wait_for(
      [](const std::string& s) { return field(s, "current price") == "15.50 USD"; }, 1s);
  EXPECT_TRUE(priced) << "the new price was not shown within 1 s of the bid:\n" << s2;
  EXPECT_EQ(field(s2, "leader"), bob.named()) << s2;
  EXPECT_EQ(field(s2, "min next bid"), "16.00 USD") << s2;
  EXPECT_TRUE(contains(s2, "bid #2: " + bob.named() + " leads at 15.50 USD")) << s2;
  EXPECT_TRUE(contains(s2, "bid #1: " + alice.named() + " leads at 10.00 USD")) << s2;
  EXPECT_FALSE(contains(s2, "20.00")) << "Bob's maximum leaked:\n" << s2;

  // Ctrl-C: a clean exit with status 130.
  term.keys("C-c");
  auto [end, exited] =
      term.wait_for([](const std::string& s) { return contains(s, "exit=130"); }, 5s);
  EXPECT_TRUE(exited) << end;
}

TEST(CliWatch, JsonAndPlainOutputEndWithTheAuction) {
  Person sam("sam", "Sam the Seller");
  Person alice("alice", "Alice A");
  ASSERT_NO_FATAL_FAILURE(sign_up(sam));
  ASSERT_NO_FATAL_FAILURE(sign_up(alice));
  // Long enough for a heartbeat (at least every 5 s) on the stream.
  const std::string id = create_auction(sam, "Desk lamp", "8s");
  ASSERT_FALSE(id.empty());

  ProgramResult plain;
  std::thread plain_watch([&] { plain = alice.run({"watch", id}, 40s); });
  ProgramResult json;
  std::thread json_watch([&] { json = alice.run({"--json", "watch", id}, 40s); });
  std::this_thread::sleep_for(1s);
  auto b1 = alice.run({"bid", id, "15.00"});
  EXPECT_EQ(b1.exit_code, 0) << describe(b1);
  plain_watch.join();
  json_watch.join();

  // --json: one AuctionUpdate per line, SNAPSHOT first, versions in order,
  // heartbeats included, the end last; exit 0.
  ASSERT_EQ(json.exit_code, 0) << describe(json);
  std::vector<Json> updates;
  for (const auto& line : lines_of(json.out)) {
    Json j = Json::parse(line, nullptr, false);
    ASSERT_TRUE(j.is_object()) << "not one JSON object per line: " << line;
    updates.push_back(j);
  }
  ASSERT_GE(updates.size(), 3U) << json.out;
  EXPECT_EQ(updates.front().value("type", ""), "SNAPSHOT") << json.out;
  bool heartbeat = false;
  bool bid = false;
  std::int64_t last_version = 0;
  for (const auto& u : updates) {
    EXPECT_EQ(u.value("auction_id", ""), id) << u.dump();
    const std::int64_t v = std::stoll(u.value("version", "0"));
    const std::string type = u.value("type", "");
    if (type == "HEARTBEAT") {
      heartbeat = true;
      EXPECT_GE(v, last_version) << u.dump();
      continue;
    }
    if (type != "SNAPSHOT") {
      EXPECT_GT(v, last_version) << "versions go up: " << json.out;
    }
    last_version = v;
    if (type == "BID_PLACED") {
      bid = true;
      EXPECT_EQ(u.value("leading_bidder_id", ""), alice.id) << u.dump();
      EXPECT_EQ(u.value("current_price", ""), "1000") << u.dump();
    }
  }
  EXPECT_TRUE(bid) << json.out;
  EXPECT_TRUE(heartbeat) << "no HEARTBEAT in a stream of about 7 s: " << json.out;
  const Json& last = updates.back();
  EXPECT_EQ(last.value("type", ""), "AUCTION_ENDED") << json.out;
  EXPECT_EQ(last.value("outcome", ""), "OUTCOME_SOLD") << json.out;
  EXPECT_EQ(last.value("winner_id", ""), alice.id) << json.out;
  EXPECT_EQ(last.value("final_price", ""), "1000") << json.out;

  // Without a terminal: the heading, one line per event, and the outcome; exit 0.
  ASSERT_EQ(plain.exit_code, 0) << describe(plain);
  EXPECT_EQ(plain.out.find('\x1b'), std::string::npos) << "no escape codes without a terminal";
  EXPECT_TRUE(contains(plain.out, "auction " + id + ": Desk lamp\n")) << plain.out;
  EXPECT_TRUE(contains(plain.out, "bid #1: " + alice.named() + " leads at 10.00 USD")) << plain.out;
  const auto plain_lines = lines_of(plain.out);
  ASSERT_FALSE(plain_lines.empty());
  EXPECT_EQ(plain_lines.back(),
            "auction " + id + " ended: sold to " + alice.named() + " for 10.00 USD")
      << plain.out;

  // A watch started after the end: the final snapshot, then exit 0.
  auto after = alice.run({"--json", "watch", id});
  ASSERT_EQ(after.exit_code, 0) << describe(after);
  const auto after_lines = lines_of(after.out);
  ASSERT_FALSE(after_lines.empty()) << describe(after);
  const Json final_snapshot = Json::parse(after_lines.front(), nullptr, false);
  EXPECT_EQ(final_snapshot.value("type", ""), "SNAPSHOT") << after.out;
  EXPECT_EQ(final_snapshot.value("auction", Json::object()).value("status", ""),
            "AUCTION_STATUS_ENDED")
      << after.out;

  // From a version, after the end: plain output shows every event that
  // --json shows (the bid and the end), not only the state as it is now.
  auto replay_json = alice.run({"--json", "watch", id, "--from-version", "1"});
  auto replay_plain = alice.run({"watch", id, "--from-version", "1"});
  ASSERT_EQ(replay_json.exit_code, 0) << describe(replay_json);
  ASSERT_EQ(replay_plain.exit_code, 0) << describe(replay_plain);
  std::vector<std::string> replayed;
  for (const auto& line : lines_of(replay_json.out)) {
    const std::string type = Json::parse(line, nullptr, false).value("type", "");
    if (type != "HEARTBEAT") replayed.push_back(type);
  }
  EXPECT_EQ(replayed, (std::vector<std::string>{"BID_PLACED", "AUCTION_ENDED"})) << replay_json.out;
  EXPECT_TRUE(contains(replay_plain.out, "watching from version 1")) << replay_plain.out;
  EXPECT_TRUE(contains(replay_plain.out, "bid #1: " + alice.named() + " leads at 10.00 USD"))
      << replay_plain.out;
  EXPECT_TRUE(contains(replay_plain.out, "ended: sold to " + alice.named() + " for 10.00 USD"))
      << replay_plain.out;

  // An unknown auction: an error, not a retry loop.
  auto missing = alice.run({"watch", "999999"});
  EXPECT_EQ(missing.exit_code, 1) << describe(missing);
  EXPECT_EQ(missing.err.rfind("error: NOT_FOUND: ", 0), 0U) << describe(missing);
}

TEST(CliWatch, ReconnectsAcrossAServerRestart) {
  Person sam("sam", "Sam the Seller");
  Person alice("alice", "Alice A");
  Person bob("bob", "Bob B");
  ASSERT_NO_FATAL_FAILURE(sign_up(sam));
  ASSERT_NO_FATAL_FAILURE(sign_up(alice));
  ASSERT_NO_FATAL_FAILURE(sign_up(bob));
  const std::string id = create_auction(sam, "Desk lamp", "5m");
  ASSERT_FALSE(id.empty());

  Tmux term(watch_in_pane(alice, id));
  auto [first, shown] = term.wait_for(
      [](const std::string& s) { return contains(s, "current price  10.00 USD (no bids yet)"); },
      10s);
  ASSERT_TRUE(shown) << first;
  // Alice also follows her notifications; none arrive before the restart.
  Tmux inbox("trap : INT; " + alice.shell_command({"notifications", "--follow"}) +
             "; echo \"exit=$?\"; sleep 120");
  auto [inbox_ready, following] = inbox.wait_for(
      [](const std::string& s) { return contains(s, "following notifications after #0"); }, 10s);
  ASSERT_TRUE(following) << inbox_ready;
  auto b1 = alice.run({"bid", id, "15.00"});
  ASSERT_EQ(b1.exit_code, 0) << describe(b1);

  // SIGTERM closes the streams with UNAVAILABLE: the view says it reconnects.
  ASSERT_EQ(shared_server().stop(), 0);
  auto [lost, says] =
      term.wait_for([](const std::string& s) { return contains(s, "reconnecting in"); }, 5s);
  EXPECT_TRUE(says) << lost;
  shared_server().restart();

  // Back: a bid made after the restart reaches the same view.
  auto b2 = bob.run({"bid", id, "20.00"});
  ASSERT_EQ(b2.exit_code, 0) << describe(b2);
  auto [back, priced] = term.wait_for(
      [](const std::string& s) { return field(s, "current price") == "15.50 USD"; }, 10s);
  EXPECT_TRUE(priced) << back;
  EXPECT_TRUE(contains(back, "reconnected")) << back;
  EXPECT_FALSE(contains(back, "reconnecting in")) << back;
  EXPECT_EQ(field(back, "bids"), "2") << back;
  EXPECT_FALSE(contains(back, "exit=")) << "the watch ended: " << back;

  // The notification stream came back too: Bob's bid outbid Alice.
  auto [mail, outbid] = inbox.wait_for(
      [&](const std::string& s) {
        return contains(s, "#1 ") &&
               contains(s, "OUTBID: you were outbid on \"Desk lamp\" (auction " + id +
                               "): the price is now 15.50 USD");
      },
      10s);
  EXPECT_TRUE(outbid) << mail;
  EXPECT_TRUE(contains(mail, "notifications: connection lost (UNAVAILABLE")) << mail;
  EXPECT_FALSE(contains(mail, "exit=")) << "--follow ended: " << mail;
}

// The notification stream's heartbeats keep a quiet `--follow` quiet: no
// "connection lost" after the CLI's 15 s silence limit, no reconnects.
TEST(CliWatch, FollowingAQuietInboxStaysConnected) {
  Person alice("alice", "Alice A");
  ASSERT_NO_FATAL_FAILURE(sign_up(alice));
  const auto quiet = alice.run({"notifications", "--follow"}, 18s);
  EXPECT_TRUE(quiet.timed_out) << "--follow ended by itself: " << describe(quiet);
  EXPECT_TRUE(contains(quiet.err, "following notifications after #0")) << describe(quiet);
  EXPECT_FALSE(contains(quiet.err, "connection lost")) << describe(quiet);
  EXPECT_FALSE(contains(quiet.err, "reconnect")) << describe(quiet);
  EXPECT_EQ(quiet.out, "") << "heartbeats are not printed: " << describe(quiet);
}

TEST(CliWatch, NotificationsAndTheWatchList) {
  Person sam("sam", "Sam the Seller");
  Person alice("alice", "Alice A");
  Person bob("bob", "Bob B");
  ASSERT_NO_FATAL_FAILURE(sign_up(sam));
  ASSERT_NO_FATAL_FAILURE(sign_up(alice));
  ASSERT_NO_FATAL_FAILURE(sign_up(bob));
  // Longer than the ENDING_SOON lead (5 minutes by default): else that
  // notice goes out at once, to whoever follows the auction at that moment.
  const std::string id = create_auction(sam, "Desk lamp", "1h");
  ASSERT_FALSE(id.empty());

  // The watch list.
  auto f1 = alice.run({"follow", id});
  ASSERT_EQ(f1.exit_code, 0) << describe(f1);
  EXPECT_EQ(f1.out, "following auction " + id + "\n");
  auto f2 = alice.run({"follow", id});
  ASSERT_EQ(f2.exit_code, 0) << describe(f2);
  EXPECT_EQ(f2.out, "already following auction " + id + "\n");
  auto list = alice.run({"following"});
  ASSERT_EQ(list.exit_code, 0) << describe(list);
  EXPECT_TRUE(
      std::regex_search(list.out, std::regex("\\n *" + id + "  Desk lamp  active  10.00 USD")))
      << list.out;
  auto list_json = alice.run({"--json", "following"});
  ASSERT_EQ(list_json.exit_code, 0) << describe(list_json);
  {
    const Json j = Json::parse(list_json.out, nullptr, false);
    ASSERT_TRUE(j.is_object()) << list_json.out;
    const Json auctions = j.value("auctions", Json::array());
    ASSERT_EQ(auctions.size(), 1U) << list_json.out;
    EXPECT_EQ(auctions[0].value("id", ""), id);
  }
  auto u1 = alice.run({"unfollow", id});
  ASSERT_EQ(u1.exit_code, 0) << describe(u1);
  EXPECT_EQ(u1.out, "stopped following auction " + id + "\n");
  auto u2 = alice.run({"unfollow", id});
  EXPECT_EQ(u2.out, "was not following auction " + id + "\n") << describe(u2);
  auto none = alice.run({"following"});
  EXPECT_EQ(none.out, "no auctions\n") << describe(none);
  auto bob_follows = bob.run({"--json", "follow", id});
  ASSERT_EQ(bob_follows.exit_code, 0) << describe(bob_follows);
  EXPECT_EQ(Json::parse(bob_follows.out, nullptr, false).value("newly_followed", false), true)
      << bob_follows.out;

  // Nothing yet.
  auto empty = alice.run({"notifications"});
  ASSERT_EQ(empty.exit_code, 0) << describe(empty);
  EXPECT_EQ(empty.out, "no notifications\n\n0 unread\n");

  // Alice follows her notifications live in a terminal; Bob outbids her.
  Tmux term("trap : INT; " + alice.shell_command({"notifications", "--follow"}) +
            "; echo \"exit=$?\"; sleep 120");
  auto [ready, following] = term.wait_for(
      [](const std::string& s) { return contains(s, "following notifications after #0"); }, 10s);
  ASSERT_TRUE(following) << ready;
  auto b1 = alice.run({"bid", id, "15.00"});
  ASSERT_EQ(b1.exit_code, 0) << describe(b1);
  auto b2 = bob.run({"bid", id, "20.00"});
  ASSERT_EQ(b2.exit_code, 0) << describe(b2);
  const std::string outbid_line =
      "OUTBID: you were outbid on \"Desk lamp\" (auction " + id + "): the price is now 15.50 USD";
  auto [live, arrived] =
      term.wait_for([&](const std::string& s) { return contains(s, outbid_line); }, 3s);
  EXPECT_TRUE(arrived) << live;
  EXPECT_TRUE(std::regex_search(live, std::regex("#1 [0-9T:-]+Z OUTBID"))) << live;
  term.keys("C-c");
  auto [stopped, exited] =
      term.wait_for([](const std::string& s) { return contains(s, "exit=130"); }, 5s);
  EXPECT_TRUE(exited) << stopped;

  // The list: the OUTBID, unread.
  auto table = alice.run({"notifications", "--unread"});
  ASSERT_EQ(table.exit_code, 0) << describe(table);
  EXPECT_TRUE(std::regex_search(
      table.out,
      std::regex("\\n *1  [0-9T:-]+Z  OUTBID  Desk lamp \\(id " + id + "\\)  15.50 USD  no\\n")))
      << table.out;
  EXPECT_TRUE(contains(table.out, "\n1 unread\n")) << table.out;
  auto as_json = alice.run({"--json", "notifications"});
  ASSERT_EQ(as_json.exit_code, 0) << describe(as_json);
  {
    const Json j = Json::parse(as_json.out, nullptr, false);
    ASSERT_TRUE(j.is_object()) << as_json.out;
    EXPECT_EQ(j.value("unread_count", ""), "1") << as_json.out;
    const Json items = j.value("notifications", Json::array());
    ASSERT_EQ(items.size(), 1U) << as_json.out;
    EXPECT_EQ(items[0].value("type", ""), "OUTBID");
    EXPECT_EQ(items[0].value("auction_id", ""), id);
    EXPECT_EQ(items[0].value("amount", ""), "1550");
  }
  // Replay from the start, as JSON, then Ctrl-C... here: the time limit.
  auto replay = alice.run({"--json", "notifications", "--follow", "--after-seq", "0"}, 3s);
  EXPECT_TRUE(replay.timed_out) << "--follow keeps running: " << describe(replay);
  {
    const auto replayed = lines_of(replay.out);
    ASSERT_EQ(replayed.size(), 1U) << describe(replay);
    const Json n = Json::parse(replayed[0], nullptr, false);
    EXPECT_EQ(n.value("seq", ""), "1") << replay.out;
    EXPECT_EQ(n.value("type", ""), "OUTBID") << replay.out;
  }

  // mark-read.
  auto marked = alice.run({"mark-read", "--up-to", "1"});
  ASSERT_EQ(marked.exit_code, 0) << describe(marked);
  EXPECT_EQ(marked.out, "marked 1 read; 0 unread left\n");
  auto again = alice.run({"mark-read", "1"});
  ASSERT_EQ(again.exit_code, 0) << describe(again);
  EXPECT_EQ(again.out, "marked 0 read; 0 unread left\n");
  auto read_table = alice.run({"notifications"});
  EXPECT_TRUE(std::regex_search(read_table.out, std::regex("15.50 USD  yes\\n"))) << read_table.out;
  EXPECT_TRUE(contains(read_table.out, "\n0 unread\n")) << read_table.out;
  auto unread_only = alice.run({"notifications", "--unread"});
  EXPECT_EQ(unread_only.out, "no notifications\n\n0 unread\n") << describe(unread_only);

  // Usage errors and a missing login.
  auto no_seq = alice.run({"mark-read"});
  EXPECT_EQ(no_seq.exit_code, 2) << describe(no_seq);
  Person stranger("stranger", "Not Logged In");
  auto anonymous = stranger.run({"notifications"});
  EXPECT_EQ(anonymous.exit_code, 1) << describe(anonymous);
  EXPECT_EQ(anonymous.err.rfind("error: UNAUTHENTICATED: ", 0), 0U) << describe(anonymous);
  EXPECT_TRUE(contains(anonymous.err, "hint: not logged in")) << describe(anonymous);
}

}  // namespace
}  // namespace auction::test
