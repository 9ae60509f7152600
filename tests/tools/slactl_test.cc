// Runs the built slactl binary (SLACTL_PATH, from CMake) and checks its
// stdout, stderr and exit status.

#include <unistd.h>

#include <fstream>
#include <string>

#include "gmock/gmock.h"
#include "gtest/gtest.h"
#include "tests/testing/shell.h"

namespace {

using ::testing::HasSubstr;
using ::testing::Not;
using ::testing::StartsWith;

using Result = slad::testing::ShellResult;

// A path of our own: ctest may run several tests of this binary at once.
std::string TempPath(const std::string& name) {
  return ::testing::TempDir() + "slactl_test." + std::to_string(getpid()) +
         "." + name;
}

std::string WriteTemp(const std::string& name, const std::string& text) {
  const std::string path = TempPath(name);
  std::ofstream(path) << text;
  return path;
}

// `args` is pasted into a shell command line: tests quote what needs it.
Result Slactl(const std::string& args) {
  return slad::testing::RunShell(std::string("'") + SLACTL_PATH + "' " + args,
                                 TempPath(""));
}

TEST(SlactlTest, CalendarAddPrintsIssueExample) {
  const Result r = Slactl(
      "calendar add --calendar cn_office --start 2026-01-05T09:00:00+08:00 "
      "--duration 1h");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out,
            "{\"deadline\":\"2026-01-05T02:00:00.000Z\","
            "\"deadline_ms\":1767578400000}\n");
  EXPECT_EQ(r.err, "");
}

TEST(SlactlTest, CalendarBetweenOneWorkingDay) {
  const Result r = Slactl(
      "calendar between --calendar cn_office --start=2026-01-05T00:00:00+08:00 "
      "--end 1767628800000");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "{\"business_ms\":28800000}\n");
}

TEST(SlactlTest, WorkingDaysUseDayLength) {
  const Result r = Slactl(
      "calendar add --calendar cn_office --start 2026-02-13T18:00:00+08:00 "
      "--duration 3wd");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("\"2026-02-25T10:00:00.000Z\""));
}

TEST(SlactlTest, PolicyFileIsUsed) {
  const std::string path = WriteTemp("p.toml",
                                     "[calendars.night]\ntimezone = \"UTC\"\n"
                                     "mon = [\"22:00-24:00\"]\n"
                                     "tue = [\"00:00-02:00\"]\n");
  const Result r = Slactl("calendar add --policy '" + path +
                          "' --calendar night --start 2026-01-05T00:00:00Z "
                          "--duration 3h");
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_THAT(r.out, HasSubstr("\"2026-01-06T01:00:00.000Z\""));
}

struct ErrorCase {
  const char* args;
  const char* code;
};

TEST(SlactlTest, ErrorsAreOneJsonLineWithStableCode) {
  const std::string bad_toml =
      WriteTemp("bad.toml", "[calendars.x]\ntimezone = \"UTC\"\nmon = [\n");
  const ErrorCase cases[] = {
      {"", "usage"},
      {"frobnicate", "usage"},
      {"calendar", "usage"},
      {"calendar add --calendar cn_office --start 0", "usage"},
      {"calendar add --calendar cn_office --start 0 --duration 1h --bogus 1",
       "usage"},
      {"calendar add --calendar nope --start 0 --duration 1h", "not_found"},
      {"calendar add --calendar cn_office --start yesterday --duration 1h",
       "invalid_argument"},
      {"calendar add --calendar cn_office --start 0 --duration 1.5h",
       "invalid_argument"},
      {"calendar between --calendar cn_office --start 5 --end 4",
       "invalid_argument"},
      {"calendar between --calendar cn_office --start 0 --end 9999999999999",
       "out_of_range"},
      {"calendar add --policy /nonexistent.toml --calendar x --start 0 "
       "--duration 1h",
       "policy_unreadable"},
  };
  for (const ErrorCase& c : cases) {
    SCOPED_TRACE(c.args);
    const Result r = Slactl(c.args);
    EXPECT_EQ(r.status, 2);
    EXPECT_EQ(r.out, "");
    EXPECT_THAT(r.err, StartsWith(std::string("{\"error\":{\"code\":\"") +
                                  c.code + "\",\"message\":\""));
    EXPECT_EQ(r.err.find('\n'), r.err.size() - 1);
  }
  const Result r = Slactl("calendar add --policy '" + bad_toml +
                          "' --calendar x --start 0 --duration 1h");
  EXPECT_EQ(r.status, 2);
  EXPECT_THAT(r.err, HasSubstr("\"code\":\"bad_policy\""));
  EXPECT_THAT(r.err, HasSubstr("bad.toml:3:9: "));
  // An unknown flag last on the line is unknown, not missing its value;
  // a flag given twice is a usage error, --json too.
  EXPECT_THAT(Slactl("calendar add --calendar cn_office --bogus").err,
              HasSubstr("unknown flag --bogus"));
  EXPECT_THAT(Slactl("get X --bogus").err, HasSubstr("unknown flag --bogus"));
  EXPECT_THAT(Slactl("--json get X --json").err, HasSubstr("--json given twice"));
}

