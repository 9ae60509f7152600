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

template <typename V>
class ShardedStringMap {
  static constexpr int kBits = 8;
  static constexpr size_t kShards = size_t{1} << kBits;
  using Map = absl::flat_hash_map<std::string, V>;

  template <typename MapT, typename InnerIt, typename Value>
  class Iter {
   public:
    Iter() = default;
    Value& operator*() const { return *it_; }
    Value* operator->() const { return &*it_; }
    Iter& operator++() {
      ++it_;
      Settle();
      return *this;
    }
    friend bool operator==(const Iter& a, const Iter& b) {
      return a.shard_ == b.shard_ && (a.shard_ == kShards || a.it_ == b.it_);
    }

   private:
    friend class ShardedStringMap;
    Iter(MapT* shards, size_t shard, InnerIt it)
        : shards_(shards), shard_(shard), it_(it) {}
    // Moves past the end of empty shards to the next entry, or to end().
    void Settle() {
      while (shard_ < kShards && it_ == shards_[shard_].end()) {
        if (++shard_ < kShards) it_ = shards_[shard_].begin();
      }
    }
    MapT* shards_ = nullptr;
    size_t shard_ = kShards;
    InnerIt it_{};
  };

 public:
  using value_type = typename Map::value_type;
  using iterator = Iter<Map, typename Map::iterator, value_type>;
  using const_iterator =
      Iter<const Map, typename Map::const_iterator, const value_type>;

  iterator begin() { return First<iterator>(shards_.data()); }
  iterator end() { return iterator(); }
  const_iterator begin() const { return First<const_iterator>(shards_.data()); }
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
  // The top bits of a hash of its own: the maps' probing uses the low
  // bits of theirs, so keys that share a shard still spread within it.
  static size_t ShardOf(absl::string_view key) {
    return static_cast<size_t>(absl::Hash<absl::string_view>()(key) >>
                               (64 - kBits)) &
           (kShards - 1);
  }
  template <typename It, typename MapT>
  static It First(MapT* shards) {
    It it(shards, 0, shards[0].begin());
    it.Settle();
    return it;
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
  static constexpr int kBits = 8;
  static constexpr size_t kShards = size_t{1} << kBits;
  using Set = absl::flat_hash_set<T, Hash, Eq>;

 public:
  class const_iterator {
   public:
    const_iterator() = default;
    const T& operator*() const { return *it_; }
    const T* operator->() const { return &*it_; }
    const_iterator& operator++() {
      ++it_;
      Settle();
      return *this;
    }
    friend bool operator==(const const_iterator& a, const const_iterator& b) {
      return a.shard_ == b.shard_ && (a.shard_ == kShards || a.it_ == b.it_);
    }

   private:
    friend class ShardedSet;
    const_iterator(const Set* shards, size_t shard,
                   typename Set::const_iterator it)
        : shards_(shards), shard_(shard), it_(it) {}
    void Settle() {
      while (shard_ < kShards && it_ == shards_[shard_].end()) {
        if (++shard_ < kShards) it_ = shards_[shard_].begin();
      }
    }
    const Set* shards_ = nullptr;
    size_t shard_ = kShards;
    typename Set::const_iterator it_{};
  };

  ShardedSet(Hash hash, Eq eq) : hash_(hash) {
    shards_.reserve(kShards);
    for (size_t i = 0; i < kShards; ++i) shards_.emplace_back(0, hash, eq);
  }

  const Hash& hash_function() const { return hash_; }
  const_iterator begin() const {
    const_iterator it(shards_.data(), 0, shards_[0].begin());
    it.Settle();
    return it;
  }
  const_iterator end() const { return const_iterator(); }

  template <typename K>
  const_iterator find(const K& key, size_t hash) const {
    const size_t s = ShardOf(hash);
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
    shards_[ShardOf(hash)].prefetch(key);
  }
  std::pair<const_iterator, bool> insert(const T& value) {
    const size_t s = ShardOf(hash_(value));
    auto [it, inserted] = shards_[s].insert(value);
    return {const_iterator(shards_.data(), s, it), inserted};
  }
  size_t erase(const T& value) {
    return shards_[ShardOf(hash_(value))].erase(value);
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
  static size_t ShardOf(size_t hash) {
    return static_cast<size_t>(static_cast<uint64_t>(hash) >> (64 - kBits));
  }

  Hash hash_;
  std::vector<Set> shards_;
};

}  // namespace slad::engine

#endif  // SLAD_ENGINE_SHARDED_MAP_H_
