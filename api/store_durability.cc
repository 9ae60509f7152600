#include "api/durability.h"

// Interim: the RocksDB store and its journal are being written; until they
// are wired in, a data folder is refused rather than silently kept in
// memory.
namespace slad::api {

absl::StatusOr<std::unique_ptr<Durability>> OpenStoreDurability(
    const std::string& dir) {
  (void)dir;
  return absl::UnimplementedError(
      "the RocksDB store is not wired in yet; use --data :memory:");
}

}  // namespace slad::api
