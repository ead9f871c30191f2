// Validation of goods items, strict unknown fields, and reporting many problems at once.

#include <string>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "declaration/declaration.h"
#include "declaration/sample.h"
#include "testing/matchers.h"

namespace clearway::declaration {
namespace {

using clearway::testing::HasCode;
using clearway::testing::HasDetail;
using clearway::testing::HasReason;
using clearway::testing::IsOk;
using sample::IsOnlyProblem;
using sample::Parse;
using sample::Sample;
using sample::SampleJson;
using sample::SampleWithout;
namespace json = boost::json;

TEST(GoodsItemsTest, AtLeastOneItem) {
  EXPECT_THAT(Parse(Sample("goodsItems", json::array{})), IsOnlyProblem("goodsItems", "required"));
  EXPECT_THAT(Parse(SampleWithout("goodsItems")), IsOnlyProblem("goodsItems", "required"));
  EXPECT_THAT(Parse(Sample("goodsItems", json::object{})),
              IsOnlyProblem("goodsItems", "wrong-type"));
  EXPECT_THAT(Parse(Sample("goodsItems[1]", nullptr)), HasDetail("goodsItems[1]", "required"));
  EXPECT_THAT(Parse(Sample("goodsItems[1]", "item")), HasDetail("goodsItems[1]", "wrong-type"));
}

TEST(GoodsItemsTest, AtMost999Items) {
  json::value json = SampleJson();
  json::array items;
  json::value item = sample::At(json, "goodsItems[0]");
  for (int sequence = 1; sequence <= 999; ++sequence) {
    item.as_object()["sequence"] = sequence;
    item.as_object()["price"] = "1.00";
    items.push_back(item);
  }
  sample::At(json, "goodsItems") = items;
  sample::At(json, "invoice.total") = "999.00";
  EXPECT_THAT(Parse(json), IsOk());
  item.as_object()["sequence"] = 1000;
  sample::At(json, "goodsItems").as_array().push_back(item);
  EXPECT_THAT(Parse(json), IsOnlyProblem("goodsItems", "too-many-items"));
}

TEST(GoodsItemsTest, SequenceRunsFromOneInOrder) {
  json::value swapped = Sample("goodsItems[0].sequence", 2);
  sample::At(swapped, "goodsItems[1].sequence") = 1;
  auto result = Parse(swapped);
  EXPECT_THAT(result, HasDetail("goodsItems[0].sequence", "sequence-out-of-order"));
  EXPECT_THAT(result, HasDetail("goodsItems[1].sequence", "sequence-out-of-order"));
  EXPECT_THAT(Parse(Sample("goodsItems[1].sequence", 3)),
              IsOnlyProblem("goodsItems[1].sequence", "sequence-out-of-order"));
  EXPECT_THAT(Parse(Sample("goodsItems[0].sequence", "1")),
              IsOnlyProblem("goodsItems[0].sequence", "wrong-type"));
  EXPECT_THAT(Parse(SampleWithout("goodsItems[0].sequence")),
              IsOnlyProblem("goodsItems[0].sequence", "required"));
}

TEST(GoodsItemsTest, CommodityCode) {
  EXPECT_THAT(Parse(Sample("goodsItems[0].commodityCode", "02023000")), IsOk());
  EXPECT_THAT(Parse(Sample("goodsItems[0].commodityCode", "020230")), IsOk());
  for (const char* bad :
       {"0202300", "02023000100", "02023000AB", "0002300010", "7700000000", "9800000000", ""}) {
    EXPECT_THAT(Parse(Sample("goodsItems[0].commodityCode", bad)),
                IsOnlyProblem("goodsItems[0].commodityCode", "bad-commodity-code"))
        << bad;
  }
  EXPECT_THAT(Parse(Sample("goodsItems[0].commodityCode", 202300010)),
              IsOnlyProblem("goodsItems[0].commodityCode", "wrong-type"));
}

TEST(GoodsItemsTest, Description) {
  EXPECT_THAT(Parse(Sample("goodsItems[1].description", sample::Repeat(512, 'd'))), IsOk());
  EXPECT_THAT(Parse(Sample("goodsItems[1].description", sample::Repeat(513, 'd'))),
              IsOnlyProblem("goodsItems[1].description", "too-long"));
  EXPECT_THAT(Parse(Sample("goodsItems[1].description", "")),
              IsOnlyProblem("goodsItems[1].description", "required"));
}

TEST(GoodsItemsTest, Origin) {
  EXPECT_THAT(Parse(Sample("goodsItems[1].origin", "UY")), IsOk());
  auto result = Parse(Sample("goodsItems[1].origin", "XX"));
  EXPECT_THAT(result, IsOnlyProblem("goodsItems[1].origin", "unknown-country"));
  EXPECT_THAT(result.error().details[0].message, ::testing::HasSubstr("such as DE"));
}

TEST(GoodsItemsTest, MassesAreExactKilograms) {
  auto decl = Parse(Sample("goodsItems[0].netMass", 4800));
  ASSERT_THAT(decl, IsOk());
  EXPECT_EQ(decl->goods_items[0].net_mass_grams, 4800000);
  EXPECT_EQ(Parse(Sample("goodsItems[0].netMass", "0.001"))->goods_items[0].net_mass_grams, 1);
  EXPECT_THAT(Parse(Sample("goodsItems[0].netMass", 4800.5)),
              IsOnlyProblem("goodsItems[0].netMass", "wrong-type"));
  EXPECT_THAT(Parse(Sample("goodsItems[0].netMass", "4800.0001")),
              IsOnlyProblem("goodsItems[0].netMass", "bad-amount"));
  EXPECT_THAT(Parse(Sample("goodsItems[0].grossMass", "5 000")),
              IsOnlyProblem("goodsItems[0].grossMass", "bad-amount"));
  EXPECT_THAT(Parse(Sample("goodsItems[0].grossMass", "99999999999999999999")),
              IsOnlyProblem("goodsItems[0].grossMass", "bad-amount"));
  EXPECT_THAT(Parse(Sample("goodsItems[0].netMass", "0")),
              IsOnlyProblem("goodsItems[0].netMass", "not-positive"));
  EXPECT_THAT(Parse(Sample("goodsItems[0].netMass", "-1")),
              IsOnlyProblem("goodsItems[0].netMass", "not-positive"));
  EXPECT_THAT(Parse(SampleWithout("goodsItems[0].grossMass")),
              IsOnlyProblem("goodsItems[0].grossMass", "required"));
}

TEST(GoodsItemsTest, NetMassMayNotExceedGrossMass) {
  EXPECT_THAT(Parse(Sample("goodsItems[0].netMass", "5000.000")), IsOk());  // equal is fine
  EXPECT_THAT(Parse(Sample("goodsItems[0].netMass", "5000.001")),
              IsOnlyProblem("goodsItems[0].netMass", "net-mass-exceeds-gross-mass"));
}

TEST(GoodsItemsTest, Quantity) {
  EXPECT_THAT(Parse(Sample("goodsItems[0].quantity.unit", "LTR")), IsOk());
  EXPECT_THAT(Parse(Sample("goodsItems[0].quantity.value", "12.5")), IsOk());
  EXPECT_THAT(Parse(Sample("goodsItems[0].quantity.unit", "KG")),
              IsOnlyProblem("goodsItems[0].quantity.unit", "bad-unit"));
  EXPECT_THAT(Parse(Sample("goodsItems[0].quantity.value", "-3")),
              IsOnlyProblem("goodsItems[0].quantity.value", "not-positive"));
  EXPECT_THAT(Parse(Sample("goodsItems[0].quantity.value", 2.5)),
              IsOnlyProblem("goodsItems[0].quantity.value", "wrong-type"));
  EXPECT_THAT(Parse(SampleWithout("goodsItems[0].quantity")),
              IsOnlyProblem("goodsItems[0].quantity", "required"));
}

TEST(GoodsItemsTest, PriceIsMoneyInInvoiceCurrency) {
  json::value json = Sample("goodsItems[1].price", 7200);
  EXPECT_THAT(Parse(json), IsOk());
  EXPECT_THAT(Parse(Sample("goodsItems[1].price", 7200.0)),
              IsOnlyProblem("goodsItems[1].price", "money-must-be-decimal-string"));
  EXPECT_THAT(Parse(Sample("goodsItems[1].price", "7200.001")),
              IsOnlyProblem("goodsItems[1].price", "bad-amount"));
  EXPECT_THAT(Parse(Sample("goodsItems[1].price", "0.00")),
              IsOnlyProblem("goodsItems[1].price", "not-positive"));
  EXPECT_THAT(Parse(Sample("goodsItems[1].price", "7100.00")),
              IsOnlyProblem("invoice.total", "invoice-total-mismatch"));
}

TEST(GoodsItemsTest, Documents) {
  EXPECT_THAT(Parse(SampleWithout("goodsItems[0].documents")), IsOk());
  EXPECT_THAT(Parse(SampleWithout("goodsItems[0].documents[0].reference")), IsOk());
  EXPECT_THAT(Parse(Sample("goodsItems[0].documents[0].code", "Y900")), IsOk());
  EXPECT_THAT(Parse(Sample("goodsItems[0].documents[0].code", "U04")),
              IsOnlyProblem("goodsItems[0].documents[0].code", "bad-document-code"));
  EXPECT_THAT(Parse(Sample("goodsItems[0].documents[0].code", "u004")),
              IsOnlyProblem("goodsItems[0].documents[0].code", "bad-document-code"));
  EXPECT_THAT(Parse(Sample("goodsItems[0].documents[0].code", "1004")),
              IsOnlyProblem("goodsItems[0].documents[0].code", "bad-document-code"));
  EXPECT_THAT(Parse(Sample("goodsItems[0].documents[0].reference", sample::Repeat(71, 'r'))),
              IsOnlyProblem("goodsItems[0].documents[0].reference", "too-long"));
  json::array many(100, json::value(json::object{{"code", "Y900"}}));
  EXPECT_THAT(Parse(Sample("goodsItems[1].documents", many)),
              IsOnlyProblem("goodsItems[1].documents", "too-many-items"));
}

TEST(StrictFieldsTest, UnknownKeysAreNamedWithSuggestion) {
  json::value json = SampleJson();
  auto& item = sample::At(json, "goodsItems[1]").as_object();
  item["comodityCode"] = item["commodityCode"];
  item.erase("commodityCode");
  auto result = Parse(json);
  EXPECT_THAT(result, HasDetail("goodsItems[1].comodityCode", "unknown-field"));
  EXPECT_THAT(result, HasDetail("goodsItems[1].commodityCode", "required"));
  EXPECT_EQ(result.error().details.size(), 2u);
  EXPECT_THAT(result.error().details[0].message,
              ::testing::HasSubstr("did you mean 'commodityCode'"));
}

TEST(StrictFieldsTest, UnknownKeysAtEveryLevel) {
  EXPECT_THAT(Parse(Sample("remarks", "x")), IsOnlyProblem("remarks", "unknown-field"));
  EXPECT_THAT(Parse(Sample("declarant.address.zip", "20457")),
              IsOnlyProblem("declarant.address.zip", "unknown-field"));
  EXPECT_THAT(Parse(Sample("transport.vessel", "x")),
              IsOnlyProblem("transport.vessel", "unknown-field"));
  EXPECT_THAT(Parse(Sample("invoice.vat", "19")), IsOnlyProblem("invoice.vat", "unknown-field"));
  EXPECT_THAT(Parse(Sample("goodsItems[0].quantity.uom", "KGM")),
              IsOnlyProblem("goodsItems[0].quantity.uom", "unknown-field"));
  EXPECT_THAT(Parse(Sample("goodsItems[0].documents[0].date", "2026-01-01")),
              IsOnlyProblem("goodsItems[0].documents[0].date", "unknown-field"));
  // Even a null value under an unknown key is refused: strictness is about keys.
  EXPECT_THAT(Parse(Sample("consignees", nullptr)), IsOnlyProblem("consignees", "unknown-field"));
}

TEST(ManyProblemsTest, AllProblemsComeBackTogether) {
  json::value json = SampleJson();
  sample::At(json, "office") = "DE47";
  sample::At(json, "invoice.currency") = "EURO";
  sample::At(json, "goodsItems[0].origin") = "XX";
  sample::At(json, "goodsItems[1].commodityCode") = "1602";
  sample::At(json, "goodsItems[1].netMass") = 900.5;
  sample::At(json, "transport.containers") = json::array{"MSCU1234567"};
  sample::Erase(json, "declarant.name");
  auto result = Parse(json);
  ASSERT_THAT(result, HasCode(ErrorCode::kInvalidArgument));
  EXPECT_EQ(result.error().reason, "validation-failed");
  EXPECT_EQ(result.error().message, "7 problems");
  EXPECT_THAT(result, HasDetail("office", "bad-office"));
  EXPECT_THAT(result, HasDetail("invoice.currency", "unknown-currency"));
  EXPECT_THAT(result, HasDetail("goodsItems[0].origin", "unknown-country"));
  EXPECT_THAT(result, HasDetail("goodsItems[1].commodityCode", "bad-commodity-code"));
  EXPECT_THAT(result, HasDetail("goodsItems[1].netMass", "wrong-type"));
  EXPECT_THAT(result, HasDetail("transport.containers[0]", "bad-container-id"));
  EXPECT_THAT(result, HasDetail("declarant.name", "required"));
  for (const auto& detail : result.error().details) {
    EXPECT_EQ(detail.code, ErrorCode::kInvalidArgument);
    EXPECT_FALSE(detail.message.empty()) << detail.field_path;
  }
}

TEST(ManyProblemsTest, ListIsCappedWithACount) {
  json::value json = SampleJson();
  json::array items;
  json::value item = sample::At(json, "goodsItems[0]");
  item.as_object()["origin"] = "XX";
  for (int sequence = 1; sequence <= 150; ++sequence) {
    item.as_object()["sequence"] = sequence;
    items.push_back(item);
  }
  sample::At(json, "goodsItems") = items;
  auto result = Parse(json);
  ASSERT_THAT(result, HasReason("too-many-problems"));
  EXPECT_EQ(result.error().message, "151 problems");  // 150 origins + the total mismatch
  ASSERT_EQ(result.error().details.size(), kMaxProblems + 1);
  EXPECT_EQ(result.error().details.back().reason, "too-many-problems");
  EXPECT_EQ(result.error().details.back().message, "51 more problems are not listed");
}

}  // namespace
}  // namespace clearway::declaration
