#include <gtest/gtest.h>

#include "store/store.h"
#include "testing/matchers.h"

namespace clearway::store {
namespace {

using testing::HasCode;
using testing::HasDetail;
using testing::HasReason;
using testing::IsOk;

Timestamp Micros(int64_t us) { return Timestamp(std::chrono::microseconds(us)); }

TEST(CursorTest, RoundTrips) {
  for (const PageCursor& cursor :
       {PageCursor{Micros(0), "A"},
        PageCursor{Micros(1767225600123456), "01JD3Q8ZZZZZZZZZZZZZZZZZZZ"},
        PageCursor{Micros(-5), "id:with:colons"}, PageCursor{Micros(42), "ab"}}) {
    std::string text = EncodeCursor(cursor);
    auto decoded = DecodeCursor(text);
    ASSERT_THAT(decoded, IsOk()) << text;
    EXPECT_EQ(*decoded, cursor);
  }
}

TEST(CursorTest, IsUrlSafe) {
  std::string text = EncodeCursor(PageCursor{Micros(1767225600123456), "\xff\xfe?/+"});
  EXPECT_EQ(
      text.find_first_not_of("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
      std::string::npos);
}

TEST(CursorTest, RefusesWhatItDidNotIssue) {
  std::string good = EncodeCursor(PageCursor{Micros(1000), "X1"});
  std::vector<std::string> bad = {
      "",                                  // empty
      "!!!!",                              // outside the alphabet
      good + "=",                          // padding is never issued
      good.substr(0, good.size() - 1),     // truncated
      "a",                                 // impossible base64 length
      EncodeCursor({Micros(1000), ""}),    // no id
      "MTAwMA",                            // "1000": no separator
      "Olgx",                              // ":X1": no time
      "MDAxMDAwOlgx",                      // "001000:X1": non-canonical number
      "KzEwMDA6WDE",                       // "+1000:X1"
      "MTBhOlgx",                          // "10a:X1"
      "OTk5OTk5OTk5OTk5OTk5OTk5OTk5Olgx",  // out of int64 range
      std::string(300, 'A'),               // too long
  };
  for (const std::string& text : bad) {
    auto decoded = DecodeCursor(text);
    EXPECT_THAT(decoded, HasCode(ErrorCode::kInvalidArgument)) << text;
    EXPECT_THAT(decoded, HasDetail("cursor", "bad-cursor")) << text;
  }
}

TEST(CursorTest, RefusesNonCanonicalTrailingBits) {
  // "MTAwMDpYMQ" is canonical for "1000:X1"; changing the last character's low bits decodes to
  // the same bytes but is not what we issue.
  std::string good = EncodeCursor(PageCursor{Micros(1000), "X1"});
  ASSERT_EQ(good, "MTAwMDpYMQ");
  EXPECT_THAT(DecodeCursor("MTAwMDpYMR"), HasReason("bad-cursor"));
}

TEST(PageLimitTest, AcceptsOneToFiveHundred) {
  EXPECT_THAT(ValidatePageLimit(1), IsOk());
  EXPECT_THAT(ValidatePageLimit(50), IsOk());
  EXPECT_THAT(ValidatePageLimit(500), IsOk());
}

TEST(PageLimitTest, RefusesOutOfRange) {
  for (int limit : {0, -1, 501, 1 << 30}) {
    EXPECT_THAT(ValidatePageLimit(limit), HasCode(ErrorCode::kInvalidArgument)) << limit;
    EXPECT_THAT(ValidatePageLimit(limit), HasDetail("limit", "bad-limit")) << limit;
  }
}

}  // namespace
}  // namespace clearway::store
