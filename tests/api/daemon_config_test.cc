// The daemon's configuration file and command line (api/daemon_config.h).

#include "api/daemon_config.h"
#include "api/protocol.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace slad::api {
namespace {

absl::StatusOr<DaemonConfig> Parse(const std::string& text) {
  return ParseDaemonConfig(text, "slad.toml", "/etc/slad");
}

std::string ErrorOf(const std::string& text) {
  absl::StatusOr<DaemonConfig> config = Parse(text);
  EXPECT_FALSE(config.ok()) << text;
  EXPECT_EQ(config.status().code(), absl::StatusCode::kInvalidArgument);
  return std::string(config.status().message());
}

TEST(DaemonConfigTest, EmptyFileIsTheDefaults) {
  absl::StatusOr<DaemonConfig> config = Parse("");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->listen_host, "127.0.0.1");
  EXPECT_EQ(config->listen_port, 7411);
  EXPECT_EQ(config->data_dir, "slad-data");
  EXPECT_TRUE(config->policy_path.empty());
  EXPECT_FALSE(config->manual_clock);
  EXPECT_TRUE(config->tokens.empty());
  EXPECT_EQ(config->limits.max_line_bytes, 64u * 1024);
  EXPECT_EQ(config->trim_seconds, 10);
  EXPECT_EQ(config->commit_interval_us, 500);
}

TEST(DaemonConfigTest, EveryKey) {
  absl::StatusOr<DaemonConfig> config = Parse(R"(
policy = "policy.toml"
data = "/var/lib/slad"
listen = "10.0.0.5:9000"
clock = "manual"
[limits]
max_connections = 10
max_line_bytes = 1000
max_output_bytes = 2048
max_in_flight = 7
outbox_page = 3
[memory]
trim_seconds = 0
[storage]
commit_interval_us = 0
[tls]
cert = "cert.pem"
key = "/keys/key.pem"
[[tokens]]
token = "t1"
roles = ["ingest", "operator"]
teams = ["east", "west"]
)");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->policy_path, "/etc/slad/policy.toml");
  EXPECT_EQ(config->data_dir, "/var/lib/slad");
  EXPECT_EQ(config->listen_host, "10.0.0.5");
  EXPECT_EQ(config->listen_port, 9000);
  EXPECT_TRUE(config->manual_clock);
  EXPECT_EQ(config->limits.max_connections, 10u);
  EXPECT_EQ(config->limits.max_line_bytes, 1000u);
  EXPECT_EQ(config->limits.max_output_bytes, 2048u);
  EXPECT_EQ(config->limits.max_in_flight, 7u);
  EXPECT_EQ(config->limits.outbox_page, 3u);
  EXPECT_EQ(config->trim_seconds, 0);
  EXPECT_EQ(config->commit_interval_us, 0);
  EXPECT_EQ(config->tls_cert, "/etc/slad/cert.pem");
  EXPECT_EQ(config->tls_key, "/keys/key.pem");
  ASSERT_EQ(config->tokens.size(), 1u);
  EXPECT_EQ(config->tokens[0].roles, kRoleIngest | kRoleOperator);
  EXPECT_EQ(config->tokens[0].teams,
            (std::vector<std::string>{"east", "west"}));
  EXPECT_TRUE(CheckServable(*config).ok());
}

// ":memory:" names the in-memory store, not a folder beside the file.
TEST(DaemonConfigTest, DataMemoryIsNoPath) {
  absl::StatusOr<DaemonConfig> config = Parse("data = \":memory:\"\n");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->data_dir, kInMemoryData);
  config = Parse("data = \"./:memory:\"\n");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->data_dir, "/etc/slad/./:memory:");
}

