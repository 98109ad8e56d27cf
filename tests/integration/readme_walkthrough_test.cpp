// The README's "A whole auction from the command line", run as it is written:
// the test extracts the section's shell block from README.md (so the two
// cannot drift apart), runs it with bash against the real auctiond and
// checks what its comments and the text after it say happens.
//
// The block is script-friendly by design: `AUCTION_CLI` names the binary and
// `DURATION` shortens the 2-minute auction. Nothing else is shortened: the
// server runs with its default ENDING_SOON lead (5 minutes), so it is the
// lead rule (at most a quarter of the auction's length) that makes Bob's
// ENDING_SOON arrive before the end, after he has bid and followed.
//
// Each command of the block is run as written; the test only brackets every
// command with markers (its text before, its exit status after) so that the
// transcript can be split per command. Commands are single lines or lines
// joined by a trailing backslash, which is all the block uses.
#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include <chrono>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>
#include <string>
#include <vector>

#include "tests/support/environment.hpp"
#include "tests/support/process.hpp"
#include "tests/support/run_program.hpp"

namespace auction::test {
namespace {

using namespace std::chrono_literals;
using Json = nlohmann::json;
using google::protobuf::util::TimeUtil;

constexpr const char* kSection = "## A whole auction from the command line";
/// DURATION for the block: long enough that its bids come before the last
/// 30 s (no soft-close extension needed), short enough for a test.
constexpr const char* kDuration = "45s";
constexpr auto kAuctionLength = 45s;
/// ENDING_SOON's lead for that auction: a quarter of its length.
constexpr auto kEndingSoonLead = kAuctionLength / 4;
/// The whole block: registrations and logins (password hashing), the bids,
/// `watch` until the end, and the queries after it.
constexpr auto kScriptTimeLimit = kAuctionLength + 90s;

constexpr const char* kStepMarker = "@@ ";
constexpr const char* kStatusMarker = "## exit status ";

std::string read_text(const std::string& path) {
  std::ifstream in(path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

bool starts_with(const std::string& s, const std::string& prefix) {
  return s.rfind(prefix, 0) == 0;
}

/// Runs of blanks as one space, without leading or trailing blanks.
std::string squeeze(const std::string& s) {
  std::string out;
  for (char c : s) {
    const bool blank = c == ' ' || c == '\t';
    if (blank && (out.empty() || out.back() == ' ')) continue;
    out += blank ? ' ' : c;
  }
  if (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

/// The first ```sh block after the section's heading, or "".
std::string walkthrough_block(const std::string& readme) {
  const auto heading = readme.find(std::string("\n") + kSection + "\n");
  if (heading == std::string::npos) return {};
  const std::string open = "\n```sh\n";
  const auto begin = readme.find(open, heading);
  if (begin == std::string::npos) return {};
  const auto end = readme.find("\n```\n", begin + open.size());
  if (end == std::string::npos) return {};
  return readme.substr(begin + open.size(), end - begin - open.size() + 1);
}

/// The block's commands: comment and blank lines dropped, continuation
/// lines joined (the backslash and newline become a space).
std::vector<std::string> commands_of(const std::string& block) {
  std::vector<std::string> commands;
  std::string pending;
  for (const auto& line : lines_of(block)) {
    const std::string t = squeeze(line);
    if (pending.empty() && (t.empty() || t.front() == '#')) continue;
    if (!t.empty() && t.back() == '\\') {
      pending += line.substr(0, line.rfind('\\')) + " ";
      continue;
    }
    commands.push_back(pending + line);
    pending.clear();
  }
  if (!pending.empty()) commands.push_back(pending);
  return commands;
}

std::string single_quoted(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

/// What one command of the script printed (stdout and stderr) and its status.
struct Step {
  std::string command;  ///< squeezed, comment included
  std::string output;
  int status = -1;
};

/// Splits the transcript at the markers the script printed.
std::vector<Step> steps_of(const std::string& transcript) {
  std::vector<Step> steps;
  for (const auto& line : lines_of(transcript)) {
    if (starts_with(line, kStepMarker)) {
      steps.push_back(Step{squeeze(line.substr(std::string(kStepMarker).size())), {}, -1});
    } else if (starts_with(line, kStatusMarker) && !steps.empty()) {
      steps.back().status = std::stoi(line.substr(std::string(kStatusMarker).size()));
    } else if (!steps.empty()) {
      steps.back().output += line + "\n";
    }
  }
  return steps;
}

/// The step whose command starts with `command` (blanks squeezed), or a
/// placeholder that fails the checks with a message saying it is missing.
Step step(const std::vector<Step>& steps, const std::string& command) {
  for (const auto& s : steps) {
    if (starts_with(s.command, squeeze(command))) return s;
  }
  ADD_FAILURE() << "the walkthrough has no command `" << command << "`";
  return Step{command, "<missing>", -1};
}

/// The value of the first "label   value" line of the CLI's field lists.
std::string field(const std::string& out, const std::string& label) {
  for (const auto& line : lines_of(out)) {
    if (starts_with(line, label + "  ")) return squeeze(line.substr(label.size()));
  }
  return "<no '" + label + "' line>";
}

Json json_of(const Step& s) {
  Json j = Json::parse(s.output, nullptr, /*allow_exceptions=*/false);
  EXPECT_FALSE(j.is_discarded()) << "`" << s.command << "` printed no JSON:\n" << s.output;
  return j.is_discarded() ? Json::object() : j;
}

std::chrono::system_clock::time_point time_of(const Json& j, const std::string& key) {
  google::protobuf::Timestamp ts;
  const bool ok =
      j.contains(key) && j[key].is_string() && TimeUtil::FromString(j[key].get<std::string>(), &ts);
  EXPECT_TRUE(ok) << "no timestamp '" << key << "' in " << j.dump();
  return std::chrono::system_clock::time_point{
      std::chrono::duration_cast<std::chrono::system_clock::duration>(
          std::chrono::nanoseconds(TimeUtil::TimestampToNanoseconds(ts)))};
}

class ReadmeWalkthrough : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = make_temp_dir("readme-walkthrough"); }
  void TearDown() override { remove_tree(dir_); }

  /// The block, each command between markers, then the test's own queries
  /// with the block's `as` and $ID; run in a fresh directory with bash.
  ProgramResult run_walkthrough(const std::vector<std::string>& commands) {
    std::string script = "cd " + single_quoted(dir_) + " || exit 1\nexec 2>&1\n";
    for (const auto& c : commands) {
      script += "printf '%s\\n' " + single_quoted(kStepMarker + squeeze(c)) + "\n";
      script += c + "\n";
      script += std::string("printf '") + kStatusMarker + "%d\\n' \"$?\"\n";
    }
    const std::string path = dir_ + "/walkthrough.sh";
    std::ofstream(path) << script;

    ProgramOptions options;
    options.env["AUCTION_CLI"] = AUCTION_CLI_PATH;
    options.env["AUCTION_SERVER"] = shared_server().address();
    options.env["DURATION"] = kDuration;
    options.env["AUCTION_PASSWORD"] = std::nullopt;
    options.env["XDG_CONFIG_HOME"] = std::nullopt;
    options.timeout = kScriptTimeLimit + 10s;
    // timeout(1) signals the whole process group: a `watch` left running too.
    const auto limit = std::chrono::duration_cast<std::chrono::seconds>(kScriptTimeLimit);
    return run_program(
        {"/usr/bin/timeout", "-k", "5", std::to_string(limit.count()), "/bin/bash", path}, options);
  }

  std::string dir_;
};

TEST_F(ReadmeWalkthrough, RunsAsWrittenAndDoesWhatItsCommentsSay) {
  const std::string block = walkthrough_block(read_text(AUCTION_README_PATH));
  ASSERT_FALSE(block.empty()) << "README.md has no ```sh block under '" << kSection << "'";
  std::vector<std::string> commands = commands_of(block);
  // The test's own look at the outcome, in the block's shell.
  commands.emplace_back(R"(as bob notifications --json)");
  commands.emplace_back(R"(as alice get "$ID" --json)");

  const ProgramResult run = run_walkthrough(commands);
  ASSERT_FALSE(run.timed_out) << describe(run);
  const std::vector<Step> steps = steps_of(run.out);
  ASSERT_EQ(steps.size(), commands.size()) << describe(run);

  // Every command succeeds, except the bid the README says is rejected.
  const std::string rejected = R"(as alice bid "$ID" 15.50)";
  for (const auto& s : steps) {
    if (starts_with(s.command, squeeze(rejected))) continue;
    EXPECT_EQ(s.status, 0) << "`" << s.command << "` failed:\n" << s.output;
  }

  // # accepted, leading; price stays 10.00 (only bidder)
  const Step alice_first = step(steps, R"(as alice bid "$ID" 15.00)");
  EXPECT_TRUE(starts_with(field(alice_first.output, "accepted"), "yes")) << alice_first.output;
  EXPECT_EQ(field(alice_first.output, "leading"), "yes") << alice_first.output;
  EXPECT_EQ(field(alice_first.output, "current price"), "10.00 USD") << alice_first.output;

  // # accepted but outbid at once by Alice's maximum: price 12.50
  const Step bob_first = step(steps, R"(as bob bid "$ID" 12.00)");
  EXPECT_TRUE(starts_with(field(bob_first.output, "accepted"), "yes")) << bob_first.output;
  EXPECT_TRUE(starts_with(field(bob_first.output, "leading"), "no (outbid at once"))
      << bob_first.output;
  EXPECT_EQ(field(bob_first.output, "current price"), "12.50 USD") << bob_first.output;

  // # Bob leads; price = Alice's 15.00 + one increment = 15.50
  const Step bob_second = step(steps, R"(as bob bid "$ID" 20.00)");
  EXPECT_EQ(field(bob_second.output, "leading"), "yes") << bob_second.output;
  EXPECT_EQ(field(bob_second.output, "current price"), "15.50 USD") << bob_second.output;
  EXPECT_TRUE(starts_with(field(bob_second.output, "leader"), "Bob B")) << bob_second.output;

  // # rejected BID_TOO_LOW (minimum next bid 16.00), exit status 3
  const Step alice_low = step(steps, rejected);
  EXPECT_EQ(alice_low.status, 3) << alice_low.output;
  EXPECT_EQ(field(alice_low.output, "rejected"), "BID_TOO_LOW: the minimum next bid is 16.00 USD")
      << alice_low.output;

  // `watch` returns when the auction ends, so `get` shows it ended, sold to
  // Bob at 15.50.
  const Step get = step(steps, R"(as alice get "$ID")");
  EXPECT_EQ(field(get.output, "status"), "ended") << get.output;
  EXPECT_TRUE(starts_with(field(get.output, "outcome"), "sold to Bob B")) << get.output;
  EXPECT_TRUE(contains(field(get.output, "outcome"), "for 15.50 USD")) << get.output;

  // Bob, who bid and follows, got ENDING_SOON once, before the end and not
  // before the auction's lead; then WON.
  const Step bob_notices_text = step(steps, R"(as bob notifications)");
  EXPECT_TRUE(contains(bob_notices_text.output, "ENDING_SOON")) << bob_notices_text.output;
  EXPECT_TRUE(contains(bob_notices_text.output, "WON")) << bob_notices_text.output;

  const Json auction = json_of(step(steps, R"(as alice get "$ID" --json)"))["auction"];
  const Json bob_notices = json_of(step(steps, R"(as bob notifications --json)"));
  const auto end = time_of(auction, "end_time");
  const auto ended = time_of(auction, "ended_at");
  int ending_soon = 0;
  for (const auto& n : bob_notices["notifications"]) {
    if (n.value("type", "") != "ENDING_SOON") continue;
    ++ending_soon;
    const auto at = time_of(n, "created_at");
    EXPECT_LT(at, ended) << "ENDING_SOON after the end: " << n.dump();
    EXPECT_GE(at + 1s, end - kEndingSoonLead) << "ENDING_SOON before its lead: " << n.dump();
    EXPECT_EQ(n.value("amount", "0"), "1550") << n.dump();
  }
  EXPECT_EQ(ending_soon, 1) << bob_notices.dump();
}

}  // namespace
}  // namespace auction::test
