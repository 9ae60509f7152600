// The Server in-process, over a Durability the test controls: what the
// daemon does when the store cannot take writes, and when it fails for
// good. (The real binary is driven by daemon_test.cc.)

#include "api/server.h"

#include <signal.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <future>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <utility>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/time/clock.h"
#include "absl/time/time.h"
#include "gtest/gtest.h"
#include "tests/testing/daemon_process.h"

namespace slad::api {
namespace {

using testing::LineClient;

// The in-memory durability, with writability and commit results the test
// sets.
class FakeDurability final : public Durability {
 public:
  explicit FakeDurability(std::atomic<bool>* writable,
                          std::atomic<bool>* fail_commits)
      : inner_(NewMemoryDurability()),
        writable_(writable),
        fail_commits_(fail_commits) {}
  // As the store's writer does when it closes: what it still holds is
  // completed, failed (the server is being destroyed around it).
  ~FakeDurability() override {
    std::vector<std::function<void(absl::Status)>> held;
    {
      std::lock_guard<std::mutex> lock(held_mu_);
      held.swap(held_);
    }
    for (auto& done : held) done(absl::UnavailableError("closing"));
  }

  absl::Status Recover(engine::Engine* e, std::string* report) override {
    if (on_recover_) on_recover_();
    return inner_->Recover(e, report);
  }
  void SetEngine(engine::Engine* e) override { inner_->SetEngine(e); }
  void Stage(absl::string_view line, int64_t at_ms, const engine::Command* cmd,
             const engine::Effects& effects,
             std::vector<storage::OutboxEvent>* outbox) override {
    inner_->Stage(line, at_ms, cmd, effects, outbox);
  }
  void RegisterGroup(absl::string_view g) override { inner_->RegisterGroup(g); }
  void Ack(absl::string_view g, uint64_t seq) override { inner_->Ack(g, seq); }
  absl::Status DropGroup(absl::string_view g) override { return inner_->DropGroup(g); }
  std::vector<std::pair<std::string, uint64_t>> GroupCursors() const override {
    return inner_->GroupCursors();
  }
  uint64_t last_outbox_seq() const override { return inner_->last_outbox_seq(); }
  void Commit(std::function<void(absl::Status)> done) override {
    ++commits_;
    if (hold_commits_) {
      // A slow disk: completed later, from another thread, as the store's
      // writer would.
      std::lock_guard<std::mutex> lock(held_mu_);
      held_.push_back(std::move(done));
      return;
    }
    done(*fail_commits_ ? absl::DataLossError("disk on fire")
                        : absl::OkStatus());
  }
  static size_t CompleteHeld() {
    std::vector<std::function<void(absl::Status)>> held;
    {
      std::lock_guard<std::mutex> lock(held_mu_);
      held.swap(held_);
    }
    for (auto& done : held) done(absl::OkStatus());
    return held.size();
  }
  absl::StatusOr<uint64_t> AckedUpTo(absl::string_view g) const override {
    return inner_->AckedUpTo(g);
  }
  absl::Status ReadOutbox(uint64_t after, size_t limit,
                          std::vector<storage::OutboxEvent>* out) const override {
    return inner_->ReadOutbox(after, limit, out);
  }
  std::optional<uint64_t> HistoryHead(absl::string_view id) const override {
    return inner_->HistoryHead(id);
  }
  absl::Status ReadHistory(absl::string_view id, std::optional<uint64_t> head,
                           size_t limit,
                           std::vector<storage::HistoryRecord>* out) const override {
    ++history_reads_;
    if (fail_history_reads_) return absl::DataLossError("Corruption: block checksum mismatch");
    return inner_->ReadHistory(id, head, limit, out);
  }
  bool writable() const override { return *writable_; }
  size_t pending_bytes() const override { return 0; }
  absl::Status fatal_error() const override {
    return *fail_commits_ ? absl::DataLossError("disk on fire")
                          : absl::OkStatus();
  }
  void Flush() override {}

 private:
  std::unique_ptr<Durability> inner_;
  std::atomic<bool>* writable_;
  std::atomic<bool>* fail_commits_;

 public:
  static inline std::function<void()> on_recover_;  // runs in Recover
  static inline std::atomic<int> commits_{0};
  static inline std::atomic<int> history_reads_{0};
  static inline std::atomic<bool> fail_history_reads_{false};
  static inline std::atomic<bool> hold_commits_{false};
  static inline std::mutex held_mu_;
  static inline std::vector<std::function<void(absl::Status)>> held_;
};

class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    DaemonConfig config;
    config.listen_port = 0;
    config.manual_clock = !system_clock_;
    if (max_output_bytes_ > 0) config.limits.max_output_bytes = max_output_bytes_;
    config.tokens = tokens_;
    if (drain_timeout_.count() > 0) config.drain_timeout = drain_timeout_;
    absl::StatusOr<std::unique_ptr<Server>> server = Server::Create(
        config, std::make_unique<FakeDurability>(&writable_, &fail_commits_));
    ASSERT_TRUE(server.ok()) << server.status();
    server_ = *std::move(server);
    thread_ = std::thread([this] { status_ = server_->Run(); });
  }
  void TearDown() override {
    if (thread_.joinable()) {
      ::raise(SIGTERM);
      thread_.join();
    }
  }

  static std::string Ask(LineClient& c, const std::string& line) {
    EXPECT_TRUE(c.SendLine(line));
    return c.ReadLine().value_or("");
  }
  // Opens `tickets` after_sales tickets at one instant and advances past
  // their deadlines: 4 events each (warning, breach, escalation, step).
  static void OpenAndBreach(LineClient& c, int tickets) {
    std::string opens;
    for (int i = 0; i < tickets; ++i) {
      absl::StrAppend(&opens, R"({"op":"open","id":"T)", i,
                      R"(","kind":"after_sales","at":1767574800000})", "\n");
    }
    ASSERT_TRUE(c.SendRaw(opens));
    ASSERT_EQ(c.ReadLines(tickets, 60'000).size(), static_cast<size_t>(tickets));
    ASSERT_EQ(Ask(c, R"({"op":"advance","req":"adv","to":1767600000000})")
                  .rfind(R"({"req":"adv","ok":true)", 0),
              0u);
  }

  bool system_clock_ = false;  // set before SetUp
  size_t max_output_bytes_ = 0;  // set before SetUp; 0: the default
  std::vector<TokenConfig> tokens_;  // set before SetUp; none: no access control
  std::chrono::milliseconds drain_timeout_{0};  // set before SetUp; 0: the default
  std::atomic<bool> writable_{true};
  std::atomic<bool> fail_commits_{false};
  std::unique_ptr<Server> server_;
  std::thread thread_;
  absl::Status status_;
};