TEST(DaemonConfigTest, ErrorsSayFileLineAndColumn) {
  EXPECT_EQ(ErrorOf("listen = \"x\"\n"),
            "slad.toml:1:10: listen: want HOST:PORT, got \"x\"");
  EXPECT_EQ(ErrorOf("\ncolour = 1\n").rfind("slad.toml:2:1: unknown key "
                                             "\"colour\"",
                                             0),
            0u);
  EXPECT_EQ(ErrorOf("clock = \"wall\"").rfind("slad.toml:1:9: clock", 0), 0u);
  EXPECT_EQ(ErrorOf("[limits]\nmax_connections = 0\n")
                .rfind("slad.toml:2:19: max_connections: want an integer", 0),
            0u);
  EXPECT_EQ(ErrorOf("[limits]\nmax_lines = 3\n")
                .rfind("slad.toml:2:1: unknown key \"max_lines\" in [limits]", 0),
            0u);
  EXPECT_EQ(ErrorOf("[memory]\ntrim_seconds = -1\n")
                .rfind("slad.toml:2:16: trim_seconds: want an integer >= 0", 0),
            0u);
  EXPECT_EQ(ErrorOf("[storage]\ncommit_interval_us = 100001\n")
                .rfind("slad.toml:2:22: commit_interval_us: 100001 is over the maximum, 100000", 0),
            0u);
  EXPECT_EQ(ErrorOf("[storage]\nsync = false\n")
                .rfind("slad.toml:2:1: unknown key \"sync\" in [storage]", 0),
            0u);
  EXPECT_EQ(ErrorOf("[memory]\ntrim = 3\n")
                .rfind("slad.toml:2:1: unknown key \"trim\" in [memory]", 0),
            0u);
  EXPECT_EQ(ErrorOf("[[tokens]]\ntoken = \"t\"\nroles = [\"root\"]\n")
                .rfind("slad.toml:3:9: unknown role \"root\"", 0),
            0u);
  EXPECT_EQ(ErrorOf("[[tokens]]\ntoken = \"t\"\n")
                .rfind("slad.toml:1:1: a token needs", 0),
            0u);
  EXPECT_NE(ErrorOf("[[tokens]]\ntoken = \"t\"\nroles = [\"admin\"]\n"
                    "[[tokens]]\ntoken = \"t\"\nroles = [\"ingest\"]\n")
                .find("token given twice"),
            std::string::npos);
  EXPECT_EQ(ErrorOf("[tls]\ncert = \"c.pem\"\n").rfind("slad.toml:1:1: tls", 0),
            0u);
  EXPECT_EQ(ErrorOf("listen = ").rfind("slad.toml:1:", 0), 0u);  // syntax
  EXPECT_EQ(ErrorOf("data = 3").rfind("slad.toml:1:8: data: want", 0), 0u);
}

// 64 GiB lines were accepted, and the daemon then died of bad_alloc on the
// first connection: every limit has a maximum, which the file may reach.
TEST(DaemonConfigTest, LimitsHaveMaximums) {
  EXPECT_EQ(ErrorOf("[limits]\nmax_line_bytes = 68719476736\n"),
            "slad.toml:2:18: max_line_bytes: 68719476736 is over the maximum, "
            "67108864 (64 MiB; every connection allocates a decoder that "
            "size)");
  const struct {
    const char* key;
    size_t max;
  } kMaxima[] = {
      {"max_connections", Limits::kMaxConnections},
      {"max_line_bytes", Limits::kMaxLineBytes},
      {"max_output_bytes", Limits::kMaxOutputBytes},
      {"max_in_flight", Limits::kMaxInFlight},
      {"outbox_page", Limits::kMaxOutboxPage},
      {"max_at_ahead_ms", Limits::kMaxAtAheadMs},
  };
  for (const auto& [key, max] : kMaxima) {
    const std::string at = std::string("[limits]\n") + key + " = ";
    EXPECT_NE(ErrorOf(at + std::to_string(max + 1))
                  .find(std::string(key) + ": " + std::to_string(max + 1) +
                        " is over the maximum, " + std::to_string(max)),
              std::string::npos)
        << key;
    EXPECT_TRUE(Parse(at + std::to_string(max)).ok()) << key;
  }
  EXPECT_EQ(ErrorOf("[limits]\nmax_in_flight = 9223372036854775807\n")
                .rfind("slad.toml:2:17: max_in_flight: 9223372036854775807 "
                       "is over the maximum",
                       0),
            0u);
}

