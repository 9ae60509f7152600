#include "engine/ticket_id.h"

#include <string>
#include <utility>

#include "gtest/gtest.h"

namespace slad::engine {
namespace {

TEST(TicketIdTest, KeepsShortAndLongIdsExactly) {
  for (size_t n : {0u, 1u, 22u, 23u, 24u, 200u}) {
    const std::string text(n, 'x');
    TicketId id{absl::string_view(text)};
    EXPECT_EQ(id.str(), text) << n;
  }
}

TEST(TicketIdTest, MoveTransfersOwnershipOfHeapIds) {
  const std::string long_text(100, 'L');
  TicketId a{absl::string_view(long_text)};
  TicketId b = std::move(a);
  EXPECT_EQ(b.str(), long_text);
  EXPECT_EQ(a.str(), "");  // NOLINT: moved-from is empty by contract
  TicketId c{absl::string_view("short")};
  c = std::move(b);  // frees nothing twice: ASan checks
  EXPECT_EQ(c.str(), long_text);
}

}  // namespace
}  // namespace slad::engine
