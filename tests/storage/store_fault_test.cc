// Fault injection through RocksDB's FileSystem hook: a failing WAL write or
// sync turns the store read-only (writable() false, the unit not
// acknowledged), nothing acknowledged is lost, and once the fault clears
// the same unit is written and acknowledged and writes go on.

#include <atomic>
#include <chrono>
#include <future>
#include <memory>
#include <thread>
#include <vector>

#include "gtest/gtest.h"
#include "rocksdb/env.h"
#include "storage/store.h"
#include "tests/testing/failing_file_system.h"
#include "tests/testing/temp_dir.h"

namespace slad::storage {
namespace {

using slad::testing::FailingFileSystem;
using slad::testing::TempDir;

class StoreFaultTest : public ::testing::TestWithParam<bool /*sync fails*/> {
 protected:
  StoreFaultTest()
      : fs_(std::make_shared<FailingFileSystem>()),
        env_(rocksdb::NewCompositeEnv(fs_)) {}

  std::unique_ptr<Store> Open() {
    auto store = Store::Open({.dir = dir_.path(), .env = env_.get()});
    EXPECT_TRUE(store.ok()) << store.status();
    return store.ok() ? std::move(store).value() : nullptr;
  }
  std::atomic<bool>& fault() {
    return GetParam() ? fs_->fail_syncs : fs_->fail_writes;
  }
  static std::vector<std::string> Ids(Store* store) {
    std::vector<std::string> ids;
    RecoveryReport report;
    EXPECT_TRUE(store
                    ->Load(
                        [&](absl::Span<engine::TicketRecord> chunk) {
                          for (const auto& t : chunk) ids.push_back(t.id);
                          return absl::OkStatus();
                        },
                        [](engine::StatsCellRecord&&) { return absl::OkStatus(); },
                        &report)
                    .ok());
    return ids;
  }

  TempDir dir_;
  std::shared_ptr<FailingFileSystem> fs_;
  std::unique_ptr<rocksdb::Env> env_;
};

TEST_P(StoreFaultTest, FailedWriteIsReadOnlyThenResumesWithNothingLost) {
  auto store = Open();
  std::promise<absl::Status> first;
  store->PutTicket({.id = "T-1", .kind = "k"});
  store->Commit([&](absl::Status s) { first.set_value(s); });
  ASSERT_TRUE(first.get_future().get().ok());

  ::testing::internal::CaptureStderr();  // the state's turns are logged
  fault() = true;
  std::promise<absl::Status> second;
  auto second_done = second.get_future();
  store->PutTicket({.id = "T-2", .kind = "k"});
  uint64_t seq = store->AppendOutbox({.id = "T-2"});
  store->Commit([&](absl::Status s) { second.set_value(s); });
  for (int i = 0; i < 5000 && store->writable(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  EXPECT_FALSE(store->writable());
  EXPECT_GT(fs_->failures.load(), 0);
  // Not acknowledged while the fault lasts.
  EXPECT_EQ(second_done.wait_for(std::chrono::milliseconds(100)),
            std::future_status::timeout);
  EXPECT_TRUE(store->fatal_error().ok());

  fault() = false;  // the disk has room again
  ASSERT_EQ(second_done.wait_for(std::chrono::seconds(30)),
            std::future_status::ready);
  EXPECT_TRUE(second_done.get().ok());
  EXPECT_TRUE(store->writable());
  const std::string log = ::testing::internal::GetCapturedStderr();
  const size_t down = log.find("slad: the store cannot write (");
  EXPECT_NE(down, std::string::npos) << log;
  EXPECT_NE(log.find("slad: the store writes again", down), std::string::npos) << log;

  std::promise<absl::Status> third;
  store->PutTicket({.id = "T-3", .kind = "k"});
  store->Commit([&](absl::Status s) { third.set_value(s); });
  ASSERT_TRUE(third.get_future().get().ok());
  store.reset();

  store = Open();
  EXPECT_EQ(Ids(store.get()), (std::vector<std::string>{"T-1", "T-2", "T-3"}));
  EXPECT_EQ(store->last_outbox_seq(), seq);
}

INSTANTIATE_TEST_SUITE_P(WriteOrSync, StoreFaultTest, ::testing::Bool(),
                         [](const auto& info) {
                           return info.param ? "SyncFails" : "WriteFails";
                         });

}  // namespace
}  // namespace slad::storage