constexpr char kOpen[] =
    R"({"op":"open","req":1,"id":"A","kind":"complaint","at":1767574800000})";

class SystemClockServerTest : public ServerTest {
 protected:
  void SetUp() override {
    system_clock_ = true;
    ServerTest::SetUp();
  }
};

// On the system clock a request's `at` far ahead would move the engine's
// clock (which never goes back), every deadline and every later `at` for
// good: any client, even a read-only query, could. Past max_at_ahead_ms
// (1 s) it is bad_field and nothing moves; within it, it is taken.
TEST_F(SystemClockServerTest, AnAtFarAheadOfTheSystemClockIsRefused) {
  LineClient c = LineClient::Connect(server_->port());
  const int64_t now = absl::ToUnixMillis(absl::Now());
  const std::string ahead = absl::StrCat(now + 3'600'000);
  std::string reply = Ask(c, absl::StrCat(R"({"op":"get","req":1,"id":"A","at":)", ahead, "}"));
  EXPECT_NE(reply.find(R"("code":"bad_field")"), std::string::npos) << reply;
  EXPECT_NE(reply.find("ahead of this daemon's clock"), std::string::npos) << reply;
  reply = Ask(c, absl::StrCat(R"({"op":"open","req":2,"id":"A","kind":"complaint","at":)",
                              ahead, "}"));
  EXPECT_NE(reply.find(R"("code":"bad_field")"), std::string::npos) << reply;
  // Nothing moved: an open stamped now is taken, and so is one a little
  // ahead (a client whose clock runs 100 ms fast).
  EXPECT_EQ(Ask(c, R"({"op":"open","req":3,"id":"A","kind":"complaint"})"),
            R"({"req":3,"ok":true})");
  EXPECT_EQ(Ask(c, absl::StrCat(R"({"op":"open","req":4,"id":"B","kind":"complaint","at":)",
                                absl::ToUnixMillis(absl::Now()) + 100, "}")),
            R"({"req":4,"ok":true})");
}

class TokensServerTest : public ServerTest {
 protected:
  void SetUp() override {
    tokens_ = {{"admin-secret", kAllRoles, {}},
               {"east-secret", kRoleIngest | kRoleOperator | kRoleSubscriber, {"east"}}};
    ServerTest::SetUp();
  }
};

// A team-limited token's get of another team's ticket answers not_found
// as for an id nobody has, and costs the same: the history is not read
// (reading up to a thousand records took tens of ms, a timing oracle).
TEST_F(TokensServerTest, AGetOfAHiddenTicketReadsNoHistory) {
  LineClient admin = LineClient::Connect(server_->port());
  ASSERT_NE(Ask(admin, R"({"op":"auth","req":0,"token":"admin-secret"})").find("true"),
            std::string::npos);
  EXPECT_EQ(Ask(admin, R"({"op":"open","req":1,"id":"W","kind":"complaint","team":"west"})"),
            R"({"req":1,"ok":true})");
  LineClient east = LineClient::Connect(server_->port());
  ASSERT_NE(Ask(east, R"({"op":"auth","req":0,"token":"east-secret"})").find("true"),
            std::string::npos);
  EXPECT_EQ(Ask(east, R"({"op":"open","req":1,"id":"E","kind":"complaint","team":"east"})"),
            R"({"req":1,"ok":true})");
  const int before = FakeDurability::history_reads_;
  const std::string hidden = Ask(east, R"({"op":"get","req":2,"id":"W"})");
  const std::string absent = Ask(east, R"({"op":"get","req":2,"id":"NONE"})");
  EXPECT_NE(hidden.find(R"("code":"not_found")"), std::string::npos) << hidden;
  EXPECT_NE(absent.find(R"("code":"not_found")"), std::string::npos) << absent;
  EXPECT_EQ(FakeDurability::history_reads_, before);
  // Its own ticket's history, and the admin's get of either, are read.
  EXPECT_NE(Ask(east, R"({"op":"get","req":3,"id":"E"})").find(R"("history":[)"),
            std::string::npos);
  EXPECT_NE(Ask(admin, R"({"op":"get","req":3,"id":"W"})").find(R"("history":[)"),
            std::string::npos);
  EXPECT_EQ(FakeDurability::history_reads_, before + 2);
}

class ManualClockTokensServerTest : public ServerTest {
 protected:
  void SetUp() override {
    tokens_ = {{"admin-secret", kAllRoles, {}},
               {"feed-secret", kRoleIngest, {}},
               {"east-reader", kRoleOperator | kRoleSubscriber, {"east"}}};
    ServerTest::SetUp();
  }
};

