#ifndef SLAD_ENGINE_SHARDED_MAP_H_
#define SLAD_ENGINE_SHARDED_MAP_H_

// ShardedStringMap<V> is an absl::flat_hash_map<std::string, V> split into
// 256 maps chosen by the key's hash, with the subset of the map's interface
// the engine uses (find, contains, insert_or_assign, emplace, erase by
// iterator, iteration, size, reserve).
//
// Why: a flat_hash_map rehashes all of itself at once when it grows or
// when erased slots (tombstones) use up its room, and a daemon keeping
// millions of resolved tickets then stalls its event loop for that long:
// resolves that took 13 to 106 ms, each a doubling later than the last,
// in one 12-second end-to-end run (docs/BENCHMARKS.md, "End to end").
// Split 256 ways, a rehash moves 1/256 of the entries.
// Lookups cost one more hash of the key (to pick the map).
//
// Thread-safety: none, like the map it replaces.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "absl/container/flat_hash_map.h"
#include "absl/container/flat_hash_set.h"
#include "absl/hash/hash.h"
#include "absl/strings/string_view.h"

namespace slad::engine {

namespace sharded_internal {

inline constexpr int kBits = 8;
inline constexpr size_t kShards = size_t{1} << kBits;

// The top bits of a hash: the tables' own probing uses its low bits, so
// keys that share a shard still spread within it.
inline size_t ShardOf(size_t hash) {
  return static_cast<size_t>(static_cast<uint64_t>(hash) >> (64 - kBits));
}

// Iterates the entries of kShards tables in shard order; `Owner` (the
// sharded container) builds it and reads its position.
template <typename Owner, typename Table, typename InnerIt, typename Value>
class Iterator {
 public:
  Iterator() = default;
  Value& operator*() const { return *it_; }
  Value* operator->() const { return &*it_; }
  Iterator& operator++() {
    ++it_;
    Settle();
    return *this;
  }
  friend bool operator==(const Iterator& a, const Iterator& b) {
    return a.shard_ == b.shard_ && (a.shard_ == kShards || a.it_ == b.it_);
  }

 private:
  friend Owner;
  Iterator(Table* shards, size_t shard, InnerIt it)
      : shards_(shards), shard_(shard), it_(it) {}
  static Iterator Begin(Table* shards) {
    Iterator it(shards, 0, shards[0].begin());
    it.Settle();
    return it;
  }
  // Moves past the end of empty shards to the next entry, or to end().
  void Settle() {
    while (shard_ < kShards && it_ == shards_[shard_].end()) {
      if (++shard_ < kShards) it_ = shards_[shard_].begin();
    }
  }
  Table* shards_ = nullptr;
  size_t shard_ = kShards;
  InnerIt it_{};
};

}  // namespace sharded_internal

template <typename V>
class ShardedStringMap {
  static constexpr size_t kShards = sharded_internal::kShards;
  using Map = absl::flat_hash_map<std::string, V>;

 public:
  using value_type = typename Map::value_type;
  using iterator = sharded_internal::Iterator<ShardedStringMap, Map,
                                              typename Map::iterator, value_type>;
  using const_iterator =
      sharded_internal::Iterator<ShardedStringMap, const Map,
                                 typename Map::const_iterator, const value_type>;

  iterator begin() { return iterator::Begin(shards_.data()); }
  iterator end() { return iterator(); }
  const_iterator begin() const { return const_iterator::Begin(shards_.data()); }
  const_iterator end() const { return const_iterator(); }

