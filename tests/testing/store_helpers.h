#ifndef SLAD_TESTS_TESTING_STORE_HELPERS_H_
#define SLAD_TESTS_TESTING_STORE_HELPERS_H_

// Opening a Store and committing a unit synchronously, for the storage
// tests.

#include <future>
#include <memory>

#include "absl/status/status.h"
#include "gtest/gtest.h"
#include "storage/store.h"

namespace slad::testing {

// The store, or null with a test failure.
inline std::unique_ptr<storage::Store> OpenAt(const storage::Options& options) {
  auto store = storage::Store::Open(options);
  EXPECT_TRUE(store.ok()) << store.status();
  return store.ok() ? std::move(store).value() : nullptr;
}

// Commits what is staged and waits until it is durable (or failed).
inline absl::Status CommitAndWait(storage::Store* store) {
  std::promise<absl::Status> done;
  store->Commit([&](absl::Status s) { done.set_value(s); });
  return done.get_future().get();
}

}  // namespace slad::testing

#endif  // SLAD_TESTS_TESTING_STORE_HELPERS_H_
