// The crash test: a child process (crash_child.cc) applies a seeded random
// command stream through engine, journal and store; this test SIGKILLs it
// at random moments (at least 50 times), restarts it, and checks after
// every restart that
//   - every acknowledged command is durable (the child resumes after it),
//   - the recovered state is exactly that of the durable prefix of the
//     stream, replayed here on a reference engine without storage: nothing
//     unacknowledged is half applied,
//   - the outbox sequence equals the reference's event count: no gaps;
// and at the end that every event that fell due was delivered at least
// once, each sequence number always with the same event, none missing.
// The seed is printed; SLAD_TEST_SEED=<seed> replays the kill schedule
// (the kill moments themselves depend on timing).

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "absl/strings/str_split.h"
#include "api/executor.h"
#include "api/protocol.h"
#include "config/policy_file.h"
#include "gtest/gtest.h"
#include "tests/testing/command_stream.h"
#include "tests/testing/seed.h"
#include "tests/testing/state_digest.h"
#include "tests/testing/temp_dir.h"

extern char** environ;

namespace slad {
namespace {

using Clock = std::chrono::steady_clock;

// No wall-clock bound on the kill phase: on a loaded machine each
// recovery is slower, and a bound made the test fall short of its kills
// and fail. CTest's timeout guards against a hang.
constexpr int kKills = 52;
constexpr uint64_t kEndless = uint64_t{1} << 40;

// The stream applied without storage: what the durable prefix must equal.
class Reference {
 public:
  explicit Reference(uint64_t seed) : seed_(seed) {
    auto policy = config::LoadDefaultPolicy();
    auto engine = engine::Engine::Create(*std::move(policy),
                                         testing::StreamAtMs(0));
    engine_ = std::move(engine).value();
    executor_ = std::make_unique<api::Executor>(engine_.get());
  }
  void AdvanceTo(uint64_t next) {
    std::string out;
    for (; applied_ < next; ++applied_) {
      const std::string line = testing::StreamLine(seed_, applied_);
      ASSERT_TRUE(decoder_.Decode(line, &request_).ok()) << line;
      out.clear();
      executor_->Execute(request_, engine_->now_ms(), &out).IgnoreError();
      for (const engine::Event& e : executor_->effects().events) {
        std::string json;
        api::AppendEvent(e, std::nullopt, &json);
        json.pop_back();
        events_.push_back(std::move(json));
      }
    }
  }
  uint64_t applied() const { return applied_; }
  std::string Digest() const { return testing::StateDigest(*engine_); }
  const std::vector<std::string>& events() const { return events_; }

 private:
  const uint64_t seed_;
  std::unique_ptr<engine::Engine> engine_;
  std::unique_ptr<api::Executor> executor_;
  api::RequestDecoder decoder_;
  api::Request request_;
  uint64_t applied_ = 0;
  std::vector<std::string> events_;  // json, in emission order
};

class Child {
 public:
  Child(const std::string& dir, uint64_t seed, uint64_t total) {
    int fds[2];
    EXPECT_EQ(pipe2(fds, O_CLOEXEC), 0);
    posix_spawn_file_actions_t actions;
    posix_spawn_file_actions_init(&actions);
    posix_spawn_file_actions_adddup2(&actions, fds[1], 1);
    std::string seed_s = std::to_string(seed), total_s = std::to_string(total);
    char* argv[] = {const_cast<char*>(CRASH_CHILD_PATH),
                    const_cast<char*>(dir.c_str()), seed_s.data(),
                    total_s.data(), nullptr};
    EXPECT_EQ(posix_spawn(&pid_, CRASH_CHILD_PATH, &actions, nullptr, argv,
                          environ),
              0);
    posix_spawn_file_actions_destroy(&actions);
    close(fds[1]);
    fd_ = fds[0];
  }
  ~Child() {
    if (pid_ > 0) Kill();
    close(fd_);
  }
  // Reads lines for up to `ms` (or until EOF, ms < 0), calling `fn` on each.
  // Returns false at EOF.
  template <typename Fn>
  bool Read(int ms, Fn&& fn) {
    const auto end = Clock::now() + std::chrono::milliseconds(ms);
    for (;;) {
      int wait = -1;
      if (ms >= 0) {
        wait = static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                    end - Clock::now())
                                    .count());
        if (wait <= 0) return true;
      }
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, wait) <= 0) continue;
      char buf[65536];
      const ssize_t n = read(fd_, buf, sizeof buf);
      if (n <= 0) return false;
      buffer_.append(buf, n);
      size_t start = 0, nl;
      while ((nl = buffer_.find('\n', start)) != std::string::npos) {
        fn(buffer_.substr(start, nl - start));
        start = nl + 1;
      }
      buffer_.erase(0, start);
    }
  }
  // SIGKILL, then the exit status; true if the kill is what ended it.
  bool Kill() {
    kill(pid_, SIGKILL);
    return Wait();
  }
  bool Wait() {
    int status = 0;
    waitpid(pid_, &status, 0);
    pid_ = -1;
    if (WIFEXITED(status)) {
      EXPECT_EQ(WEXITSTATUS(status), 0) << "the child failed (see stderr)";
    }
    return WIFSIGNALED(status);
  }

 private:
  pid_t pid_ = -1;
  int fd_ = -1;
  std::string buffer_;
};

