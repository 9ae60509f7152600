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

TEST(JsonScanTest, SniffFindsAStringMemberWithoutParsing) {
  EXPECT_EQ(SniffStringMember(R"({"op":"event","id":"T-1","name":"x"})", "id"),
            "T-1");
  EXPECT_EQ(SniffStringMember(R"({"id" : "T 2"})", "id"), "T 2");
  // The key's text as a value, or inside another key, is not the key.
  EXPECT_EQ(SniffStringMember(R"({"name":"id","id":"T3"})", "id"), "T3");
  EXPECT_EQ(SniffStringMember(R"({"kid":"a","idx":"b","id":"T4"})", "id"),
            "T4");
  EXPECT_EQ(SniffStringMember(R"({"note":"\"id\":\"no\"","id":"T5"})", "id"),
            "T5");
  const std::string empty_value = R"({"id":"","x":1})";
  const absl::string_view found = SniffStringMember(empty_value, "id");
  EXPECT_EQ(found, "");
  EXPECT_EQ(found.data(), empty_value.data() + 7);  // found, and empty
}

TEST(JsonScanTest, SniffGivesNothingWhereItCannotBeSure) {
  EXPECT_EQ(SniffStringMember(R"({"id":"T\u0031"})", "id"), "");  // escapes
  EXPECT_EQ(SniffStringMember(R"({"id":7})", "id"), "");
  // The first match decides, even in a nested object.
  EXPECT_EQ(SniffStringMember(R"({"x":{"id":1},"id":"T"})", "id"), "");
  EXPECT_EQ(SniffStringMember(R"({"id":"T1)", "id"), "");  // unterminated
  EXPECT_EQ(SniffStringMember(R"({"id")", "id"), "");
  EXPECT_EQ(SniffStringMember(R"({"op":"stats"})", "id"), "");
  EXPECT_EQ(SniffStringMember("", "id"), "");
}

}  // namespace
}  // namespace slad::api
