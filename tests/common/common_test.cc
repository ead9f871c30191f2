#include <gtest/gtest.h>

#include "common/common.h"
#include "testing/matchers.h"

namespace clearway {
namespace {

using testing::HasCode;
using testing::HasReason;
using testing::IsOk;

TEST(MoneyTest, ParsesExactDecimal) {
  auto m = Money::Parse("1234.50", "EUR");
  ASSERT_THAT(m, IsOk());
  EXPECT_EQ(m->minor_units(), 123450);
  EXPECT_EQ(m->ToDecimalString(), "1234.50");
}

TEST(MoneyTest, FewerFractionDigitsArePadded) {
  EXPECT_EQ(Money::Parse("7.5", "USD")->minor_units(), 750);
  EXPECT_EQ(Money::Parse("7", "USD")->minor_units(), 700);
  EXPECT_EQ(Money::Parse("7", "KWD")->minor_units(), 7000);
}

TEST(MoneyTest, ZeroExponentCurrency) {
  EXPECT_EQ(Money::Parse("1500", "JPY")->ToDecimalString(), "1500");
  EXPECT_THAT(Money::Parse("1500.5", "JPY"), HasReason("bad-amount"));
}

TEST(MoneyTest, RefusesBadInput) {
  EXPECT_THAT(Money::Parse("1.234", "EUR"), HasReason("bad-amount"));
  EXPECT_THAT(Money::Parse("abc", "EUR"), HasReason("bad-amount"));
  EXPECT_THAT(Money::Parse("", "EUR"), HasReason("bad-amount"));
  EXPECT_THAT(Money::Parse(".5", "EUR"), HasReason("bad-amount"));
  EXPECT_THAT(Money::Parse("5.", "EUR"), HasReason("bad-amount"));
  EXPECT_THAT(Money::Parse("1e3", "EUR"), HasReason("bad-amount"));
  EXPECT_THAT(Money::Parse("99999999999999999999", "EUR"), HasReason("bad-amount"));
  EXPECT_THAT(Money::Parse("1.00", "XXX"), HasReason("unknown-currency"));
}

TEST(MoneyTest, NegativeAndSmallAmountsFormat) {
  EXPECT_EQ(Money(-5, "EUR").ToDecimalString(), "-0.05");
  EXPECT_EQ(Money(5, "KWD").ToDecimalString(), "0.005");
}

TEST(MoneyTest, CheckedAddRefusesMixedCurrencies) {
  EXPECT_THAT(CheckedAdd(Money(1, "EUR"), Money(1, "USD")), HasReason("currency-mismatch"));
  EXPECT_THAT(CheckedAdd(Money(INT64_MAX, "EUR"), Money(1, "EUR")), HasReason("overflow"));
  EXPECT_EQ(CheckedAdd(Money(1, "EUR"), Money(2, "EUR"))->minor_units(), 3);
}

TEST(IsoCodesTest, CountriesAndCurrencies) {
  EXPECT_TRUE(IsCountryCode("DE"));
  EXPECT_TRUE(IsCountryCode("CN"));
  EXPECT_FALSE(IsCountryCode("XX"));
  EXPECT_FALSE(IsCountryCode("de"));
  EXPECT_FALSE(IsCountryCode("DEU"));
  EXPECT_EQ(CurrencyExponent("EUR"), 2);
  EXPECT_EQ(CurrencyExponent("JPY"), 0);
  EXPECT_EQ(CurrencyExponent("BHD"), 3);
  EXPECT_FALSE(CurrencyExponent("ABC").has_value());
}

TEST(TimeTest, RoundTripsRfc3339) {
  auto t = ParseTimestamp("2026-03-01T12:34:56Z");
  ASSERT_THAT(t, IsOk());
  EXPECT_EQ(FormatTimestamp(*t), "2026-03-01T12:34:56Z");
  auto frac = ParseTimestamp("2026-03-01T12:34:56.25+01:00");
  ASSERT_THAT(frac, IsOk());
  EXPECT_EQ(FormatTimestamp(*frac), "2026-03-01T11:34:56.250000Z");
}

TEST(TimeTest, RefusesBadTimestampsAndDates) {
  EXPECT_THAT(ParseTimestamp("2026-02-30T00:00:00Z"), HasReason("bad-timestamp"));
  EXPECT_THAT(ParseTimestamp("2026-01-01 00:00:00Z"), HasReason("bad-timestamp"));
  EXPECT_THAT(ParseTimestamp("2026-01-01T00:00:00"), HasReason("bad-timestamp"));
  EXPECT_THAT(ParseTimestamp("2026-01-01T24:00:00Z"), HasReason("bad-timestamp"));
  EXPECT_THAT(ParseDate("2026-13-01"), HasReason("bad-date"));
  EXPECT_THAT(ParseDate("2026-1-01"), HasReason("bad-date"));
  EXPECT_THAT(ParseDate("2024-02-29"), IsOk());
  EXPECT_THAT(ParseDate("2025-02-29"), HasReason("bad-date"));
}

TEST(TimeTest, FakeClockAdvances) {
  FakeClock clock(*ParseTimestamp("2026-01-01T00:00:00Z"));
  clock.Advance(std::chrono::seconds(30));
  EXPECT_EQ(FormatTimestamp(clock.Now()), "2026-01-01T00:00:30Z");
}

TEST(JsonTest, CanonicalFormSortsKeysAndIsCompact) {
  auto v = ParseJson(R"({ "b": 1, "a": [true, null, "x"], "c": {"z": 1, "y": 2} })");
  ASSERT_THAT(v, IsOk());
  EXPECT_EQ(CanonicalJson(*v), R"({"a":[true,null,"x"],"b":1,"c":{"y":2,"z":1}})");
}

// The canonical form is what ledger commitments and idempotency hashes are computed over: its
// bytes must never drift. Pinned literally, and against the reference form (serialize() for
// every key and scalar, keys sorted), over escapes, UTF-8, numbers of every kind and an object
// too large to sort on the stack.
std::string ReferenceCanonical(const boost::json::value& v) {
  if (v.is_object()) {
    std::vector<const boost::json::key_value_pair*> entries;
    for (const auto& kv : v.get_object()) entries.push_back(&kv);
    std::sort(entries.begin(), entries.end(),
              [](const auto* a, const auto* b) { return a->key() < b->key(); });
    std::string out = "{";
    for (const auto* kv : entries) {
      if (out.size() > 1) out += ',';
      out += boost::json::serialize(boost::json::string(kv->key())) + ":" +
             ReferenceCanonical(kv->value());
    }
    return out + "}";
  }
  if (v.is_array()) {
    std::string out = "[";
    for (const auto& item : v.get_array()) {
      if (out.size() > 1) out += ',';
      out += ReferenceCanonical(item);
    }
    return out + "]";
  }
  return boost::json::serialize(v);
}

TEST(JsonTest, CanonicalFormIsPinned) {
  std::string controls;
  for (int c = 0; c < 0x20; ++c) controls += static_cast<char>(c);
  controls += "\"\\/\x7f";
  boost::json::object wide;
  for (int i = 0; i < 40; ++i) wide["k" + std::to_string(39 - i)] = i;
  boost::json::value v = {
      {"z", controls},
      {"\xc3\xa9t\xc3\xa9", "caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x93\xa6"},
      {"a\"key\n", {1, -1, 0, INT64_MIN, INT64_MAX}},
      {"u", UINT64_MAX},
      {"d", {0.5, -1.25e-7, 1e300, 0.1, 3.0, 0.0, -0.0, 123456.789012}},
      {"b", {true, false, nullptr}},
      {"e", boost::json::object()},
      {"f", boost::json::array()},
      {"wide", wide},
      {"", ""}};
  const std::string canonical = CanonicalJson(v);
  EXPECT_EQ(canonical, ReferenceCanonical(v));
  auto reparsed = ParseJson(canonical);
  ASSERT_THAT(reparsed, IsOk());
  EXPECT_EQ(*reparsed, v);
  EXPECT_EQ(CanonicalJson(boost::json::value(
                {{"s", controls}, {"n", {-7, 18446744073709551615ull, 2.5}}})),
            "{\"n\":[-7,18446744073709551615,2.5E0],\"s\":\"\\u0000\\u0001\\u0002\\u0003"
            "\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000b\\f\\r\\u000e\\u000f\\u0010\\u0011"
            "\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018\\u0019\\u001a\\u001b\\u001c"
            "\\u001d\\u001e\\u001f\\\"\\\\/\x7f\"}");
  EXPECT_EQ(CanonicalJson(boost::json::value{{"b", "\xc3\xa9"}, {"A", 1}, {"a", 2}}),
            "{\"A\":1,\"a\":2,\"b\":\"\xc3\xa9\"}");
}

TEST(JsonTest, MalformedJsonNamesThePosition) {
  auto v = ParseJson("{\n  \"a\": tru }");
  ASSERT_THAT(v, HasReason("malformed-json"));
  EXPECT_NE(v.error().message.find("line 2"), std::string::npos) << v.error().message;
  EXPECT_THAT(ParseJson("{} {}"), HasReason("malformed-json"));
  EXPECT_THAT(ParseJson(""), HasReason("malformed-json"));
}

TEST(JsonTest, DeepNestingIsRefused) {
  std::string deep(100, '[');
  deep += std::string(100, ']');
  EXPECT_THAT(ParseJson(deep), HasReason("malformed-json"));
}

TEST(UlidTest, SortsByTimeAndHasTheRightAlphabet) {
  std::array<uint8_t, 10> r{};
  r.fill(0xff);
  auto a = MakeUlid(*ParseTimestamp("2026-01-01T00:00:00Z"), r);
  auto b = MakeUlid(*ParseTimestamp("2026-01-01T00:00:01Z"), std::array<uint8_t, 10>{});
  EXPECT_TRUE(IsUlid(a));
  EXPECT_TRUE(IsUlid(b));
  EXPECT_LT(a, b);
  EXPECT_EQ(a.substr(10), std::string(16, 'Z'));
  EXPECT_FALSE(IsUlid("01ARZ3NDEKTSV4RRFFQ69G5FAu"));
}

TEST(ResultTest, MacrosPropagate) {
  auto inner = [](bool fail) -> Result<int> {
    if (fail) return Error::NotFound("nope", "missing");
    return 7;
  };
  auto outer = [&](bool fail) -> Result<int> {
    CW_ASSIGN_OR_RETURN(int v, inner(fail));
    return v + 1;
  };
  EXPECT_EQ(*outer(false), 8);
  EXPECT_THAT(outer(true), HasCode(ErrorCode::kNotFound));
}

}  // namespace
}  // namespace clearway
