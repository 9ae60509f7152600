// The JSON text scan of api/json_scan.h.

#include "api/json_scan.h"

#include <string>

#include "gtest/gtest.h"

namespace slad::api {
namespace {

TEST(JsonScanTest, ACompleteObjectEndsAtItsClosingBrace) {
  const std::string object = R"({"a":[1,{"b":"}]\"{"}],"c":"\\"})";
  LeadingObject lead = FindLeadingObject(object + " x");
  EXPECT_EQ(lead.length, object.size());
  EXPECT_EQ(lead.closing, "");
  lead = FindLeadingObject("  " + object + object);
  EXPECT_EQ(lead.length, object.size() + 2);
}

TEST(JsonScanTest, AnObjectCutShortSaysWhatWouldCloseIt) {
  LeadingObject lead = FindLeadingObject(R"({"a":[1,{"b":2)");
  EXPECT_EQ(lead.length, 14u);
  EXPECT_EQ(lead.closing, "}]}");
  // A bracket that closes nothing open ends the object before it.
  lead = FindLeadingObject(R"({"a":[1}")");
  EXPECT_EQ(lead.length, 7u);
  EXPECT_EQ(lead.closing, "]}");
}

TEST(JsonScanTest, NoObjectToLookInto) {
  EXPECT_EQ(FindLeadingObject("").length, 0u);
  EXPECT_EQ(FindLeadingObject("  ").length, 0u);
  EXPECT_EQ(FindLeadingObject(R"(["a"])").length, 0u);
  EXPECT_EQ(FindLeadingObject(R"(x{"a":1})").length, 0u);
  EXPECT_EQ(FindLeadingObject(R"({"a":"b)").length, 0u);   // inside a string
  EXPECT_EQ(FindLeadingObject(R"({"a":"b\)").length, 0u);  // inside an escape
}

}  // namespace
}  // namespace slad::api