// The manual clock is every team's time: a request's `at` ahead of it
// fires every deadline up to there. An operator's query with a far `at`
// was a global advance in disguise (a read-only, team-limited token
// breached every team's tickets). Only ingest and admin tokens move it;
// anyone may give an `at` the clock has reached.
TEST_F(ManualClockTokensServerTest, OnlyIngestOrAdminMovesTheManualClock) {
  LineClient feed = LineClient::Connect(server_->port());
  ASSERT_NE(Ask(feed, R"({"op":"auth","req":0,"token":"feed-secret"})").find("true"),
            std::string::npos);
  EXPECT_EQ(Ask(feed, R"({"op":"open","req":1,"id":"W","kind":"complaint","team":"west","at":1767574800000})"),
            R"({"req":1,"ok":true})");
  LineClient reader = LineClient::Connect(server_->port());
  ASSERT_NE(Ask(reader, R"({"op":"auth","req":0,"token":"east-reader"})").find("true"),
            std::string::npos);
  const std::string far = Ask(reader, R"({"op":"get","req":2,"id":"nope","at":5680281600000})");
  EXPECT_NE(far.find(R"("code":"forbidden")"), std::string::npos) << far;
  EXPECT_NE(far.find("ahead of the manual clock (2026-01-05T01:00:00.000Z)"),
            std::string::npos) << far;
  // Nothing moved: the clock's own instant is fine, and the west ticket
  // has not breached.
  EXPECT_EQ(Ask(reader, R"({"op":"overdue","req":3,"limit":10,"at":1767574800000})"),
            R"({"req":3,"ok":true,"items":[]})");
  LineClient admin = LineClient::Connect(server_->port());
  ASSERT_NE(Ask(admin, R"({"op":"auth","req":0,"token":"admin-secret"})").find("true"),
            std::string::npos);
  const std::string west = Ask(admin, R"({"op":"get","req":4,"id":"W"})");
  EXPECT_EQ(west.find(R"("breached":true)"), std::string::npos) << west;
  // The feed's later `at` moves it, as a replayed stream does.
  EXPECT_EQ(Ask(feed, R"({"op":"pause","req":5,"id":"W","reason":"customer","at":1767578400000})"),
            R"({"req":5,"ok":true})");
  EXPECT_EQ(Ask(reader, R"({"op":"due_soon","req":6,"within":"1m","at":1767578400000})"),
            R"({"req":6,"ok":true,"items":[]})");
}

// An admin lists the subscriber groups, each with its key, and drops one
// whose consumer is retired: not while a connection subscribes it.
TEST_F(TokensServerTest, AnAdminListsAndDropsSubscriberGroups) {
  auto connect = [&](const std::string& token) {
    auto c = std::make_unique<LineClient>(LineClient::Connect(server_->port()));
    EXPECT_NE(Ask(*c, absl::StrCat(R"({"op":"auth","req":0,"token":")", token, "\"}"))
                  .find("true"),
              std::string::npos);
    return c;
  };
  auto admin = connect("admin-secret");
  auto shared = connect("admin-secret");
  auto east = connect("east-secret");
  EXPECT_EQ(Ask(*shared, R"({"op":"subscribe","req":1,"group":"crm"})"), R"({"req":1,"ok":true})");
  EXPECT_EQ(Ask(*east, R"({"op":"subscribe","req":1,"group":"crm"})"), R"({"req":1,"ok":true})");
  EXPECT_EQ(Ask(*admin, R"({"op":"open","req":2,"id":"A","kind":"complaint","team":"east"})"),
            R"({"req":2,"ok":true})");
  EXPECT_EQ(Ask(*admin, R"({"op":"groups","req":3})"),
            R"({"req":3,"ok":true,"groups":[)"
            R"({"key":"crm","group":"crm","acked":0,"behind":0,"connections":1},)"
            R"({"key":"crm\u001feast","group":"crm","teams":["east"],"acked":0,"behind":0,"connections":1}]})");
  EXPECT_NE(Ask(*east, R"({"op":"groups","req":4})").find(R"("code":"forbidden")"),
            std::string::npos);
  // A subscribed connection keeps its token: another one's acks would move
  // a group that is not its own.
  EXPECT_NE(Ask(*shared, R"({"op":"auth","req":9,"token":"east-secret"})")
                .find(R"("code":"failed_precondition")"),
            std::string::npos);
  EXPECT_NE(Ask(*admin, R"({"op":"drop_group","req":5,"key":"crm"})")
                .find(R"("code":"failed_precondition")"),
            std::string::npos);
  EXPECT_NE(Ask(*admin, R"({"op":"drop_group","req":6,"key":"nope"})")
                .find(R"("code":"not_found")"),
            std::string::npos);
  shared.reset();  // its consumer retired
  std::string reply;
  for (int i = 0; i < 500; ++i) {  // until the server has seen the close
    reply = Ask(*admin, R"({"op":"drop_group","req":7,"key":"crm"})");
    if (reply.find("failed_precondition") == std::string::npos) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  EXPECT_EQ(reply, R"({"req":7,"ok":true})");
  EXPECT_EQ(Ask(*admin, R"({"op":"groups","req":8})"),
            R"({"req":8,"ok":true,"groups":[)"
            R"({"key":"crm\u001feast","group":"crm","teams":["east"],"acked":0,"behind":0,"connections":1}]})");
}

class SmallOutputServerTest : public ServerTest {
 protected:
  void SetUp() override {
    max_output_bytes_ = 64 * 1024;
    ServerTest::SetUp();
  }
};

// A client that pipelines thousands of queries in one burst and reads the
// replies as they come gets them all: the session stops reading while its
// output is over half the limit, instead of piling up replies past it
// and cutting the client off as a slow consumer (with a reset that could
// destroy replies already sent).
TEST_F(SmallOutputServerTest, APipelinedBurstOfQueriesIsPacedNotCutOff) {
  LineClient c = LineClient::Connect(server_->port());
  ASSERT_EQ(Ask(c, kOpen), R"({"req":1,"ok":true})");
  constexpr int kGets = 3000;  // ~1 MB of replies: 16 times the limit
  std::string burst;
  for (int i = 0; i < kGets; ++i) {
    absl::StrAppend(&burst, R"({"op":"get","req":)", i + 2, R"(,"id":"A"})", "\n");
  }
  ASSERT_TRUE(c.SendRaw(burst));
  const std::vector<std::string> replies = c.ReadLines(kGets);
  ASSERT_EQ(replies.size(), static_cast<size_t>(kGets)) << (replies.empty() ? "" : replies.back().substr(0, 300));
  for (int i = 0; i < kGets; i += 499) {
    EXPECT_EQ(replies[i].rfind(absl::StrCat(R"({"req":)", i + 2, R"(,"ok":true)"), 0),
              0u) << replies[i];
  }
  EXPECT_EQ(replies.back().find("slow_consumer"), std::string::npos);
}

class TinyOutputServerTest : public ServerTest {
 protected:
  void SetUp() override {
    max_output_bytes_ = 16 * 1024;
    ServerTest::SetUp();
  }
};

