#include "risk/dataset.h"

#include <cstdlib>
#include <filesystem>

#include <gtest/gtest.h>

#include "testing/matchers.h"

namespace clearway::risk {
namespace {

using clearway::testing::HasCode;
using clearway::testing::HasDetail;
using clearway::testing::HasReason;
using clearway::testing::IsOk;

constexpr char kHeader[] =
    "Declaration ID,Date,Office ID,Process Type,Import Type,Import Use,Payment Type,"
    "Mode of Transport,Declarant ID,Importer ID,Seller ID,Courier ID,HS6 Code,"
    "Country of Departure,Country of Origin,Tax Rate,Tax Type,Country of Origin Indicator,"
    "Net Mass,Item Price,Fraud,Critical Fraud\n";

std::string Csv(const std::string& rows) { return std::string(kHeader) + rows; }

TEST(DatasetTest, ReadsKcsRowsSortedByDateWithDuty) {
  auto records = ReadCsv(
      Csv("2,2020-01-02,30,B,11,21,11,10,DEC0001,IMP0001,SEL0001,,440890,BE,BE,8.0,A,G,100.0,"
          "5000.0,1,2\n"
          "1,2020-01-01,40,B,11,21,11,40,DEC0002,IMP0002,,,690722,CN,CN,0.0,C,Y,10.5,20.0,0,0\n"),
      KcsSchema());
  ASSERT_THAT(records, IsOk());
  ASSERT_EQ(records->size(), 2u);
  EXPECT_EQ((*records)[0].id, "1");
  EXPECT_EQ((*records)[1].id, "2");
  EXPECT_EQ((*records)[1].hs6, "440890");
  EXPECT_EQ((*records)[1].importer, "IMP0001");
  EXPECT_DOUBLE_EQ((*records)[1].duty, 400.0);  // 5000 x 8 %
  EXPECT_EQ((*records)[1].fraud, std::optional<bool>(true));
  EXPECT_EQ((*records)[1].critical, 2);
  EXPECT_EQ((*records)[0].seller, "");
}

TEST(DatasetTest, QuotedCellsMayHoldCommas) {
  auto records = ReadCsv(Csv("\"7,1\",2020-01-01,30,B,11,21,11,10,D,I,S,,440890,BE,BE,0,A,G,"
                             "1,2,0,0\n"),
                         KcsSchema());
  ASSERT_THAT(records, IsOk());
  EXPECT_EQ((*records)[0].id, "7,1");
}

TEST(DatasetTest, BadNumberNamesLineAndColumn) {
  auto records =
      ReadCsv(Csv("1,2020-01-01,30,B,11,21,11,10,D,I,S,,440890,BE,BE,0,A,G,1,2,0,0\n"
                  "2,2020-01-01,30,B,11,21,11,10,D,I,S,,440890,BE,BE,0,A,G,heavy,2,0,0\n"),
              KcsSchema());
  EXPECT_THAT(records, HasDetail("line 3, column 'Net Mass'", "bad-number"));
  EXPECT_THAT(records, HasCode(ErrorCode::kInvalidArgument));
}

TEST(DatasetTest, NegativePriceIsRefused) {
  auto records = ReadCsv(Csv("1,2020-01-01,30,B,11,21,11,10,D,I,S,,440890,BE,BE,0,A,G,1,-2,0,0\n"),
                         KcsSchema());
  EXPECT_THAT(records, HasDetail("line 2, column 'Item Price'", "bad-number"));
}

TEST(DatasetTest, BadDateLabelAndRowAreNamed) {
  EXPECT_THAT(ReadCsv(Csv("1,2020-13-01,30,B,11,21,11,10,D,I,S,,440890,BE,BE,0,A,G,1,2,0,0\n"),
                      KcsSchema()),
              HasDetail("line 2, column 'Date'", "bad-date"));
  EXPECT_THAT(ReadCsv(Csv("1,2020-01-01,30,B,11,21,11,10,D,I,S,,440890,BE,BE,0,A,G,1,2,yes,0\n"),
                      KcsSchema()),
              HasDetail("line 2, column 'Fraud'", "bad-label"));
  EXPECT_THAT(ReadCsv(Csv("1,2020-01-01,30,B,11,21,11,10,D,I,S,,440890,BE,BE,0,A,G,1,2,1,3\n"),
                      KcsSchema()),
              HasDetail("line 2, column 'Critical Fraud'", "bad-label"));
  EXPECT_THAT(ReadCsv(Csv("1,2020-01-01,30\n"), KcsSchema()), HasReason("bad-row"));
  EXPECT_THAT(ReadCsv(Csv(""), KcsSchema()), HasReason("empty-data"));
}

TEST(DatasetTest, MissingColumnIsNamed) {
  std::string csv = "Declaration ID,Date,HS6 Code,Net Mass\n1,2020-01-01,440890,1\n";
  EXPECT_THAT(ReadCsv(csv, KcsSchema()), HasReason("missing-column"));
  EXPECT_THAT(ReadCsv(csv, KcsSchema()),
              HasDetail("line 1, column 'Courier ID'", "missing-column"));
}

TEST(DatasetTest, OtherAdministrationsExportLoadsThroughASchema) {
  auto schema = ParseSchema(R"({"name": "date-synthetic",
      "columns": {"id": "sgd.id", "date": "sgd.date", "importer": "importer.id",
                  "hs6": "tariff.code", "net_mass_kg": "gross.weight",
                  "item_price": "cif.value", "fraud": "illicit", "origin": "country"},
      "revenue": {"duty_column": "total.taxes"}})");
  ASSERT_THAT(schema, IsOk());
  auto records = ReadCsv(
      "sgd.id,sgd.date,importer.id,tariff.code,gross.weight,cif.value,total.taxes,illicit,"
      "country\nSGD1,2013-01-02,IMP1,8471300000,12.5,1000,150,1,CN\n",
      *schema);
  ASSERT_THAT(records, IsOk());
  EXPECT_EQ((*records)[0].hs6, "847130");
  EXPECT_DOUBLE_EQ((*records)[0].duty, 150.0);
  EXPECT_EQ((*records)[0].origin, "CN");
  EXPECT_EQ((*records)[0].fraud, std::optional<bool>(true));
}

TEST(DatasetTest, SchemaErrorsAreSpecific) {
  EXPECT_THAT(ParseSchema("{"), HasReason("malformed-json"));
  EXPECT_THAT(ParseSchema("[]"), HasReason("bad-schema"));
  EXPECT_THAT(ParseSchema(R"({"columns": {"id": "a", "colour": "b"}})"),
              HasDetail("columns.colour", "unknown-field"));
  EXPECT_THAT(ParseSchema(R"({"columns": {"id": 3}})"), HasDetail("columns.id", "bad-schema"));
  EXPECT_THAT(ParseSchema(R"({"columns": {"id": "a", "date": "b", "hs6": "c",
                                          "net_mass_kg": "d"}})"),
              HasDetail("columns.item_price", "missing-field"));
  EXPECT_THAT(ParseSchema(R"({"columns": {"id": "a", "date": "b", "hs6": "c", "net_mass_kg": "d",
                                          "item_price": "e"}, "revenue": {"vat": "x"}})"),
              HasDetail("revenue.vat", "unknown-field"));
  EXPECT_THAT(ReadSchemaFile("/nonexistent/schema.json"), HasCode(ErrorCode::kNotFound));
}

