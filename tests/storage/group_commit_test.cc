// GroupCommitter against a fake sink: units complete in order, alone at
// once, together under load; a transient failure is retried with nothing
// completed early; a fatal one fails everything then and later.

#include "storage/group_commit.h"

#include <algorithm>
#include <atomic>
#include <chrono>
#include <future>
#include <mutex>
#include <thread>
#include <utility>
#include <vector>

#include "gtest/gtest.h"

namespace slad::storage {
namespace {

// Records every batch written; can be told to block or fail.
struct FakeSink {
  std::mutex mu;
  std::vector<uint32_t> counts;  // records per batch written
  std::atomic<int> fail_next{0};  // this many writes fail
  absl::Status failure = absl::UnavailableError("disk full");
  std::promise<void> release;  // while set, the first write waits for it
  std::shared_future<void> gate;
  std::atomic<int> resumes{0};

  GroupCommitter::Sink sink() {
    return {.write =
                [this](rocksdb::WriteBatch& b) {
                  if (gate.valid()) gate.wait();
                  if (fail_next > 0) {
                    --fail_next;
                    return failure;
                  }
                  std::lock_guard<std::mutex> lock(mu);
                  counts.push_back(b.Count());
                  return absl::OkStatus();
                },
            .resume = [this] {
              ++resumes;
              return absl::OkStatus();
            }};
  }
};

void Stage(rocksdb::WriteBatch* unit, int n) {
  for (int i = 0; i < n; ++i) ASSERT_TRUE(unit->Put("k", "v").ok());
}

TEST(GroupCommitTest, OneUnitAloneCompletesAtOnce) {
  FakeSink fake;
  GroupCommitter committer(fake.sink(), 1 << 20);
  rocksdb::WriteBatch unit;
  Stage(&unit, 3);
  std::promise<absl::Status> done;
  committer.Append(&unit, nullptr, [&](absl::Status s) { done.set_value(s); });
  auto f = done.get_future();
  ASSERT_EQ(f.wait_for(std::chrono::seconds(10)), std::future_status::ready);
  EXPECT_TRUE(f.get().ok());
  EXPECT_EQ(unit.Count(), 0u);  // cleared for reuse
  std::lock_guard<std::mutex> lock(fake.mu);
  EXPECT_EQ(fake.counts, std::vector<uint32_t>{3});
}

TEST(GroupCommitTest, UnitsUnderLoadShareBatchesAndCompleteInOrder) {
  FakeSink fake;
  std::promise<void> release;
  fake.gate = release.get_future().share();
  GroupCommitter committer(fake.sink(), 1 << 20);
  std::vector<int> order;  // written by the writer thread only
  rocksdb::WriteBatch unit;
  for (int i = 0; i < 100; ++i) {
    Stage(&unit, 1);
    committer.Append(&unit, nullptr, [&order, i](absl::Status s) {
      EXPECT_TRUE(s.ok());
      order.push_back(i);
    });
  }
  release.set_value();
  committer.Flush();
  ASSERT_EQ(order.size(), 100u);
  for (int i = 0; i < 100; ++i) EXPECT_EQ(order[i], i);
  std::lock_guard<std::mutex> lock(fake.mu);
  // The first batch took what was there when the writer woke; the rest
  // waited behind it and went in one write.
  EXPECT_LE(fake.counts.size(), 2u);
  uint32_t total = 0;
  for (uint32_t c : fake.counts) total += c;
  EXPECT_EQ(total, 100u);
}

// With a minimum interval, units that arrive while it runs wait and go
// in one write, which starts no sooner than the interval after the
// previous write started; a unit after a quiet spell is written at once.
TEST(GroupCommitTest, AMinimumIntervalGathersUnitsIntoOneWrite) {
  using Clock = std::chrono::steady_clock;
  FakeSink fake;
  std::mutex mu;
  std::vector<Clock::time_point> starts;  // of each write
  GroupCommitter::Sink sink = fake.sink();
  sink.write = [&, inner = sink.write](rocksdb::WriteBatch& b) {
    {
      std::lock_guard<std::mutex> lock(mu);
      starts.push_back(Clock::now());
    }
    return inner(b);
  };
  const auto interval = std::chrono::milliseconds(300);
  GroupCommitter committer(std::move(sink), 1 << 20, interval);
  rocksdb::WriteBatch unit;
  Stage(&unit, 1);
  std::promise<void> first;
  committer.Append(&unit, nullptr, [&](absl::Status) { first.set_value(); });
  first.get_future().wait();
  for (int i = 0; i < 4; ++i) {
    Stage(&unit, 1);
    committer.Append(&unit, nullptr, [](absl::Status s) { EXPECT_TRUE(s.ok()); });
  }
  committer.Flush();
  std::lock_guard<std::mutex> lock(mu);
  ASSERT_EQ(starts.size(), 2u);
  EXPECT_GE(starts[1] - starts[0], interval);
  std::lock_guard<std::mutex> fake_lock(fake.mu);
  EXPECT_EQ(fake.counts, (std::vector<uint32_t>{1, 4}));
}

// A full batch does not wait for the interval.
TEST(GroupCommitTest, AFullBatchDoesNotWaitForTheInterval) {
  FakeSink fake;
  GroupCommitter committer(fake.sink(), 200, std::chrono::hours(1));
  rocksdb::WriteBatch unit;
  for (int i = 0; i < 3; ++i) {
    Stage(&unit, 60);  // 300 bytes, over 200: each unit closes its batch
    committer.Append(&unit, nullptr, [](absl::Status s) { EXPECT_TRUE(s.ok()); });
  }
  committer.Flush();  // within the hour, or the test times out
  std::lock_guard<std::mutex> lock(fake.mu);
  EXPECT_EQ(fake.counts.size(), 3u);
}

TEST(GroupCommitTest, BatchIsClosedAtMaxBytes) {
  FakeSink fake;
  std::promise<void> release;
  fake.gate = release.get_future().share();
  GroupCommitter committer(fake.sink(), 200);
  rocksdb::WriteBatch unit;
  for (int i = 0; i < 50; ++i) {
    ASSERT_TRUE(unit.Put("k", std::string(40, 'v')).ok());
    committer.Append(&unit, nullptr, [](absl::Status) {});
  }
  EXPECT_GT(committer.pending_bytes(), 0u);
  release.set_value();
  committer.Flush();
  EXPECT_EQ(committer.pending_bytes(), 0u);
  std::lock_guard<std::mutex> lock(fake.mu);
  EXPECT_GE(fake.counts.size(), 8u);  // ~45 bytes a record, 200 a batch
}

TEST(GroupCommitTest, TransientFailureIsRetriedAndNothingCompletesEarly) {
  FakeSink fake;
  fake.fail_next = 3;
  GroupCommitter committer(fake.sink(), 1 << 20);
  rocksdb::WriteBatch unit;
  Stage(&unit, 2);
  std::atomic<bool> completed{false};
  absl::Status result = absl::UnknownError("not run");
  committer.Append(&unit, nullptr, [&](absl::Status s) {
    result = s;
    completed = true;
  });
  committer.Flush();
  EXPECT_TRUE(completed);
  EXPECT_TRUE(result.ok()) << result;
  EXPECT_TRUE(committer.writable());
  EXPECT_EQ(fake.resumes.load(), 3);
  std::lock_guard<std::mutex> lock(fake.mu);
  EXPECT_EQ(fake.counts, std::vector<uint32_t>{2});
}

TEST(GroupCommitTest, WhileFailingTheCommitterIsNotWritable) {
  FakeSink fake;
  fake.fail_next = 1000000;
  GroupCommitter committer(fake.sink(), 1 << 20);
  rocksdb::WriteBatch unit;
  Stage(&unit, 1);
  std::atomic<bool> completed{false};
  committer.Append(&unit, nullptr, [&](absl::Status) { completed = true; });
  for (int i = 0; i < 1000 && committer.writable(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_FALSE(committer.writable());
  EXPECT_TRUE(absl::IsUnavailable(committer.last_error()));
  EXPECT_FALSE(completed);
  fake.fail_next = 0;  // the condition clears
  committer.Flush();
  EXPECT_TRUE(completed);
  EXPECT_TRUE(committer.writable());
}

TEST(GroupCommitTest, FatalErrorFailsThisAndEveryLaterUnit) {
  FakeSink fake;
  fake.fail_next = 1;
  fake.failure = absl::DataLossError("corruption");
  GroupCommitter committer(fake.sink(), 1 << 20);
  rocksdb::WriteBatch unit;
  std::vector<absl::Status> results;
  for (int i = 0; i < 2; ++i) {
    Stage(&unit, 1);
    committer.Append(&unit, nullptr, [&](absl::Status s) { results.push_back(s); });
    committer.Flush();
  }
  ASSERT_EQ(results.size(), 2u);
  EXPECT_TRUE(absl::IsDataLoss(results[0]));
  EXPECT_TRUE(absl::IsDataLoss(results[1]));
  EXPECT_TRUE(absl::IsDataLoss(committer.fatal_error()));
  EXPECT_FALSE(committer.writable());
}

TEST(GroupCommitTest, OnlyTheLatestTrailerIsWrittenOncePerBatch) {
  FakeSink fake;
  std::promise<void> release;
  fake.gate = release.get_future().share();
  std::vector<std::string> written;
  GroupCommitter::Sink sink = fake.sink();
  auto write = sink.write;
  // The writer thread holds the first batch at the gate before the test
  // appends the rest: otherwise it may wake late and take the second unit,
  // with its seq=0 trailer, in its first batch.
  std::promise<void> entered;
  bool first = true;
  sink.write = [&, write](rocksdb::WriteBatch& b) {
    if (std::exchange(first, false)) entered.set_value();
    absl::Status s = write(b);
    struct Collect : rocksdb::WriteBatch::Handler {
      std::vector<std::string>* out;
      rocksdb::Status PutCF(uint32_t, const rocksdb::Slice& k,
                            const rocksdb::Slice& v) override {
        out->push_back(k.ToString() + "=" + v.ToString());
        return rocksdb::Status::OK();
      }
    } collect;
    collect.out = &written;
    EXPECT_TRUE(b.Iterate(&collect).ok());
    return s;
  };
  GroupCommitter committer(sink, 1 << 20);
  rocksdb::WriteBatch unit, trailer;
  ASSERT_TRUE(unit.Put("a", "1").ok());
  committer.Append(&unit, nullptr, [](absl::Status) {});  // taken at once
  entered.get_future().wait();
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(unit.Put("k" + std::to_string(i), "v").ok());
    ASSERT_TRUE(trailer.Put("seq", std::to_string(i)).ok());
    committer.Append(&unit, &trailer, [](absl::Status) {});
  }
  ASSERT_TRUE(unit.Put("k3", "v").ok());
  committer.Append(&unit, &trailer, [](absl::Status) {});  // empty trailer
  release.set_value();
  committer.Flush();
  const std::vector<std::string> in_order(written.begin(), written.end());
  EXPECT_EQ(std::count(in_order.begin(), in_order.end(), "seq=2"), 1);
  EXPECT_EQ(std::count(in_order.begin(), in_order.end(), "seq=0"), 0);
  EXPECT_EQ(std::count(in_order.begin(), in_order.end(), "seq=1"), 0);
  EXPECT_EQ(in_order.back(), "seq=2");
}

TEST(GroupCommitTest, EmptyUnitCompletesWithoutAWrite) {
  FakeSink fake;
  GroupCommitter committer(fake.sink(), 1 << 20);
  rocksdb::WriteBatch unit;
  bool ok = false;
  committer.Append(&unit, nullptr, [&](absl::Status s) { ok = s.ok(); });
  committer.Flush();
  EXPECT_TRUE(ok);
  std::lock_guard<std::mutex> lock(fake.mu);
  EXPECT_TRUE(fake.counts.empty());
}

}  // namespace
}  // namespace slad::storage
