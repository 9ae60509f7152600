#include "api/cursor_seal.h"

#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace slad::api {
namespace {

TEST(CursorSealTest, WhatIsSealedOpensToTheSame) {
  CursorSeal seal;
  for (const std::string& cursor : std::vector<std::string>{
           "1767574800000.12.1.3735928559", "x", std::string(512, 'z')}) {
    const std::string sealed = seal.Seal(cursor);
    if (cursor.size() > 8) {
      EXPECT_EQ(sealed.find(cursor), std::string::npos);
    }
    absl::StatusOr<std::string> opened = seal.Open(sealed);
    ASSERT_TRUE(opened.ok()) << opened.status();
    EXPECT_EQ(*opened, cursor);
  }
}

TEST(CursorSealTest, TheSameCursorSealsDifferentlyEachTime) {
  CursorSeal seal;
  EXPECT_NE(seal.Seal("1.2.3.4"), seal.Seal("1.2.3.4"));
}

TEST(CursorSealTest, AnythingItDidNotSealIsRefused) {
  CursorSeal seal, other;
  const std::string sealed = seal.Seal("1767574800000.12.1.7");
  std::vector<std::string> bad = {"", "1767574800000.12.1.7", "!!!!", other.Seal("1.2.3.4"),
                                  sealed.substr(0, sealed.size() - 1), sealed + "A"};
  for (size_t i = 0; i < sealed.size(); ++i) {
    std::string flipped = sealed;
    flipped[i] = flipped[i] == 'A' ? 'B' : 'A';
    bad.push_back(flipped);
  }
  for (const std::string& b : bad) {
    absl::StatusOr<std::string> opened = seal.Open(b);
    EXPECT_EQ(opened.status().code(), absl::StatusCode::kInvalidArgument) << b;
  }
}

}  // namespace
}  // namespace slad::api