TEST(SlactlTest, HelpGoesToStdout) {
  Result r = Slactl("--help");
  EXPECT_EQ(r.status, 0);
  EXPECT_THAT(r.out, HasSubstr("calendar"));
  r = Slactl("calendar --help");
  EXPECT_EQ(r.status, 0);
  EXPECT_THAT(r.out, HasSubstr("slactl calendar between"));
}

// At the 2200 boundary the message names what the user gave: --start, or
// the deadline that D after it would be, never the calendar's search
// instant (7258118400001 ms, a value nobody typed). Instants are taken in
// [1970, 2200), as the API takes them, and a deadline landing on
// 2200-01-01 itself (which slad reads as never) is out of range too.
TEST(SlactlTest, CalendarOutOfRangeMessagesNameWhatWasGiven) {
  Result r = Slactl("calendar add --calendar always --start 7258114800000 "
                    "--duration 2h");
  EXPECT_EQ(r.status, 2);
  EXPECT_THAT(r.err, StartsWith(R"({"error":{"code":"out_of_range")"));
  EXPECT_THAT(r.err, HasSubstr("2h of business time after --start"));
  EXPECT_THAT(r.err, Not(HasSubstr("7258118400001")));
  r = Slactl("calendar add --calendar always --start 7258114800000 "
             "--duration 1h");
  EXPECT_EQ(r.status, 2);
  EXPECT_THAT(r.err, HasSubstr("never"));
  EXPECT_EQ(Slactl("calendar add --calendar always --start 7258114800000 "
                   "--duration 59m").status, 0);
  for (const char* start : {"7258118400000", "7258118400001"}) {
    r = Slactl(std::string("calendar add --calendar always --start ") + start +
               " --duration 1h");
    EXPECT_EQ(r.status, 2);
    EXPECT_THAT(r.err, HasSubstr(std::string("--start: ") + start + " is outside"));
  }
}

// Every subcommand's output is checked once flushed: a full disk is an
// `internal` error and exit status 2, as simulate's is, not a silent 0.
TEST(SlactlTest, AStdoutWriteErrorIsReportedForEveryCommand) {
  for (const std::string args :
       {"calendar add --calendar cn_office --start 0 --duration 1h",
        "calendar between --calendar cn_office --start 0 --end 1000",
        "--help", "calendar --help", "get --help"}) {
    SCOPED_TRACE(args);
    // Grouped: RunShell's own ">out" comes after and would win.
    const Result r = slad::testing::RunShell(
        std::string("{ '") + SLACTL_PATH + "' " + args + " >/dev/full; }",
        TempPath(""));
    EXPECT_EQ(r.status, 2);
    EXPECT_EQ(r.err,
              "{\"error\":{\"code\":\"internal\",\"message\":\"cannot write "
              "to stdout\"}}\n");
  }
}

}  // namespace
