#include "api/json_writer.h"

#include <cstdint>
#include <cstdio>
#include <optional>
#include <random>
#include <string>

#include "absl/strings/str_cat.h"
#include "gtest/gtest.h"

namespace slad::api {
namespace {

// Reference decoder: a JSON string literal (RFC 8259 §7) to its bytes, or
// nullopt if it is not one. Strict: raw bytes below 0x20 are rejected.
std::optional<std::string> Decode(const std::string& json) {
  if (json.size() < 2 || json.front() != '"' || json.back() != '"') {
    return std::nullopt;
  }
  std::string out;
  const auto put = [&out](uint32_t cp) {
    if (cp < 0x80) {
      out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  };
  for (size_t i = 1; i + 1 < json.size(); ++i) {
    const unsigned char c = json[i];
    if (c == '"' || c < 0x20) return std::nullopt;
    if (c != '\\') {
      out.push_back(static_cast<char>(c));
      continue;
    }
    if (++i + 1 >= json.size()) return std::nullopt;
    switch (json[i]) {
      case '"':
        out.push_back('"');
        break;
      case '\\':
        out.push_back('\\');
        break;
      case '/':
        out.push_back('/');
        break;
      case 'b':
        out.push_back('\b');
        break;
      case 'f':
        out.push_back('\f');
        break;
      case 'n':
        out.push_back('\n');
        break;
      case 'r':
        out.push_back('\r');
        break;
      case 't':
        out.push_back('\t');
        break;
      case 'u': {
        if (i + 4 > json.size() - 2) return std::nullopt;
        const std::string hex = json.substr(i + 1, 4);
        if (hex.find_first_not_of("0123456789abcdefABCDEF") !=
            std::string::npos) {
          return std::nullopt;
        }
        const uint32_t cp = std::stoul(hex, nullptr, 16);
        if (cp >= 0xD800 && cp <= 0xDFFF) return std::nullopt;  // we never emit
        put(cp);
        i += 4;
        break;
      }
      default:
        return std::nullopt;
    }
  }
  return out;
}

// Reference UTF-8 check by decoding code points (RFC 3629).
bool ValidUtf8At(const std::string& s, size_t i, size_t* len) {
  const unsigned char c = s[i];
  int n;
  uint32_t cp;
  if (c < 0x80) {
    *len = 1;
    return true;
  }
  if ((c & 0xE0) == 0xC0) {
    n = 2;
    cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    n = 3;
    cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    n = 4;
    cp = c & 0x07;
  } else
    return false;
  if (i + n > s.size()) return false;
  for (int k = 1; k < n; ++k) {
    const unsigned char d = s[i + k];
    if ((d & 0xC0) != 0x80) return false;
    cp = (cp << 6) | (d & 0x3F);
  }
  static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[n] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
    return false;
  *len = n;
  return true;
}

// What the writer promises for any bytes: valid sequences kept, every
// other byte replaced by U+FFFD.
std::string Sanitized(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size();) {
    size_t n;
    if (ValidUtf8At(s, i, &n)) {
      out.append(s, i, n);
      i += n;
    } else {
      out.append("\xEF\xBF\xBD");
      ++i;
    }
  }
  return out;
}

std::string RandomBytes(std::mt19937_64& rng) {
  static constexpr char kSpecial[] = {'"',    '\\',   '\n',   '\t',
                                      '\0',   '\x1f', '\x7f', '\xc0',
                                      '\xed', '\xf4', '\x80'};
  std::string s(rng() % 24, '\0');
  for (char& c : s) {
    c = rng() % 3 == 0 ? kSpecial[rng() % sizeof(kSpecial)]
                       : static_cast<char>(rng() % 256);
  }
  return s;
}

std::string RandomUtf8(std::mt19937_64& rng) {
  std::string s;
  for (int n = rng() % 12; n > 0; --n) {
    static constexpr uint32_t kTop[] = {0x80, 0x800, 0x10000, 0x110000};
    uint32_t cp = rng() % kTop[rng() % 4];
    if (cp >= 0xD800 && cp <= 0xDFFF) cp = 0x4E2D;  // 中
    if (cp < 0x80) {
      s.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      s.push_back(static_cast<char>(0xC0 | (cp >> 6)));
      s.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      s.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      s.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      s.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      s.push_back(static_cast<char>(0xF0 | (cp >> 18)));
      s.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      s.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      s.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }
  return s;
}

std::string Escaped(const std::string& s) {
  std::string out;
  AppendJsonString(s, &out);
  return out;
}

TEST(JsonWriterTest, EscapesSpecialCharacters) {
  EXPECT_EQ(Escaped("a\"b\\c\n\t\x01"), R"("a\"b\\c\n\t\u0001")");
  EXPECT_EQ(Escaped("中文"), "\"中文\"");
  EXPECT_EQ(Escaped("\xff"), "\"\xEF\xBF\xBD\"");
  EXPECT_EQ(Escaped(std::string("\0", 1)), R"("\u0000")");
}

TEST(JsonWriterTest, RandomBytesRoundTripThroughReferenceDecoder) {
  const uint64_t seed = 8259;
  std::printf("JsonWriterTest seed=%llu\n",
              static_cast<unsigned long long>(seed));
  std::mt19937_64 rng(seed);
  for (int i = 0; i < 20000; ++i) {
    const std::string in = i % 2 == 0 ? RandomBytes(rng) : RandomUtf8(rng);
    SCOPED_TRACE(absl::StrCat("seed=", seed, " case=", i));
    const std::string json = Escaped(in);
    const std::optional<std::string> back = Decode(json);
    ASSERT_TRUE(back.has_value()) << json;
    ASSERT_EQ(*back, Sanitized(in));
    // The output is valid UTF-8 throughout.
    ASSERT_EQ(Sanitized(json), json);
    if (i % 2 == 1) {
      ASSERT_EQ(*back, in);  // valid UTF-8 is kept exactly
    }
  }
}

TEST(JsonWriterTest, WritesNestedObjectsWithCommas) {
  JsonWriter w;
  w.BeginObject()
      .Key("error")
      .BeginObject()
      .Key("code")
      .String("not_found")
      .Key("n")
      .Int(-3)
      .EndObject()
      .Key("list")
      .BeginArray()
      .Int(1)
      .Bool(true)
      .EndArray()
      .EndObject();
  EXPECT_EQ(w.str(),
            R"({"error":{"code":"not_found","n":-3},"list":[1,true]})");
}

}  // namespace
}  // namespace slad::api