TEST(DatasetTest, ShippedKcsSchemaFileEqualsTheBuiltInOne) {
  const char* source = std::getenv("CLEARWAY_SOURCE_DIR");
  ASSERT_NE(source, nullptr) << "run through ctest";
  auto schema = ReadSchemaFile(std::string(source) + "/docs/risk-schema-kcs.json");
  ASSERT_THAT(schema, IsOk());
  EXPECT_EQ(schema->columns, KcsSchema().columns);
  EXPECT_EQ(schema->rate_percent_column, KcsSchema().rate_percent_column);
}

TEST(DatasetTest, WriteCsvReadsBack) {
  auto records = ReadCsv(
      Csv("1,2020-01-01,30,B,11,21,11,10,D,I,S,C,440890,BE,BE,8,A,G,1.5,2.25,1,1\n"), KcsSchema());
  ASSERT_THAT(records, IsOk());
  auto again = ReadCsv(WriteCsv(*records), KcsSchema());
  ASSERT_THAT(again, IsOk());
  EXPECT_EQ((*again)[0].courier, "C");
  EXPECT_DOUBLE_EQ((*again)[0].item_price, 2.25);
  EXPECT_EQ((*again)[0].fraud, std::optional<bool>(true));
}

TEST(DatasetTest, ReadsThePublicKcsFile) {
  const char* source = std::getenv("CLEARWAY_SOURCE_DIR");
  ASSERT_NE(source, nullptr) << "run through ctest";
  std::string path = std::string(source) + "/../shared/data/fraud/train.csv";
  ASSERT_TRUE(std::filesystem::exists(path)) << path;
  auto records = ReadCsvFile(path, KcsSchema());
  ASSERT_THAT(records, IsOk());
  EXPECT_EQ(records->size(), 43237u);
  EXPECT_EQ(FormatDate(records->front().date), "2020-01-01");
  EXPECT_EQ(FormatDate(records->back().date), "2021-03-10");
  size_t fraud = 0;
  for (const auto& r : *records) fraud += r.fraud.value_or(false) ? 1u : 0u;
  EXPECT_EQ(fraud, 9338u);  // the data's README
}

}  // namespace
}  // namespace clearway::risk