  iterator find(absl::string_view key) {
    const size_t s = ShardOf(key);
    auto it = shards_[s].find(key);
    return it == shards_[s].end() ? end() : iterator(shards_.data(), s, it);
  }
  const_iterator find(absl::string_view key) const {
    const size_t s = ShardOf(key);
    auto it = shards_[s].find(key);
    return it == shards_[s].end() ? end()
                                  : const_iterator(shards_.data(), s, it);
  }
  bool contains(absl::string_view key) const {
    return shards_[ShardOf(key)].contains(key);
  }
  template <typename... Args>
  std::pair<iterator, bool> emplace(std::string key, Args&&... args) {
    const size_t s = ShardOf(key);
    auto [it, inserted] =
        shards_[s].emplace(std::move(key), std::forward<Args>(args)...);
    return {iterator(shards_.data(), s, it), inserted};
  }
  std::pair<iterator, bool> insert_or_assign(std::string key, V value) {
    const size_t s = ShardOf(key);
    auto [it, inserted] =
        shards_[s].insert_or_assign(std::move(key), std::move(value));
    return {iterator(shards_.data(), s, it), inserted};
  }
  void erase(iterator it) { shards_[it.shard_].erase(it.it_); }

  size_t size() const {
    size_t n = 0;
    for (const Map& m : shards_) n += m.size();
    return n;
  }
  bool empty() const { return size() == 0; }
  void reserve(size_t n) {
    for (Map& m : shards_) m.reserve(n / kShards + 1);
  }
  void clear() {
    for (Map& m : shards_) m.clear();
  }

 private:
  // A hash of its own (the maps' hasher is not exposed per key).
  static size_t ShardOf(absl::string_view key) {
    return sharded_internal::ShardOf(absl::Hash<absl::string_view>()(key));
  }

  std::array<Map, kShards> shards_;
};

// ShardedSet<T, Hash, Eq> is the same split for an absl::flat_hash_set
// whose hasher and key-equal carry state (the engine's id table: slots
// hashed by their ticket's id, found by id). The shard is chosen by the
// top bits of the set's own hash, and lookups that are given a hash use
// it for both the shard and the probe, so a find costs no more than
// before. Keys and iteration order are the set's; only the engine's
// operations are offered.
template <typename T, typename Hash, typename Eq>
class ShardedSet {
  static constexpr size_t kShards = sharded_internal::kShards;
  using Set = absl::flat_hash_set<T, Hash, Eq>;

 public:
  using const_iterator =
      sharded_internal::Iterator<ShardedSet, const Set,
                                 typename Set::const_iterator, const T>;

  ShardedSet(Hash hash, Eq eq) : hash_(hash) {
    shards_.reserve(kShards);
    for (size_t i = 0; i < kShards; ++i) shards_.emplace_back(0, hash, eq);
  }

  const Hash& hash_function() const { return hash_; }
  const_iterator begin() const { return const_iterator::Begin(shards_.data()); }
  const_iterator end() const { return const_iterator(); }

  template <typename K>
  const_iterator find(const K& key, size_t hash) const {
    const size_t s = sharded_internal::ShardOf(hash);
    auto it = shards_[s].find(key, hash);
    return it == shards_[s].end() ? end()
                                  : const_iterator(shards_.data(), s, it);
  }
  template <typename K>
  const_iterator find(const K& key) const {
    return find(key, hash_(key));
  }
  template <typename K>
  bool contains(const K& key) const {
    return find(key) != end();
  }
  template <typename K>
  void prefetch(const K& key, size_t hash) const {
    shards_[sharded_internal::ShardOf(hash)].prefetch(key);
  }
  std::pair<const_iterator, bool> insert(const T& value) {
    const size_t s = sharded_internal::ShardOf(hash_(value));
    auto [it, inserted] = shards_[s].insert(value);
    return {const_iterator(shards_.data(), s, it), inserted};
  }
  size_t erase(const T& value) {
    return shards_[sharded_internal::ShardOf(hash_(value))].erase(value);
  }
  size_t size() const {
    size_t n = 0;
    for (const Set& set : shards_) n += set.size();
    return n;
  }
  void reserve(size_t n) {
    for (Set& set : shards_) set.reserve(n / kShards + 1);
  }

 private:
  Hash hash_;
  std::vector<Set> shards_;
};

}  // namespace slad::engine

#endif  // SLAD_ENGINE_SHARDED_MAP_H_