// An empty list meant no restriction: the token saw every team.
TEST(DaemonConfigTest, EmptyTeamsIsRefused) {
  EXPECT_EQ(ErrorOf("[[tokens]]\ntoken = \"t\"\nroles = [\"operator\"]\n"
                    "teams = []\n"),
            "slad.toml:4:9: teams: list at least one team, or leave the key "
            "out for every team");
  std::string teams = "teams = [";
  for (size_t i = 0; i <= kMaxTeamsPerToken; ++i) absl::StrAppend(&teams, i ? ", " : "", "\"t", i, "\"");
  EXPECT_EQ(ErrorOf("[[tokens]]\ntoken = \"t\"\nroles = [\"operator\"]\n" + teams + "]\n")
                .rfind("slad.toml:4:9: teams: 257 teams, over the maximum of 256 for one token", 0),
            0u);
  absl::StatusOr<DaemonConfig> config =
      Parse("[[tokens]]\ntoken = \"t\"\nroles = [\"operator\"]\n");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_TRUE(config->tokens[0].teams.empty());
  // Twice, one team made the token a several-team one.
  EXPECT_EQ(ErrorOf("[[tokens]]\ntoken = \"t\"\nroles = [\"operator\"]\n"
                    "teams = [\"east\", \"west\", \"east\"]\n"),
            "slad.toml:4:9: teams: \"east\" is listed twice");
}

// A team is named as the wire names one: a control character (0x1f
// separates the teams of a stored subscriber group) let the group of a
// token of team "a\x1fb" be that of a token of teams a and b. A token
// longer than auth takes could never authenticate.
TEST(DaemonConfigTest, TeamNamesAndTokensAreWhatTheWireTakes) {
  const std::string token = "[[tokens]]\ntoken = \"t\"\nroles = [\"subscriber\"]\n";
  EXPECT_EQ(ErrorOf(token + "teams = [\"a\\u001fz\"]\n"),
            "slad.toml:4:9: teams: \"a\\x1fz\" (3 bytes) is not a team name: 1..128 bytes "
            "without control characters");
  EXPECT_FALSE(Parse(token + "teams = [\"\"]\n").ok());
  EXPECT_FALSE(Parse(token + "teams = [\"" + std::string(129, 't') + "\"]\n").ok());
  EXPECT_TRUE(Parse(token + "teams = [\"east\", \"華東 support\"]\n").ok());
  const std::string long_token = "[[tokens]]\ntoken = \"" + std::string(513, 't') +
                                 "\"\nroles = [\"admin\"]\n";
  EXPECT_NE(ErrorOf(long_token).find("longer than 512 bytes"), std::string::npos);
}

TEST(DaemonConfigTest, ErrorsDoNotEchoTokens) {
  EXPECT_EQ(ErrorOf("[[tokens]]\ntoken = \"hunter2\"\nroles = 1\n")
                .find("hunter2"),
            std::string::npos);
}

TEST(DaemonConfigTest, FlagsOverrideTheFile) {
  absl::StatusOr<DaemonConfig> config = ConfigFromArgs(
      {"--listen", "127.0.0.1:0", "--clock=manual", "--data", "d"});
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_EQ(config->listen_port, 0);
  EXPECT_TRUE(config->manual_clock);
  EXPECT_EQ(config->data_dir, "d");
  EXPECT_FALSE(ConfigFromArgs({"--colour", "red"}).ok());
  EXPECT_FALSE(ConfigFromArgs({"--listen"}).ok());
  // Unknown is said first, with or without a value after it.
  EXPECT_NE(ConfigFromArgs({"--bogus"}).status().message().find("unknown flag --bogus"),
            absl::string_view::npos);
  EXPECT_FALSE(ConfigFromArgs({"--clock", "wall"}).ok());
  EXPECT_EQ(ConfigFromArgs({"--config", "/nonexistent/slad.toml"})
                .status()
                .code(),
            absl::StatusCode::kNotFound);
}

