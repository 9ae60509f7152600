// The token table and the roles table of api/auth.h.

#include "api/auth.h"

#include <string>

#include "gtest/gtest.h"

namespace slad::api {
namespace {

Request Decode(RequestDecoder& decoder, const std::string& line) {
  Request request;
  EXPECT_TRUE(decoder.Decode(line, &request).ok()) << line;
  return request;
}

TEST(AuthTest, EachOpBelongsToItsRole) {
  RequestDecoder d;
  const struct {
    const char* line;
    Roles role;
  } cases[] = {
      {R"({"op":"open","id":"a","kind":"k"})", kRoleIngest},
      {R"({"op":"event","id":"a","name":"n"})", kRoleIngest},
      {R"({"op":"pause","id":"a","reason":"r"})", kRoleIngest},
      {R"({"op":"resume","id":"a"})", kRoleIngest},
      {R"({"op":"priority","id":"a","priority":"p"})", kRoleIngest},
      {R"({"op":"assign","id":"a","team":"t"})", kRoleIngest},
      {R"({"op":"resolve","id":"a"})", kRoleIngest},
      {R"({"op":"reopen","id":"a"})", kRoleIngest},
      {R"({"op":"rate","id":"a","score":5})", kRoleIngest},
      {R"({"op":"pause_all","reason":"r"})", kRoleIngest},
      {R"({"op":"resume_all"})", kRoleIngest},
      {R"({"op":"escalate","id":"a","level":"l"})", kRoleOperator},
      {R"({"op":"get","id":"a"})", kRoleOperator},
      {R"({"op":"overdue"})", kRoleOperator},
      {R"({"op":"due_soon","within":"1h"})", kRoleOperator},
      {R"({"op":"explain","id":"a","target":"t"})", kRoleOperator},
      {R"({"op":"stats","from":0,"to":1})", kRoleOperator},
      {R"({"op":"subscribe","group":"g"})", kRoleSubscriber},
      {R"({"op":"ack","group":"g","seq":1})", kRoleSubscriber},
      {R"({"op":"advance","to":1})", kRoleAdmin},
      {R"({"op":"auth","token":"t"})", 0},
  };
  for (const auto& c : cases) {
    const Request request = Decode(d, c.line);
    EXPECT_EQ(RoleOf(request), c.role) << c.line;
    for (Roles r : {kRoleIngest, kRoleOperator, kRoleSubscriber, kRoleAdmin}) {
      const bool allowed = r == kRoleAdmin || c.role == 0 || r == c.role;
      const Principal principal{r, {}};
      EXPECT_EQ(principal.Allows(request), allowed)
          << c.line << " role " << int{r};
    }
  }
}

TEST(AuthTest, RoleNames) {
  EXPECT_EQ(RoleOfName("ingest"), kRoleIngest);
  EXPECT_EQ(RoleOfName("operator"), kRoleOperator);
  EXPECT_EQ(RoleOfName("subscriber"), kRoleSubscriber);
  EXPECT_EQ(RoleOfName("admin"), kRoleAdmin);
  EXPECT_EQ(RoleOfName("root"), 0);
}

TEST(AuthTest, TokensAuthenticateToTheirPrincipal) {
  TokenTable table;
  ASSERT_TRUE(table.Add("alpha", Principal{kRoleIngest, {}}).ok());
  ASSERT_TRUE(table.Add("beta", Principal{kRoleOperator, {"east"}}).ok());
  const Principal* a = table.Authenticate("alpha");
  ASSERT_NE(a, nullptr);
  EXPECT_EQ(a->roles, kRoleIngest);
  const Principal* b = table.Authenticate("beta");
  ASSERT_NE(b, nullptr);
  EXPECT_TRUE(b->team_limited());
  EXPECT_TRUE(b->AllowsTeam("east"));
  EXPECT_FALSE(b->AllowsTeam("west"));
  EXPECT_FALSE(b->AllowsTeam(""));
  EXPECT_EQ(table.Authenticate("alph"), nullptr);
  EXPECT_EQ(table.Authenticate("alphaa"), nullptr);
  EXPECT_EQ(table.Authenticate(""), nullptr);
}

TEST(AuthTest, BadTokensAreRefused) {
  TokenTable table;
  EXPECT_FALSE(table.Add("", Principal{kRoleIngest, {}}).ok());
  EXPECT_FALSE(table.Add("x", Principal{0, {}}).ok());
  ASSERT_TRUE(table.Add("x", Principal{kRoleIngest, {}}).ok());
  EXPECT_FALSE(table.Add("x", Principal{kRoleAdmin, {}}).ok());
  EXPECT_EQ(table.size(), 1u);
}

TEST(AuthTest, ConstantTimeEqualIsEquality) {
  EXPECT_TRUE(ConstantTimeEqual("", ""));
  EXPECT_TRUE(ConstantTimeEqual("secret", "secret"));
  EXPECT_FALSE(ConstantTimeEqual("secret", "secreT"));
  EXPECT_FALSE(ConstantTimeEqual("Secret", "secret"));
  EXPECT_FALSE(ConstantTimeEqual("secret", "secret!"));
  EXPECT_FALSE(ConstantTimeEqual(std::string("a\0b", 3), std::string("a\0c", 3)));
}

}  // namespace
}  // namespace slad::api