// Replies wait for their commit and then arrive together: a client that
// pipelines 2,000 opens (40 KB of replies against a 16 KiB limit) while a
// commit is slow is read only as far as its replies will fit, not cut off
// as a slow consumer when they all come at once.
TEST_F(TinyOutputServerTest, RepliesHeldBehindACommitArePacedNotCutOff) {
  LineClient c = LineClient::Connect(server_->port());
  constexpr int kOpens = 2000;
  std::string burst;
  for (int i = 0; i < kOpens; ++i) {
    absl::StrAppend(&burst, R"({"op":"open","req":)", i, R"(,"id":"T)", i,
                    R"(","kind":"complaint"})", "\n");
  }
  FakeDurability::hold_commits_ = true;
  ASSERT_TRUE(c.SendRaw(burst));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  FakeDurability::hold_commits_ = false;
  FakeDurability::CompleteHeld();
  const std::vector<std::string> replies = c.ReadLines(kOpens);
  ASSERT_EQ(replies.size(), static_cast<size_t>(kOpens))
      << (replies.empty() ? "" : replies.back());
  EXPECT_EQ(replies.back(), absl::StrCat(R"({"req":)", kOpens - 1, R"(,"ok":true})"));
}

// A ticket with many long requests in its history: get answers with the
// newest records that fit a quarter of the output limit, instead of a
// reply the session would refuse as a slow consumer every time.
TEST_F(SmallOutputServerTest, AGetOfALongHistoryFitsTheOutputLimit) {
  LineClient c = LineClient::Connect(server_->port());
  ASSERT_EQ(Ask(c, kOpen), R"({"req":1,"ok":true})");
  const std::string reason(1000, 'r');
  for (int i = 0; i < 40; ++i) {
    ASSERT_EQ(Ask(c, absl::StrCat(R"({"op":"pause","req":2,"id":"A","reason":")",
                                  reason, R"("})")),
              R"({"req":2,"ok":true})");
    ASSERT_EQ(Ask(c, R"({"op":"resume","req":3,"id":"A"})"), R"({"req":3,"ok":true})");
  }
  const std::string reply = Ask(c, R"({"op":"get","req":4,"id":"A"})");
  ASSERT_EQ(reply.rfind(R"({"req":4,"ok":true)", 0), 0u) << reply.substr(0, 200);
  EXPECT_LE(reply.size(), 64u * 1024 / 4 + 4096);
  // The newest record (the last resume) is there, the open is not.
  EXPECT_NE(reply.find(R"({"op":"resume","req":3,"id":"A"})"), std::string::npos);
  EXPECT_EQ(reply.find(R"("op":"open")"), std::string::npos);

  // Held behind a commit, twenty such gets are answered together: they
  // share the budget (the later ones carry less history) instead of
  // twenty quarters of the limit cutting the client off.
  FakeDurability::hold_commits_ = true;
  std::string burst = R"({"op":"assign","req":5,"id":"A","assignee":"li"})" "\n";
  for (int i = 0; i < 20; ++i) {
    absl::StrAppend(&burst, R"({"op":"get","req":)", 100 + i, R"(,"id":"A"})", "\n");
  }
  ASSERT_TRUE(c.SendRaw(burst));
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  FakeDurability::hold_commits_ = false;
  FakeDurability::CompleteHeld();
  const std::vector<std::string> replies = c.ReadLines(21);
  ASSERT_EQ(replies.size(), 21u);
  for (int i = 0; i < 20; ++i) {
    EXPECT_EQ(replies[1 + i].rfind(absl::StrCat(R"({"req":)", 100 + i, R"(,"ok":true)"), 0),
              0u) << replies[1 + i].substr(0, 100);
  }
}

// An outbox page (256 events, ~33 KB) larger than the whole output limit
// (16 KiB) is delivered as the output drains, not at once: the subscriber
// catches up. It was cut off as a slow consumer after every first page,
// for ever.
TEST_F(TinyOutputServerTest, ASubscriberCatchesUpThroughPagesLargerThanItsOutput) {
  LineClient c = LineClient::Connect(server_->port());
  constexpr int kTickets = 300;
  OpenAndBreach(c, kTickets);
  LineClient sub = LineClient::Connect(server_->port());
  ASSERT_TRUE(sub.SendRaw(R"({"op":"subscribe","req":"s","group":"g"})" "\n"));
  int events = 0;
  while (events < 4 * kTickets) {
    const std::optional<std::string> line = sub.ReadLine();
    ASSERT_TRUE(line.has_value()) << "cut off after " << events << " events";
    ASSERT_EQ(line->find("slow_consumer"), std::string::npos) << *line;
    if (line->find(R"("seq":)") != std::string::npos) ++events;
  }
  EXPECT_EQ(events, 4 * kTickets);  // warning, breach, escalation, step each
}

// A subscriber catching up on a backlog several times the output limit
// acks as it reads: its acks are read and answered while the backlog
// streams. (Pacing the session's reads by all its output, events
// included, left them unread until the whole backlog was out.)
TEST_F(SmallOutputServerTest, ASubscribersAcksAreReadWhileItCatchesUp) {
  LineClient c = LineClient::Connect(server_->port());
  // 4 events each: ~5 MB of backlog, far more than a small receive window
  // and the server's send buffer can hold, so what comes before the ack's
  // reply depends on when the server read the ack, not on the kernel.
  constexpr int kTickets = 5'000;
  OpenAndBreach(c, kTickets);
  LineClient sub = LineClient::Connect(server_->port());
  const int small = 65536;  // a small receive window: the backlog stays server-side
  ASSERT_EQ(setsockopt(sub.fd(), SOL_SOCKET, SO_RCVBUF, &small, sizeof small), 0);
  ASSERT_TRUE(sub.SendRaw(R"({"op":"subscribe","req":"s","group":"g"})" "\n"));
  int events = 0;
  bool acked = false, asked = false;
  for (std::optional<std::string> line = sub.ReadLine(); line.has_value();
       line = sub.ReadLine()) {
    if (line->rfind(R"({"req":"k","ok":true)", 0) == 0) {
      acked = true;
      break;
    }
    if (line->find(R"("seq":)") == std::string::npos) continue;
    ++events;
    if (!asked && events == 10) {
      ASSERT_TRUE(sub.SendRaw(R"({"op":"ack","req":"k","group":"g","seq":10})" "\n"));
      asked = true;
    }
  }
  EXPECT_TRUE(acked);
  EXPECT_LT(events, 4 * kTickets) << "the ack waited for the whole backlog";
}