class CrashTest : public ::testing::Test {
 protected:
  void OnLine(const std::string& line) {
    std::vector<std::string> f = absl::StrSplit(line, absl::MaxSplits(' ', 2));
    if (f[0] == "R") {
      std::vector<std::string> r = absl::StrSplit(line, ' ');
      ASSERT_EQ(r.size(), 4u) << line;
      const uint64_t next = std::stoull(r[1]);
      ++restarts_;
      // Every acknowledged command is durable; durable never goes back.
      ASSERT_GT(static_cast<int64_t>(next), max_acked_) << line;
      ASSERT_GE(next, reference_->applied()) << line;
      reference_->AdvanceTo(next);
      EXPECT_EQ(r[2], reference_->Digest()) << "state after " << next;
      EXPECT_EQ(std::stoull(r[3]), reference_->events().size()) << line;
      max_next_ = std::max(max_next_, next);
    } else if (f[0] == "A") {
      max_acked_ = std::max<int64_t>(max_acked_, std::stoll(f[1]));
    } else if (f[0] == "E") {
      ASSERT_EQ(f.size(), 3u) << line;
      auto [it, fresh] = delivered_.emplace(std::stoull(f[1]), f[2]);
      if (!fresh) {
        EXPECT_EQ(it->second, f[2]) << "seq " << f[1];
      }
      ++deliveries_;
    } else if (f[0] == "D") {
      done_ = true;
    } else {
      ADD_FAILURE() << "unexpected line: " << line;
    }
  }

  testing::TempDir dir_;
  std::unique_ptr<Reference> reference_;
  int64_t max_acked_ = -1;
  uint64_t max_next_ = 0;
  int restarts_ = 0;
  uint64_t deliveries_ = 0;
  bool done_ = false;
  std::map<uint64_t, std::string> delivered_;
};

TEST_F(CrashTest, SigkillAtRandomMomentsLosesNothingAcknowledged) {
  const uint64_t seed = testing::PropertySeeds(42, 1)[0];
  SCOPED_TRACE(::testing::Message() << "SLAD_TEST_SEED=" << seed);
  testing::SplitMix64 rng(seed);
  reference_ = std::make_unique<Reference>(seed);
  auto handle = [this](const std::string& line) { OnLine(line); };

  int kills = 0;
  // A child that exits by itself (Wait() has flagged it) is not a kill;
  // the rounds are bounded so that such a child cannot loop forever.
  for (int round = 0; kills < kKills && round < 2 * kKills && !HasFatalFailure();
       ++round) {
    Child child(dir_.path(), seed, kEndless);
    const int since_ready_ms = static_cast<int>(rng.Below(150));
    if (rng.OneIn(5)) {
      // During open or recovery (a few fsyncs: 100-500 ms on a busy disk).
      child.Read(static_cast<int>(rng.Below(150)), handle);
    } else {
      // Into the stream: once it has recovered, a random moment later.
      const int restarts = restarts_;
      const auto give_up = Clock::now() + std::chrono::seconds(10);
      while (restarts_ == restarts && Clock::now() < give_up &&
             child.Read(10, handle)) {
      }
      child.Read(since_ready_ms, handle);
    }
    kills += child.Kill();
    child.Read(-1, handle);  // what it wrote before dying
  }
  ASSERT_FALSE(HasFatalFailure());
  EXPECT_EQ(kills, kKills);

  // A last run to the end of a short tail, then everything is delivered.
  const uint64_t total = std::max<uint64_t>(max_next_, max_acked_ + 1) + 2000;
  {
    Child child(dir_.path(), seed, total);
    child.Read(-1, handle);
    child.Wait();
  }
  ASSERT_TRUE(done_);
  reference_->AdvanceTo(total);
  const auto& events = reference_->events();
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(delivered_.size(), events.size());
  EXPECT_EQ(delivered_.begin()->first, 1u);
  EXPECT_EQ(delivered_.rbegin()->first, events.size());  // no gaps
  // Ties between two tickets' deadlines may fire in another order after a
  // restart, so the contents are compared as multisets.
  std::vector<std::string> got, want(events);
  for (const auto& [seq, json] : delivered_) got.push_back(json);
  std::sort(got.begin(), got.end());
  std::sort(want.begin(), want.end());
  EXPECT_EQ(got, want);
  std::printf("crash test: seed %llu, %d kills, %d recoveries, %llu commands, "
              "%zu events, %llu deliveries\n",
              static_cast<unsigned long long>(seed), kills, restarts_,
              static_cast<unsigned long long>(total), events.size(),
              static_cast<unsigned long long>(deliveries_));
}

}  // namespace
}  // namespace slad
