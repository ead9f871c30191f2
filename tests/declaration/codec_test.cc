// The canonical sample (file and embedded copy), ToJson() round trips and store helpers.

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/json.h"
#include "declaration/declaration.h"
#include "declaration/sample.h"
#include "testing/matchers.h"

namespace clearway::declaration {
namespace {

using clearway::testing::IsOk;
using sample::Parse;
using sample::SampleJson;
namespace json = boost::json;

std::string ReadSourceFile(const std::string& relative) {
  const char* root = std::getenv("CLEARWAY_SOURCE_DIR");
  if (root == nullptr) return "";
  std::ifstream in(std::string(root) + "/" + relative);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

TEST(ExampleDeclarationTest, DocsFileParsesAndValidates) {
  ASSERT_NE(std::getenv("CLEARWAY_SOURCE_DIR"), nullptr) << "run through ctest";
  std::string text = ReadSourceFile("docs/example-declaration.json");
  ASSERT_FALSE(text.empty());
  auto decl = ParseDeclarationText(text, sample::TestNow());
  ASSERT_THAT(decl, IsOk());
  EXPECT_EQ(decl->goods_items.size(), 2u);
  EXPECT_EQ(decl->transport.containers, std::vector<std::string>{"MSCU1234566"});
}

TEST(ExampleDeclarationTest, EmbeddedCopyMatchesDocsFile) {
  ASSERT_NE(std::getenv("CLEARWAY_SOURCE_DIR"), nullptr) << "run through ctest";
  auto file = ParseJson(ReadSourceFile("docs/example-declaration.json"));
  auto embedded = ParseJson(ExampleDeclarationJson());
  ASSERT_THAT(file, IsOk());
  ASSERT_THAT(embedded, IsOk());
  EXPECT_EQ(*file, *embedded);
}

TEST(RoundTripTest, SampleSurvivesToJson) {
  auto decl = Parse(SampleJson());
  ASSERT_THAT(decl, IsOk());
  json::value written = ToJson(*decl);
  auto again = Parse(written);
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(*again, *decl);
  // Canonical output: masses with 3 decimals, money in the currency's minor units.
  EXPECT_EQ(written.at("goodsItems").at(1).at("grossMass"), "1000.000");
  EXPECT_EQ(written.at("goodsItems").at(1).at("quantity").at("value"), "3000");
  EXPECT_EQ(written.at("invoice").at("total"), "50400.00");
  EXPECT_EQ(CanonicalJson(ToJson(*again)), CanonicalJson(written));
}

TEST(RoundTripTest, EveryOptionalPartSurvives) {
  json::value json = SampleJson();
  sample::At(json, "type") = "export";
  sample::At(json, "procedure") = "1040";
  sample::Erase(json, "importer");
  sample::At(json, "consignee") = sample::At(json, "declarant");
  sample::Erase(json, "consignee.address.postcode");
  sample::At(json, "transport.containers") = json::array{"MSCU1234566", "CSQU3054383"};
  sample::At(json, "invoice.currency") = "KWD";
  sample::At(json, "invoice.total") = "50400.125";
  sample::At(json, "goodsItems[1].price") = "7200.125";
  sample::At(json, "invoice.freight") = "0.001";
  sample::At(json, "invoice.insurance") = "12";
  sample::At(json, "goodsItems[0].quantity.value") = "0.5";
  sample::At(json, "goodsItems[0].documents") = json::array{
      json::object{{"code", "Y900"}}, json::object{{"code", "C400"}, {"reference", "x"}}};
  auto decl = Parse(json);
  ASSERT_THAT(decl, IsOk());
  EXPECT_EQ(decl->type, DeclarationType::kExport);
  EXPECT_FALSE(decl->importer.has_value());
  EXPECT_EQ(decl->invoice.freight, Money(1, "KWD"));
  EXPECT_EQ(decl->goods_items[0].quantity.thousandths, 500);
  auto again = Parse(ToJson(*decl));
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ(*again, *decl);
}

TEST(HelpersTest, HsChaptersAreSortedAndUnique) {
  auto decl = Parse(SampleJson());
  ASSERT_THAT(decl, IsOk());
  EXPECT_EQ(HsChapters(*decl), "02,16");
  GoodsItem extra = decl->goods_items[0];
  extra.commodity_code = "8471300000";
  decl->goods_items.insert(decl->goods_items.begin(), extra);
  decl->goods_items.push_back(extra);
  EXPECT_EQ(HsChapters(*decl), "02,16,84");
}

TEST(HelpersTest, OrganisationIsTheTraderNotTheBroker) {
  auto decl = Parse(SampleJson());
  ASSERT_THAT(decl, IsOk());
  // The sample is lodged by a broker (the declarant) for the importer.
  EXPECT_EQ(OrganisationOf(*decl), "DE987654321000001");
  decl->type = DeclarationType::kExport;
  decl->exporter = decl->declarant;
  decl->exporter->id = "DE111";
  EXPECT_EQ(OrganisationOf(*decl), "DE111");
}

TEST(HelpersTest, DeclarationTypeNames) {
  EXPECT_EQ(DeclarationTypeName(DeclarationType::kImport), "import");
  EXPECT_EQ(DeclarationTypeName(DeclarationType::kExport), "export");
  EXPECT_EQ(ParseDeclarationType("export").value(), DeclarationType::kExport);
  EXPECT_THAT(ParseDeclarationType("Import"), clearway::testing::HasReason("bad-declaration-type"));
}

}  // namespace
}  // namespace clearway::declaration