// A client that sends its last request without a newline and closes its
// side gets that request answered too (simulate reads such a line as
// well); a byte order mark before the first line is ignored.
TEST_F(ServerTest, ALastLineWithoutNewlineIsAnsweredAtHalfClose) {
  LineClient c = LineClient::Connect(server_->port());
  ASSERT_TRUE(c.SendRaw("\xEF\xBB\xBF" + std::string(kOpen) + "\n" +
                        R"({"op":"get","req":2,"id":"A"})"));
  c.ShutdownWrite();
  std::vector<std::string> lines;
  std::string partial;
  EXPECT_EQ(c.ReadToEnd(&lines, &partial), LineClient::End::kEof);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], R"({"req":1,"ok":true})");
  EXPECT_EQ(lines[1].rfind(R"({"req":2,"ok":true)", 0), 0u) << lines[1];
  EXPECT_EQ(partial, "");
}

// History keeps the request itself: not a byte order mark before it (a
// get showing one was no longer JSON) nor a CRLF ending's '\r'. A line of
// exactly max_line_bytes is within the limit with either around it.
TEST_F(ServerTest, HistoryKeepsTheRequestWithoutItsBomOrCr) {
  LineClient c = LineClient::Connect(server_->port());
  ASSERT_TRUE(c.SendRaw("\xEF\xBB\xBF" + std::string(kOpen) + "\r\n"));
  EXPECT_EQ(c.ReadLine().value_or(""), R"({"req":1,"ok":true})");
  const std::string get = Ask(c, R"({"op":"get","req":2,"id":"A"})");
  EXPECT_NE(get.find(absl::StrCat(R"("line":)", kOpen, "}")), std::string::npos)
      << get;
  EXPECT_EQ(get.find('\xEF'), std::string::npos) << get;
  EXPECT_EQ(get.find('\r'), std::string::npos) << get;
  // Two marks are not one: bad JSON, and nothing reaches history.
  ASSERT_TRUE(c.SendRaw(absl::StrCat("\xEF\xBB\xBF\xEF\xBB\xBF",
                                     R"({"op":"pause","req":9,"id":"A","reason":"r"})", "\n")));
  const std::string twice = c.ReadLine().value_or("");
  EXPECT_NE(twice.find(R"("code":"bad_json")"), std::string::npos) << twice;
  EXPECT_EQ(Ask(c, R"({"op":"get","req":2,"id":"A"})").find('\xEF'), std::string::npos);

  std::string stats = R"({"op":"stats","req":3,"from":0,"to":1)";
  stats.append(DaemonConfig().limits.max_line_bytes - stats.size() - 1, ' ');
  stats += "}";
  ASSERT_TRUE(c.SendRaw("\xEF\xBB\xBF" + stats + "\r\n"));
  const std::string within = c.ReadLine().value_or("");
  EXPECT_EQ(within.rfind(R"({"req":3,"ok":true)", 0), 0u) << within.substr(0, 80);
  stats.insert(stats.size() - 1, " ");
  ASSERT_TRUE(c.SendRaw(stats + "\r\n"));
  const std::string over = c.ReadLine().value_or("");
  EXPECT_NE(over.find(R"("code":"line_too_long")"), std::string::npos)
      << over.substr(0, 80);
}

// History keeps a request without the whitespace between its tokens
// (what is inside its strings stays): a line padded to max_line_bytes
// costs its ticket's history what the request says, not 64 KiB.
TEST_F(ServerTest, HistoryKeepsTheRequestWithoutPadding) {
  LineClient c = LineClient::Connect(server_->port());
  ASSERT_EQ(Ask(c, kOpen), R"({"req":1,"ok":true})");
  std::string pause = absl::StrCat("{ \"op\" :\t\"pause\", \"req\": 2, \"id\":\"A\",",
                                   std::string(60000, ' '), "\"reason\": \"a b\" }");
  EXPECT_EQ(Ask(c, pause), R"({"req":2,"ok":true})");
  const std::string get = Ask(c, R"({"op":"get","req":3,"id":"A"})");
  EXPECT_NE(get.find(R"("line":{"op":"pause","req":2,"id":"A","reason":"a b"}})"),
            std::string::npos)
      << get.substr(0, 400);
  EXPECT_LT(get.size(), 1000u);
}

// A get answers as of where it stands among the requests: its reply
// leaves after the commit, but the history it shows stops at the state it
// shows, not at what the requests pipelined behind it did meanwhile.
TEST_F(ServerTest, AGetsHistoryStopsWhereTheGetRan) {
  LineClient c = LineClient::Connect(server_->port());
  ASSERT_TRUE(c.SendRaw(absl::StrCat(kOpen, "\n",
                                     R"({"op":"get","req":2,"id":"A"})", "\n",
                                     R"({"op":"pause","req":3,"id":"A","reason":"r"})", "\n",
                                     R"({"op":"get","req":4,"id":"A"})", "\n")));
  const std::vector<std::string> replies = c.ReadLines(4);
  ASSERT_EQ(replies.size(), 4u);
  EXPECT_EQ(replies[1].find(R"("op":"pause")"), std::string::npos) << replies[1];
  EXPECT_NE(replies[1].find(R"("op":"open")"), std::string::npos) << replies[1];
  EXPECT_NE(replies[3].find(R"("op":"pause")"), std::string::npos) << replies[3];
}

// A history the store cannot read (a damaged file) is an internal error
// that says so, not a ticket answered as if it had no history.
TEST_F(ServerTest, AnUnreadableHistoryIsAnErrorNotAnEmptyOne) {
  LineClient c = LineClient::Connect(server_->port());
  ASSERT_EQ(Ask(c, kOpen), R"({"req":1,"ok":true})");
  FakeDurability::fail_history_reads_ = true;
  const std::string reply = Ask(c, R"({"op":"get","req":2,"id":"A"})");
  FakeDurability::fail_history_reads_ = false;
  EXPECT_NE(reply.find(R"("req":2,"ok":false,"error":{"code":"internal")"), std::string::npos)
      << reply;
  EXPECT_NE(reply.find(R"(the history of ticket \"A\" cannot be read)"), std::string::npos)
      << reply;
  // The store's words (file names, offsets) are for the log, not clients.
  EXPECT_EQ(reply.find("checksum"), std::string::npos) << reply;
  EXPECT_NE(Ask(c, R"({"op":"get","req":3,"id":"A"})").find(R"("history":[)"),
            std::string::npos);
}

