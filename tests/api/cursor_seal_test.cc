#include "api/cursor_seal.h"

#include <memory>
#include <string>
#include <vector>

#include "gtest/gtest.h"

namespace slad::api {
namespace {

TEST(CursorSealTest, WhatIsSealedOpensToTheSame) {
  std::unique_ptr<CursorSeal> made = *CursorSeal::Create();
  CursorSeal& seal = *made;
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
  std::unique_ptr<CursorSeal> made = *CursorSeal::Create();
  CursorSeal& seal = *made;
  EXPECT_NE(seal.Seal("1.2.3.4"), seal.Seal("1.2.3.4"));
}

TEST(CursorSealTest, AnythingItDidNotSealIsRefused) {
  std::unique_ptr<CursorSeal> made = *CursorSeal::Create(), other_made = *CursorSeal::Create();
  CursorSeal &seal = *made, &other = *other_made;
  std::vector<std::string> bad = {"", "1767574800000.12.1.7", "!!!!", other.Seal("1.2.3.4")};
  // Every length mod 3 of the sealed bytes, so that the last character
  // has 0, 2 or 4 bits that decoding would ignore.
  for (const std::string cursor : {"1767574800000.12.1.7", "1767574800000.12.1.77",
                                   "1767574800000.12.1.777"}) {
    const std::string sealed = seal.Seal(cursor);
    ASSERT_TRUE(seal.Open(sealed).ok());
    bad.push_back(sealed.substr(0, sealed.size() - 1));
    bad.push_back(sealed + "A");
    bad.push_back(sealed + "=");
    for (size_t i = 0; i < sealed.size(); ++i) {
      for (const char c : {'A', 'B', 'Q', 'g', 'w', '_'}) {
        if (sealed[i] == c) continue;
        std::string changed = sealed;
        changed[i] = c;
        bad.push_back(changed);
      }
    }
  }
  for (const std::string& b : bad) {
    absl::StatusOr<std::string> opened = seal.Open(b);
    EXPECT_EQ(opened.status().code(), absl::StatusCode::kInvalidArgument) << b;
  }
}

}  // namespace
}  // namespace slad::api
