#include "api/cursor_seal.h"

#include <memory>
#include <string>
#include <vector>

#include "absl/strings/escaping.h"
#include "gtest/gtest.h"

namespace slad::api {
namespace {

TEST(CursorSealTest, WhatIsSealedOpensToTheSame) {
  std::unique_ptr<CursorSeal> made = *CursorSeal::Create();
  CursorSeal& seal = *made;
  for (const std::string& cursor : std::vector<std::string>{
           "1767574800000.12.1.3735928559", "x", std::string(512, 'z')}) {
    const std::string sealed = seal.Seal(cursor, "q");
    if (cursor.size() > 8) {
      EXPECT_EQ(sealed.find(cursor), std::string::npos);
    }
    absl::StatusOr<std::string> opened = seal.Open(sealed, "q");
    ASSERT_TRUE(opened.ok()) << opened.status();
    EXPECT_EQ(*opened, cursor);
  }
}

// A cursor opens only for the query it was sealed for, and every cursor
// seals to the same length, whatever position it names.
TEST(CursorSealTest, ACursorIsBoundToItsQueryAndHidesItsLength) {
  std::unique_ptr<CursorSeal> made = *CursorSeal::Create();
  CursorSeal& seal = *made;
  const std::string sealed = seal.Seal("1767574800000.12.1.7", "overdue team=east");
  EXPECT_TRUE(seal.Open(sealed, "overdue team=east").ok());
  EXPECT_EQ(seal.Open(sealed, "overdue team=west").status().code(),
            absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(seal.Open(sealed, "").status().code(), absl::StatusCode::kInvalidArgument);
  EXPECT_EQ(sealed.size(), 123u);  // docs/API.md says so
  EXPECT_EQ(seal.Seal("1.2.3.4", "q").size(), sealed.size());
  EXPECT_EQ(seal.Seal("-9223372036854775808.4194303.3.4294967295", "q").size(), sealed.size());
}

TEST(CursorSealTest, TheSameCursorSealsDifferentlyEachTime) {
  std::unique_ptr<CursorSeal> made = *CursorSeal::Create();
  CursorSeal& seal = *made;
  EXPECT_NE(seal.Seal("1.2.3.4", "q"), seal.Seal("1.2.3.4", "q"));
  // The nonces (the first 12 bytes) of seals in a row are not a visible
  // count: they differ in most of their bytes, not in the last few.
  std::string a, b;
  ASSERT_TRUE(absl::WebSafeBase64Unescape(seal.Seal("1.2.3.4", "q"), &a));
  ASSERT_TRUE(absl::WebSafeBase64Unescape(seal.Seal("1.2.3.4", "q"), &b));
  int differ = 0;
  for (int i = 0; i < 12; ++i) differ += a[i] != b[i];
  EXPECT_GE(differ, 6);
}

TEST(CursorSealTest, AnythingItDidNotSealIsRefused) {
  std::unique_ptr<CursorSeal> made = *CursorSeal::Create(), other_made = *CursorSeal::Create();
  CursorSeal &seal = *made, &other = *other_made;
  std::vector<std::string> bad = {"", "1767574800000.12.1.7", "!!!!", other.Seal("1.2.3.4", "q")};
  // Every length mod 3 of the sealed bytes, so that the last character
  // has 0, 2 or 4 bits that decoding would ignore.
  for (const std::string cursor : {"1767574800000.12.1.7", "1767574800000.12.1.77",
                                   "1767574800000.12.1.777"}) {
    const std::string sealed = seal.Seal(cursor, "q");
    ASSERT_TRUE(seal.Open(sealed, "q").ok());
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
    absl::StatusOr<std::string> opened = seal.Open(b, "q");
    EXPECT_EQ(opened.status().code(), absl::StatusCode::kInvalidArgument) << b;
  }
}

}  // namespace
}  // namespace slad::api