TEST_F(ServerTest, AReadOnlyStoreRefusesCommandsButAnswersQueries) {
  LineClient c = LineClient::Connect(server_->port());
  EXPECT_EQ(Ask(c, kOpen), R"({"req":1,"ok":true})");
  writable_ = false;
  EXPECT_NE(Ask(c, R"({"op":"resolve","req":2,"id":"A"})")
                .find(R"("code":"unavailable")"),
            std::string::npos);
  EXPECT_NE(Ask(c, R"({"op":"subscribe","req":3,"group":"g"})")
                .find(R"("code":"unavailable")"),
            std::string::npos);
  EXPECT_EQ(Ask(c, R"({"op":"get","req":4,"id":"A"})")
                .rfind(R"({"req":4,"ok":true,"ticket":)", 0),
            0u);
  writable_ = true;
  EXPECT_EQ(Ask(c, R"({"op":"resolve","req":5,"id":"A"})"),
            R"({"req":5,"ok":true})");
  c.Close();  // else the server waits (up to 2 s) for it to close
  ::raise(SIGTERM);
  thread_.join();
  EXPECT_TRUE(status_.ok()) << status_;
}

// Queries stay answered while the store cannot write, also at an instant
// past a deadline and behind a unit it holds: they answer as of the
// engine's clock, firing nothing the store could not record. They used
// to fire the breach and wait for the disk with it.
TEST_F(ServerTest, AReadOnlyStoreAnswersQueriesWithoutWaitingForTheDisk) {
  LineClient c = LineClient::Connect(server_->port());
  EXPECT_EQ(Ask(c, kOpen), R"({"req":1,"ok":true})");  // handled within 1 working day
  writable_ = false;
  FakeDurability::hold_commits_ = true;  // a full disk: nothing completes
  const std::string week_later = R"(,"at":1768179600000})";
  const std::string overdue = Ask(c, std::string(R"({"op":"overdue","req":2)") + week_later);
  EXPECT_EQ(overdue, R"({"req":2,"ok":true,"items":[]})");
  const std::string get = Ask(c, std::string(R"({"op":"get","req":3,"id":"A")") + week_later);
  EXPECT_EQ(get.rfind(R"({"req":3,"ok":true,"ticket":)", 0), 0u) << get;
  EXPECT_NE(get.find(R"("breached":false)"), std::string::npos) << get;
  FakeDurability::hold_commits_ = false;
  writable_ = true;
  // Writable again, the same query moves time and sees the breach.
  EXPECT_NE(Ask(c, std::string(R"({"op":"overdue","req":4)") + week_later).find(R"("id":"A")"),
            std::string::npos);
  c.Close();
}

TEST_F(ServerTest, AStoreThatFailsForGoodStopsTheDaemonWithItsError) {
  LineClient c = LineClient::Connect(server_->port());
  EXPECT_EQ(Ask(c, kOpen), R"({"req":1,"ok":true})");
  fail_commits_ = true;
  EXPECT_NE(Ask(c, R"({"op":"resolve","req":2,"id":"A"})")
                .find(R"("code":"internal")"),
            std::string::npos);
  // It stops by itself: an orderly end (EOF), then it waits for the close.
  EXPECT_TRUE(c.WaitForClose());
  c.Close();
  thread_.join();
  EXPECT_EQ(status_.code(), absl::StatusCode::kDataLoss);
}

// A stop while the store holds units it never completes (a full disk)
// ends with an error, not OK: every connection gone, nothing left on the
// loop, the daemon still did not end durable. It once returned OK.
class ShortDrainServerTest : public ServerTest {
 protected:
  void SetUp() override {
    drain_timeout_ = std::chrono::milliseconds(200);
    ServerTest::SetUp();
  }
};

TEST_F(ShortDrainServerTest, AStopWithUnitsTheStoreNeverCompletedIsAnError) {
  LineClient c = LineClient::Connect(server_->port());
  EXPECT_EQ(Ask(c, kOpen), R"({"req":1,"ok":true})");
  const int before = FakeDurability::commits_;
  FakeDurability::hold_commits_ = true;
  ASSERT_TRUE(c.SendLine(R"({"op":"resolve","req":2,"id":"A"})"));
  for (int i = 0; i < 500 && FakeDurability::commits_ == before; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(2));
  }
  ASSERT_GT(FakeDurability::commits_, before);
  c.Close();
  ::raise(SIGTERM);
  thread_.join();
  FakeDurability::hold_commits_ = false;
  EXPECT_EQ(status_.code(), absl::StatusCode::kUnavailable) << status_;
  EXPECT_NE(status_.message().find("1 units of requests the store never made durable"),
            std::string::npos) << status_;
  // The held unit completes (failed) as the store closes, which posts to
  // the server's loop: the store must go before the loop does.
  server_.reset();
}

// The requests read in one turn of the loop form one commit unit: one
// Commit, and the replies, the query's among them, in request order.
TEST_F(ServerTest, APipelinedBurstIsOneCommitAnsweredInOrder) {
  LineClient c = LineClient::Connect(server_->port());
  EXPECT_EQ(Ask(c, kOpen), R"({"req":1,"ok":true})");
  const int before = FakeDurability::commits_;
  ASSERT_TRUE(c.SendRaw(
      R"({"op":"open","req":2,"id":"B","kind":"complaint"})" "\n"
      R"({"op":"get","req":3,"id":"B"})" "\n"
      R"({"op":"resolve","req":4,"id":"A"})" "\n"
      R"({"op":"stats","req":5,"from":0,"to":1})" "\n"
      R"({"op":"open","req":6,"id":"C","kind":"complaint"})" "\n"));
  const std::vector<std::string> replies = c.ReadLines(5);
  ASSERT_EQ(replies.size(), 5u);
  for (int i = 0; i < 5; ++i) {
    EXPECT_EQ(replies[i].rfind(absl::StrCat(R"({"req":)", i + 2, R"(,"ok":true)"), 0),
              0u) << replies[i];
  }
  EXPECT_NE(replies[1].find(R"("history":[)"), std::string::npos);
  EXPECT_EQ(FakeDurability::commits_ - before, 1);
}

