// The error catalogue, docs/errors.md and docs/declaration.md must tell the same story: every
// reason a caller can receive has a hint, and is documented.
#include "api/error_catalog.h"

#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <set>
#include <sstream>

namespace clearway::api {
namespace {

std::string ReadDoc(const std::string& relative) {
  const char* root = std::getenv("CLEARWAY_SOURCE_DIR");
  std::ifstream in(std::string(root != nullptr ? root : ".") + "/" + relative);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The reasons in the first column of the markdown table rows of `section` onwards.
std::set<std::string> TableReasons(const std::string& doc, const std::string& from_heading,
                                   const std::string& to_heading) {
  auto start = doc.find(from_heading);
  auto end = to_heading.empty() ? std::string::npos : doc.find(to_heading, start);
  std::string part = doc.substr(start == std::string::npos ? 0 : start,
                                end == std::string::npos ? std::string::npos : end - start);
  std::set<std::string> out;
  std::regex row(R"(\n\| `([a-z0-9-]+)` \|)");
  for (std::sregex_iterator it(part.begin(), part.end(), row), last; it != last; ++it) {
    out.insert((*it)[1].str());
  }
  return out;
}

TEST(ErrorCatalogTest, EveryReasonHasAHintAndIsSortedOnce) {
  std::set<std::string_view> seen;
  for (const auto& entry : ErrorCatalog()) {
    EXPECT_FALSE(entry.hint.empty()) << entry.reason;
    EXPECT_TRUE(seen.insert(entry.reason).second) << "duplicate " << entry.reason;
    EXPECT_EQ(ErrorHint(entry.reason), entry.hint);
  }
  EXPECT_EQ(ErrorHint("no-such-reason"), "");
}

TEST(ErrorCatalogTest, DocsErrorsListsExactlyTheCatalogue) {
  std::string doc = ReadDoc("docs/errors.md");
  ASSERT_FALSE(doc.empty());
  auto documented = TableReasons(doc, "| reason |", "");
  std::set<std::string> catalogued;
  for (const auto& entry : ErrorCatalog()) catalogued.insert(std::string(entry.reason));
  EXPECT_EQ(documented, catalogued);
}

TEST(ErrorCatalogTest, EveryValidationReasonOfTheDeclarationDocHasAHint) {
  std::string doc = ReadDoc("docs/declaration.md");
  ASSERT_FALSE(doc.empty());
  auto reasons = TableReasons(doc, "## Validation", "## Lifecycle");
  ASSERT_GT(reasons.size(), 20u);
  for (const auto& reason : reasons) {
    EXPECT_NE(ErrorHint(reason), "") << reason << " is in docs/declaration.md but has no hint";
  }
}

}  // namespace
}  // namespace clearway::api
