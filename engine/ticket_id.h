#ifndef SLAD_ENGINE_TICKET_ID_H_
#define SLAD_ENGINE_TICKET_ID_H_

#include <cstdint>
#include <cstring>
#include <string>

#include "absl/strings/string_view.h"

namespace slad::engine {

// A ticket's id in 24 bytes (a std::string takes 32): ids of up to
// kInline bytes, which is what ticketing systems send, live in place;
// longer ones in a heap block the object owns. One per open ticket, so
// the 8 bytes matter at ten million tickets.
//
// Thread-safety: as a plain value. Move-only.
class TicketId {
 public:
  static constexpr size_t kInline = 23;

  TicketId() = default;
  explicit TicketId(absl::string_view id) { Set(id); }
  TicketId(TicketId&& other) noexcept { Take(other); }
  TicketId& operator=(TicketId&& other) noexcept {
    if (this != &other) {
      Free();
      Take(other);
    }
    return *this;
  }
  TicketId(const TicketId&) = delete;
  TicketId& operator=(const TicketId&) = delete;
  ~TicketId() { Free(); }

  absl::string_view view() const {
    if (tag_ != kHeap) return absl::string_view(buf_, tag_);
    const char* data;
    uint32_t size;
    std::memcpy(&data, buf_, sizeof data);
    std::memcpy(&size, buf_ + sizeof data, sizeof size);
    return absl::string_view(data, size);
  }
  std::string str() const {
    const absl::string_view v = view();
    return std::string(v.data(), v.size());
  }

 private:
  static constexpr uint8_t kHeap = 0xFF;

  // REQUIRES: empty (freshly built or freed).
  void Set(absl::string_view id) {
    if (id.size() <= kInline) {
      std::memcpy(buf_, id.data(), id.size());
      tag_ = static_cast<uint8_t>(id.size());
      return;
    }
    char* data = new char[id.size()];
    std::memcpy(data, id.data(), id.size());
    const uint32_t size = static_cast<uint32_t>(id.size());
    std::memcpy(buf_, &data, sizeof data);
    std::memcpy(buf_ + sizeof data, &size, sizeof size);
    tag_ = kHeap;
  }
  void Take(TicketId& other) {
    std::memcpy(buf_, other.buf_, sizeof buf_);
    tag_ = other.tag_;
    other.tag_ = 0;
  }
  void Free() {
    if (tag_ == kHeap) delete[] view().data();
    tag_ = 0;
  }

  // Inline: the bytes, tag_ = length. Heap: pointer and uint32 size
  // copied into buf_, tag_ = kHeap.
  char buf_[kInline];
  uint8_t tag_ = 0;
};
static_assert(sizeof(TicketId) == 24);

}  // namespace slad::engine

#endif  // SLAD_ENGINE_TICKET_ID_H_