// One group per connection; an ack names a group someone subscribed to.
// Either mistake used to answer ok and leave a group registered for good,
// whose cursor then kept the outbox from being trimmed.
TEST_F(ServerTest, SecondGroupOnAConnectionAndAckOfUnknownGroupAreRefused) {
  LineClient c = LineClient::Connect(server_->port());
  // Only the connection that subscribes a group acknowledges it.
  EXPECT_NE(Ask(c, R"({"op":"ack","req":1,"group":"never","seq":5})")
                .find(R"("code":"failed_precondition")"),
            std::string::npos);
  // Pipelined: the second subscribe arrives before the first's commit.
  ASSERT_TRUE(c.SendRaw(R"({"op":"subscribe","req":2,"group":"a"})" "\n"
                        R"({"op":"subscribe","req":3,"group":"b"})" "\n"));
  const std::vector<std::string> replies = c.ReadLines(2);
  ASSERT_EQ(replies.size(), 2u);
  EXPECT_EQ(replies[0], R"({"req":2,"ok":true})");
  EXPECT_NE(replies[1].find(R"("code":"failed_precondition")"), std::string::npos)
      << replies[1];
  EXPECT_EQ(Ask(c, R"({"op":"ack","req":4,"group":"a","seq":0})"),
            R"({"req":4,"ok":true})");
  EXPECT_NE(Ask(c, R"({"op":"ack","req":5,"group":"b","seq":0})")
                .find(R"("code":"failed_precondition")"),
            std::string::npos);
  // Another connection cannot ack group a (a consumer's events would be
  // dropped before it had them).
  LineClient other = LineClient::Connect(server_->port());
  EXPECT_NE(Ask(other, R"({"op":"ack","req":6,"group":"a","seq":9})")
                .find(R"("code":"failed_precondition")"),
            std::string::npos);
}

// More requests in one write than max_in_flight (4096): the session
// pauses on the limit and goes on with the rest of what it read; every
// request is answered ok, in order, none with `overloaded`.
TEST_F(ServerTest, APipelinedBurstPastMaxInFlightIsAllAnswered) {
  LineClient c = LineClient::Connect(server_->port());
  constexpr int kRequests = 10'000;
  std::string burst;
  for (int i = 0; i < kRequests; ++i) {
    absl::StrAppend(&burst, R"({"op":"open","req":)", i, R"(,"id":"T)", i,
                    R"(","kind":"inquiry"})", "\n");
  }
  // Commits complete only every 20 ms, so replies are held and the
  // session reaches the limit in the middle of a chunk it has read.
  FakeDurability::hold_commits_ = true;
  std::atomic<bool> done{false};
  std::thread disk([&] {
    while (!done) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
      FakeDurability::CompleteHeld();
    }
  });
  ASSERT_TRUE(c.SendRaw(burst));
  const std::vector<std::string> replies = c.ReadLines(kRequests);
  done = true;
  disk.join();
  FakeDurability::hold_commits_ = false;
  FakeDurability::CompleteHeld();
  ASSERT_EQ(replies.size(), static_cast<size_t>(kRequests));
  for (int i = 0; i < kRequests; ++i) {
    ASSERT_EQ(replies[i], absl::StrCat(R"({"req":)", i, R"(,"ok":true})"));
  }
}

TEST_F(ServerTest, AFailedUnitFailsEveryReplyItHeld) {
  LineClient c = LineClient::Connect(server_->port());
  EXPECT_EQ(Ask(c, kOpen), R"({"req":1,"ok":true})");
  fail_commits_ = true;
  ASSERT_TRUE(c.SendRaw(
      R"({"op":"open","req":2,"id":"B","kind":"complaint"})" "\n"
      R"({"op":"open","req":"c,\"ok\":3","id":"C","kind":"complaint"})" "\n"));
  const std::vector<std::string> replies = c.ReadLines(2);
  ASSERT_EQ(replies.size(), 2u);
  for (const std::string& reply : replies) {
    EXPECT_NE(reply.find(R"("code":"internal")"), std::string::npos) << reply;
  }
  // Each still says which request it answers.
  EXPECT_EQ(replies[0].rfind(R"({"req":2,"ok":false,)", 0), 0u) << replies[0];
  EXPECT_EQ(replies[1].rfind(R"({"req":"c,\"ok\":3","ok":false,)", 0), 0u)
      << replies[1];
  EXPECT_TRUE(c.WaitForClose());
  c.Close();
  thread_.join();
  EXPECT_EQ(status_.code(), absl::StatusCode::kDataLoss);
}


// A page's cursor names the last index entry the page passed, which can be
// another team's ticket: clients get it sealed, and one that was not made
// by this daemon since its start (altered, an engine's plain cursor) is
// refused without a page.
TEST_F(ServerTest, PageCursorsAreSealedAndOnlyTheirsAreTaken) {
  LineClient c = LineClient::Connect(server_->port());
  for (const char* id : {"A", "B", "C"}) {
    ASSERT_EQ(Ask(c, absl::StrCat(R"({"op":"open","req":1,"id":")", id,
                                  R"(","kind":"complaint","at":1767574800000})")),
              R"({"req":1,"ok":true})");
  }
  const std::string first =
      Ask(c, R"({"op":"due_soon","req":2,"within":"720h","limit":1})");
  const std::string key = R"("next_cursor":")";
  const size_t at = first.find(key);
  ASSERT_NE(at, std::string::npos) << first;
  const std::string cursor =
      first.substr(at + key.size(), first.find('"', at + key.size()) - at - key.size());
  // Opaque: none of the engine's "deadline.slot.target.epoch".
  EXPECT_EQ(cursor.find('.'), std::string::npos) << cursor;
  EXPECT_EQ(cursor.find("1767"), std::string::npos) << cursor;

  const std::string second = Ask(
      c, absl::StrCat(R"({"op":"due_soon","req":3,"within":"720h","limit":1,"cursor":")",
                      cursor, R"("})"));
  EXPECT_NE(second.find(R"("ok":true)"), std::string::npos) << second;
  // Each item once: its id, kind and target, as on the first page.
  const size_t item = first.find(R"("id":")");
  const std::string first_item = first.substr(item, first.find(R"(,"level")") - item);
  EXPECT_EQ(second.find(first_item), std::string::npos)
      << "the second page repeats the first's item: " << first << " / " << second;

  std::string altered = cursor;
  altered[altered.size() / 2] = altered[altered.size() / 2] == 'A' ? 'B' : 'A';
  for (const std::string& bad : {altered, std::string("1767574800000.0.0.0"),
                                 std::string("not a cursor")}) {
    const std::string reply = Ask(
        c, absl::StrCat(R"({"op":"due_soon","req":4,"within":"720h","limit":1,"cursor":")",
                        bad, R"("})"));
    EXPECT_NE(reply.find(R"("code":"bad_field")"), std::string::npos) << bad << ": " << reply;
    EXPECT_EQ(reply.find(R"("items")"), std::string::npos) << reply;
  }
  // A cursor pages the query that made it: not another op, not other
  // filters (its position would skip what they match before it).
  for (const std::string& other :
       {absl::StrCat(R"({"op":"overdue","req":5,"limit":1,"cursor":")", cursor, R"("})"),
        absl::StrCat(R"({"op":"due_soon","req":6,"within":"720h","team":"east","limit":1,"cursor":")",
                     cursor, R"("})"),
        // null (tickets without a team) is another filter than none at all
        absl::StrCat(R"({"op":"due_soon","req":6,"within":"720h","team":null,"limit":1,"cursor":")",
                     cursor, R"("})")}) {
    const std::string reply = Ask(c, other);
    EXPECT_NE(reply.find(R"("code":"bad_field")"), std::string::npos) << other << ": " << reply;
  }
  // A longer window is the same query, going on from the same position.
  EXPECT_NE(Ask(c, absl::StrCat(R"({"op":"due_soon","req":7,"within":"900h","limit":1,"cursor":")",
                                cursor, R"("})"))
                .find(R"("ok":true)"),
            std::string::npos);
}