// As slactl: the last of two values used to win silently.
TEST(DaemonConfigTest, AFlagGivenTwiceIsAnError) {
  for (const std::vector<std::string>& args :
       {std::vector<std::string>{"--policy", "a", "--policy", "b"},
        std::vector<std::string>{"--policy=a", "--data", "d", "--policy", "b"},
        std::vector<std::string>{"--clock=manual", "--clock=manual"}}) {
    const absl::Status s = ConfigFromArgs(args).status();
    EXPECT_EQ(s.code(), absl::StatusCode::kInvalidArgument);
    EXPECT_EQ(s.message(), args.front().substr(0, args.front().find('=')) +
                               " given twice");
  }
  // Unknown is still said first.
  EXPECT_EQ(ConfigFromArgs({"--x", "1", "--x", "2"}).status().message().rfind(
                "unknown flag --x", 0),
            0u);
}

// "--policy=" meant the embedded default policy.
TEST(DaemonConfigTest, AnEmptyFlagValueIsAnError) {
  EXPECT_EQ(ConfigFromArgs({"--policy="}).status().message(),
            "--policy: needs a value");
  EXPECT_EQ(ConfigFromArgs({"--data", ""}).status().message(),
            "--data: needs a value");
}

TEST(DaemonConfigTest, AnUnreadableConfigFileSaysWhy) {
  absl::Status s =
      ConfigFromArgs({"--config", "/nonexistent/nope.toml"}).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(s.message(),
            "cannot read config file /nonexistent/nope.toml: No such file or "
            "directory");
  // A directory would read as an empty file: the defaults, silently.
  s = ConfigFromArgs({"--config", "/tmp"}).status();
  EXPECT_EQ(s.code(), absl::StatusCode::kNotFound);
  EXPECT_EQ(s.message(), "cannot read config file /tmp: it is a directory");
}

TEST(DaemonConfigTest, NonLoopbackNeedsTokensAndTls) {
  DaemonConfig config;
  config.listen_host = "0.0.0.0";
  EXPECT_EQ(CheckServable(config).code(),
            absl::StatusCode::kFailedPrecondition);
  config.tokens.push_back(TokenConfig{"t", kRoleAdmin, {}});
  EXPECT_EQ(CheckServable(config).code(),
            absl::StatusCode::kFailedPrecondition);
  config.tls_cert = "c";
  config.tls_key = "k";
  EXPECT_TRUE(CheckServable(config).ok());
  config.tokens.clear();
  config.listen_host = "127.0.0.1";
  EXPECT_TRUE(CheckServable(config).ok());
  config.listen_host = "127.3.2.1";
  EXPECT_TRUE(CheckServable(config).ok());
}

// A name that begins like a loopback address is no address: it may
// resolve anywhere, so it needs tokens and TLS like any other name.
TEST(DaemonConfigTest, ANameBeginningWith127IsNotLoopback) {
  EXPECT_FALSE(IsLoopback("127.attacker.example"));
  EXPECT_FALSE(IsLoopback("127.0.0.1.nip.io"));
  EXPECT_TRUE(IsLoopback("127.0.0.1"));
  DaemonConfig config;
  config.listen_host = "127.attacker.example";
  config.tokens.push_back(TokenConfig{"t", kRoleAdmin, {}});
  EXPECT_EQ(CheckServable(config).code(), absl::StatusCode::kFailedPrecondition);
}

TEST(DaemonConfigTest, TheExampleConfigLoads) {
  absl::StatusOr<DaemonConfig> config =
      LoadDaemonConfigFile(SLAD_SOURCE_DIR "/docs/slad.example.toml");
  ASSERT_TRUE(config.ok()) << config.status();
  EXPECT_FALSE(config->tokens.empty());
  EXPECT_FALSE(config->tls_cert.empty());
  EXPECT_TRUE(CheckServable(*config).ok());
}

}  // namespace
}  // namespace slad::api
