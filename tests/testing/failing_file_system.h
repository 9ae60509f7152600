#ifndef SLAD_TESTS_TESTING_FAILING_FILE_SYSTEM_H_
#define SLAD_TESTS_TESTING_FAILING_FILE_SYSTEM_H_

// FailingFileSystem: RocksDB's default file system, except that writes
// and syncs of the write-ahead log (and, optionally, of every file) fail
// with "no space left on device" while the test says so. Give RocksDB
// `env()` (Store's Options::env) and flip fail_writes / fail_syncs.
//
// Thread-safety: the flags are atomics; RocksDB calls in from any thread.

#include <atomic>
#include <memory>
#include <string>

#include "rocksdb/env.h"
#include "rocksdb/file_system.h"

namespace slad::testing {

class FailingFileSystem : public rocksdb::FileSystemWrapper {
 public:
  std::atomic<bool> fail_writes{false};
  std::atomic<bool> fail_syncs{false};
  std::atomic<bool> wal_only{true};  // false: every file fails
  std::atomic<int> failures{0};      // how many calls failed

  FailingFileSystem() : FileSystemWrapper(rocksdb::FileSystem::Default()) {}
  static const char* kClassName() { return "SladFailingFileSystem"; }
  const char* Name() const override { return kClassName(); }

  rocksdb::IOStatus NewWritableFile(const std::string& f,
                                    const rocksdb::FileOptions& options,
                                    std::unique_ptr<rocksdb::FSWritableFile>* r,
                                    rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus s = target()->NewWritableFile(f, options, r, dbg);
    if (s.ok()) r->reset(new File(std::move(*r), this, IsWal(f)));
    return s;
  }
  rocksdb::IOStatus ReuseWritableFile(
      const std::string& f, const std::string& old,
      const rocksdb::FileOptions& options,
      std::unique_ptr<rocksdb::FSWritableFile>* r,
      rocksdb::IODebugContext* dbg) override {
    rocksdb::IOStatus s = target()->ReuseWritableFile(f, old, options, r, dbg);
    if (s.ok()) r->reset(new File(std::move(*r), this, IsWal(f)));
    return s;
  }

 private:
  static bool IsWal(const std::string& f) {
    return f.size() > 4 && f.compare(f.size() - 4, 4, ".log") == 0;
  }
  bool ShouldFail(bool wal, const std::atomic<bool>& flag) {
    if (!flag.load() || (wal_only.load() && !wal)) return false;
    ++failures;
    return true;
  }
  static rocksdb::IOStatus NoSpace() {
    return rocksdb::IOStatus::NoSpace("injected: no space left on device");
  }

  class File : public rocksdb::FSWritableFileOwnerWrapper {
   public:
    File(std::unique_ptr<rocksdb::FSWritableFile>&& f, FailingFileSystem* fs,
         bool wal)
        : FSWritableFileOwnerWrapper(std::move(f)), fs_(fs), wal_(wal) {}
    rocksdb::IOStatus Append(const rocksdb::Slice& data,
                             const rocksdb::IOOptions& o,
                             rocksdb::IODebugContext* dbg) override {
      if (fs_->ShouldFail(wal_, fs_->fail_writes)) return NoSpace();
      return target()->Append(data, o, dbg);
    }
    rocksdb::IOStatus Append(const rocksdb::Slice& data,
                             const rocksdb::IOOptions& o,
                             const rocksdb::DataVerificationInfo& info,
                             rocksdb::IODebugContext* dbg) override {
      if (fs_->ShouldFail(wal_, fs_->fail_writes)) return NoSpace();
      return target()->Append(data, o, info, dbg);
    }
    rocksdb::IOStatus Sync(const rocksdb::IOOptions& o,
                           rocksdb::IODebugContext* dbg) override {
      if (fs_->ShouldFail(wal_, fs_->fail_syncs)) return NoSpace();
      return target()->Sync(o, dbg);
    }
    rocksdb::IOStatus Fsync(const rocksdb::IOOptions& o,
                            rocksdb::IODebugContext* dbg) override {
      if (fs_->ShouldFail(wal_, fs_->fail_syncs)) return NoSpace();
      return target()->Fsync(o, dbg);
    }

   private:
    FailingFileSystem* fs_;
    bool wal_;
  };
};

}  // namespace slad::testing

#endif  // SLAD_TESTS_TESTING_FAILING_FILE_SYSTEM_H_