// Whether a TCP connection to 127.0.0.1:`port` is accepted by the kernel
// (listening, even if not yet accepted by the server).
bool Connects(uint16_t port) { return LineClient::Connect(port).connected(); }

// Binds a socket with SO_REUSEADDR, as another daemon would, to
// 127.0.0.1:`port` (0: any free one); its fd, or -1 if the bind failed.
int BindReusable(uint16_t port) {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(port);
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    ::close(fd);
    return -1;
  }
  return fd;
}

// While the data recovers the address is bound and held (another process
// cannot take it, even with SO_REUSEADDR) but takes no connection: a
// client or a TCP health probe is refused rather than left waiting in the
// backlog of a daemon that cannot answer yet.
TEST(ServerStartTest, ConnectionsAreRefusedUntilTheDataIsRecovered) {
  uint16_t port;
  {  // a free port: the kernel's choice, released for the server
    const int fd = BindReusable(0);
    ASSERT_GE(fd, 0);
    sockaddr_in addr{};
    socklen_t len = sizeof addr;
    ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
    port = ntohs(addr.sin_port);
    ::close(fd);
  }
  std::promise<void> recovering, release;
  std::shared_future<void> released = release.get_future().share();
  FakeDurability::on_recover_ = [&] {
    recovering.set_value();
    released.wait();
  };
  DaemonConfig config;
  config.listen_port = port;
  config.manual_clock = true;
  std::atomic<bool> writable{true}, fail_commits{false};
  absl::StatusOr<std::unique_ptr<Server>> server;
  std::thread start([&] {
    server = Server::Create(config,
                            std::make_unique<FakeDurability>(&writable, &fail_commits));
  });
  // Another process may have taken the free port first: then Create fails
  // at once and never recovers.
  const bool recovered_started = recovering.get_future().wait_for(std::chrono::seconds(10)) ==
                                 std::future_status::ready;
  if (recovered_started) {
    EXPECT_FALSE(Connects(port)) << "a connection was taken during the recovery";
    const int thief = BindReusable(port);
    EXPECT_LT(thief, 0) << "another socket bound the address during the recovery";
    if (thief >= 0) ::close(thief);
  }
  release.set_value();
  start.join();
  FakeDurability::on_recover_ = nullptr;
  ASSERT_TRUE(recovered_started) << server.status();
  ASSERT_TRUE(server.ok()) << server.status();
  EXPECT_TRUE(Connects(port));
  std::thread run([&] { (void)(*server)->Run(); });
  LineClient c = LineClient::Connect(port);
  EXPECT_TRUE(c.SendLine(R"({"op":"get","req":1,"id":"none"})"));
  EXPECT_NE(c.ReadLine().value_or("").find("not_found"), std::string::npos);
  c.Close();
  ::raise(SIGTERM);
  run.join();
}

// slad's exit status tells a data folder that failed (1) from a mistake
// found before it was reached (2): Create marks the data's errors.
TEST(ServerStartTest, ErrorsOfTheDataFolderAreMarkedAsSuch) {
  DaemonConfig config;
  config.listen_port = 0;
  config.manual_clock = true;
  absl::StatusOr<std::unique_ptr<Server>> server = Server::Create(
      config, [] { return absl::StatusOr<std::unique_ptr<Durability>>(
                       absl::UnavailableError("cannot open the data folder")); });
  ASSERT_FALSE(server.ok());
  EXPECT_TRUE(IsDataError(server.status())) << server.status();

  config.tls_cert = "/nonexistent/cert.pem";
  config.tls_key = "/nonexistent/key.pem";
  bool opened = false;
  server = Server::Create(config, [&opened] {
    opened = true;
    return absl::StatusOr<std::unique_ptr<Durability>>(NewMemoryDurability());
  });
  ASSERT_FALSE(server.ok());
  EXPECT_FALSE(IsDataError(server.status())) << server.status();
  EXPECT_FALSE(opened);
}

}  // namespace
}  // namespace slad::api
