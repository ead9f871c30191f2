// Validation of the declaration header, parties, transport and invoice: for each rule the
// sample passes, and one mutation of it fails with exactly the expected field path and reason.

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

TEST(ParseDeclarationTest, SampleIsValid) {
  auto decl = Parse(SampleJson());
  ASSERT_THAT(decl, IsOk());
  EXPECT_EQ(decl->type, DeclarationType::kImport);
  EXPECT_EQ(decl->procedure, "4000");
  EXPECT_EQ(decl->office, "DE004700");
  EXPECT_EQ(decl->invoice.total, Money(5040000, "EUR"));
  EXPECT_EQ(decl->goods_items[1].net_mass_grams, 900500);
  EXPECT_EQ(decl->goods_items[1].gross_mass_grams, 1000000);
  EXPECT_EQ(decl->goods_items[1].quantity, (Quantity{3000000, "NAR"}));
}

TEST(ParseDeclarationTest, RootMustBeAnObject) {
  EXPECT_THAT(Parse(json::array{}), IsOnlyProblem("", "wrong-type"));
}

TEST(ParseDeclarationTest, DeclarationType) {
  EXPECT_THAT(Parse(Sample("type", "transit")), IsOnlyProblem("type", "bad-declaration-type"));
  EXPECT_THAT(Parse(Sample("type", 1)), IsOnlyProblem("type", "wrong-type"));
  // Without a type, importer/exporter cannot be required, so only the type is reported.
  EXPECT_THAT(Parse(SampleWithout("type")), IsOnlyProblem("type", "required"));
  EXPECT_THAT(Parse(Sample("type", nullptr)), IsOnlyProblem("type", "required"));
}

TEST(ParseDeclarationTest, ExportNeedsExporterNotImporter) {
  json::value export_json = Sample("type", "export");
  sample::At(export_json, "procedure") = "1000";
  sample::Erase(export_json, "importer");
  EXPECT_THAT(Parse(export_json), IsOk());
  sample::Erase(export_json, "exporter");
  EXPECT_THAT(Parse(export_json), IsOnlyProblem("exporter", "required"));
}

TEST(ParseDeclarationTest, ImportNeedsImporterNotExporter) {
  EXPECT_THAT(Parse(SampleWithout("exporter")), IsOk());
  EXPECT_THAT(Parse(SampleWithout("importer")), IsOnlyProblem("importer", "required"));
}

TEST(ParseDeclarationTest, ProcedureCode) {
  EXPECT_THAT(Parse(Sample("procedure", "4071")), IsOk());
  EXPECT_THAT(Parse(Sample("procedure", "5100")), IsOk());
  EXPECT_THAT(Parse(Sample("procedure", "40")), IsOnlyProblem("procedure", "bad-procedure"));
  EXPECT_THAT(Parse(Sample("procedure", "9900")), IsOnlyProblem("procedure", "bad-procedure"));
  EXPECT_THAT(Parse(Sample("procedure", "40AB")), IsOnlyProblem("procedure", "bad-procedure"));
  EXPECT_THAT(Parse(Sample("procedure", 4000)), IsOnlyProblem("procedure", "wrong-type"));
}

TEST(ParseDeclarationTest, ProcedureMustFitTheDeclarationType) {
  EXPECT_THAT(Parse(Sample("procedure", "1000")),
              IsOnlyProblem("procedure", "procedure-type-mismatch"));
  EXPECT_THAT(Parse(Sample("procedure", "0100")), IsOk());  // 01 is used either way
}

TEST(ParseDeclarationTest, OfficeCode) {
  EXPECT_THAT(Parse(Sample("office", "XI000142")), IsOk());
  EXPECT_THAT(Parse(Sample("office", "DE0047")), IsOnlyProblem("office", "bad-office"));
  EXPECT_THAT(Parse(Sample("office", "ZZ004700")), IsOnlyProblem("office", "bad-office"));
  EXPECT_THAT(Parse(Sample("office", "de004700")), IsOnlyProblem("office", "bad-office"));
  EXPECT_THAT(Parse(SampleWithout("office")), IsOnlyProblem("office", "required"));
}

TEST(ParseDeclarationTest, DeclarantIsRequired) {
  EXPECT_THAT(Parse(SampleWithout("declarant")), IsOnlyProblem("declarant", "required"));
  EXPECT_THAT(Parse(Sample("declarant", "DE123")), IsOnlyProblem("declarant", "wrong-type"));
}

TEST(ParseDeclarationTest, EoriNumbers) {
  EXPECT_THAT(Parse(Sample("declarant.id", "XI123456789000")), IsOk());
  EXPECT_THAT(Parse(Sample("declarant.id", "DE1")), IsOk());
  EXPECT_THAT(Parse(Sample("declarant.id", "DE")), IsOnlyProblem("declarant.id", "bad-eori"));
  EXPECT_THAT(Parse(Sample("declarant.id", "DE1234567890123456")),  // 16 after the prefix
              IsOnlyProblem("declarant.id", "bad-eori"));
  EXPECT_THAT(Parse(Sample("importer.id", "QQ12345")), IsOnlyProblem("importer.id", "bad-eori"));
  EXPECT_THAT(Parse(Sample("exporter.id", "AR-307")), IsOnlyProblem("exporter.id", "bad-eori"));
}

TEST(ParseDeclarationTest, PartyNameAndLengthLimit) {
  EXPECT_THAT(Parse(Sample("declarant.name", sample::Repeat(256, 'a'))), IsOk());
  EXPECT_THAT(Parse(Sample("declarant.name", sample::Repeat(257, 'a'))),
              IsOnlyProblem("declarant.name", "too-long"));
  std::string umlauts;
  for (int count = 0; count < 256; ++count) umlauts += "\xC3\xBC";  // 256 code points, 512 bytes
  EXPECT_THAT(Parse(Sample("declarant.name", sample::Text(umlauts))), IsOk());
  EXPECT_THAT(Parse(Sample("declarant.name", "")), IsOnlyProblem("declarant.name", "required"));
  EXPECT_THAT(Parse(SampleWithout("importer.name")), IsOnlyProblem("importer.name", "required"));
}

TEST(ParseDeclarationTest, AddressFields) {
  EXPECT_THAT(Parse(Sample("declarant.address.country", "XX")),
              IsOnlyProblem("declarant.address.country", "unknown-country"));
  EXPECT_THAT(Parse(Sample("declarant.address.country", "de")),
              IsOnlyProblem("declarant.address.country", "unknown-country"));
  EXPECT_THAT(Parse(SampleWithout("importer.address.city")),
              IsOnlyProblem("importer.address.city", "required"));
  EXPECT_THAT(Parse(SampleWithout("importer.address")),
              IsOnlyProblem("importer.address", "required"));
  EXPECT_THAT(Parse(Sample("exporter.address.street", sample::Repeat(257, 's'))),
              IsOnlyProblem("exporter.address.street", "too-long"));
}

TEST(ParseDeclarationTest, PostcodeIsOptionalButLimited) {
  EXPECT_THAT(Parse(SampleWithout("declarant.address.postcode")), IsOk());
  EXPECT_THAT(Parse(Sample("declarant.address.postcode", "")), IsOk());
  EXPECT_THAT(Parse(Sample("declarant.address.postcode", sample::Repeat(18, '1'))),
              IsOnlyProblem("declarant.address.postcode", "too-long"));
}

TEST(ParseDeclarationTest, ConsigneeIsOptionalAndValidated) {
  EXPECT_THAT(Parse(Sample("consignee", nullptr)), IsOk());
  json::value with_consignee = SampleJson();
  sample::At(with_consignee, "consignee") = sample::At(with_consignee, "importer");
  EXPECT_THAT(Parse(with_consignee), IsOk());
  sample::At(with_consignee, "consignee.address.country") = "XX";
  EXPECT_THAT(Parse(with_consignee), IsOnlyProblem("consignee.address.country", "unknown-country"));
}

TEST(ParseDeclarationTest, TransportMode) {
  EXPECT_THAT(Parse(Sample("transport.mode", 9)), IsOk());
  EXPECT_THAT(Parse(Sample("transport.mode", 0)),
              IsOnlyProblem("transport.mode", "bad-transport-mode"));
  EXPECT_THAT(Parse(Sample("transport.mode", 10)),
              IsOnlyProblem("transport.mode", "bad-transport-mode"));
  EXPECT_THAT(Parse(Sample("transport.mode", json::value(18446744073709551615ULL))),
              IsOnlyProblem("transport.mode", "bad-transport-mode"));
  EXPECT_THAT(Parse(Sample("transport.mode", "1")), IsOnlyProblem("transport.mode", "wrong-type"));
  EXPECT_THAT(Parse(Sample("transport.mode", 1.0)), IsOnlyProblem("transport.mode", "wrong-type"));
  EXPECT_THAT(Parse(SampleWithout("transport.mode")), IsOnlyProblem("transport.mode", "required"));
}

TEST(ParseDeclarationTest, TransportIdentityAndNationality) {
  EXPECT_THAT(Parse(SampleWithout("transport.identity")),
              IsOnlyProblem("transport.identity", "required"));
  EXPECT_THAT(Parse(Sample("transport.identity", sample::Repeat(71, 'V'))),
              IsOnlyProblem("transport.identity", "too-long"));
  EXPECT_THAT(Parse(Sample("transport.nationality", "PAN")),
              IsOnlyProblem("transport.nationality", "unknown-country"));
  EXPECT_THAT(Parse(SampleWithout("transport")), IsOnlyProblem("transport", "required"));
}

TEST(ParseDeclarationTest, ContainersHaveValidCheckDigits) {
  EXPECT_THAT(Parse(SampleWithout("transport.containers")), IsOk());
  EXPECT_THAT(Parse(Sample("transport.containers", json::array{"MSCU1234566", "CSQU3054383"})),
              IsOk());
  auto wrong_digit = Parse(Sample("transport.containers", json::array{"MSCU1234567"}));
  EXPECT_THAT(wrong_digit, IsOnlyProblem("transport.containers[0]", "bad-container-id"));
  EXPECT_THAT(wrong_digit.error().details[0].message, ::testing::HasSubstr("should be 6"));
  EXPECT_THAT(Parse(Sample("transport.containers", json::array{"MSCX1234566"})),
              IsOnlyProblem("transport.containers[0]", "bad-container-id"));
  EXPECT_THAT(Parse(Sample("transport.containers", json::array{"MSCU123456"})),
              IsOnlyProblem("transport.containers[0]", "bad-container-id"));
  EXPECT_THAT(Parse(Sample("transport.containers", json::array{42})),
              IsOnlyProblem("transport.containers[0]", "wrong-type"));
  EXPECT_THAT(Parse(Sample("transport.containers", "MSCU1234566")),
              IsOnlyProblem("transport.containers", "wrong-type"));
}

TEST(ParseDeclarationTest, DuplicateContainerIsNamed) {
  EXPECT_THAT(Parse(Sample("transport.containers",
                           json::array{"MSCU1234566", "CSQU3054383", "MSCU1234566"})),
              IsOnlyProblem("transport.containers[2]", "duplicate-container"));
}

TEST(ParseDeclarationTest, TooManyContainers) {
  json::array containers(1000, json::value("MSCU1234566"));
  EXPECT_THAT(Parse(Sample("transport.containers", containers)),
              IsOnlyProblem("transport.containers", "too-many-items"));
}

TEST(ParseDeclarationTest, InvoiceDate) {
  EXPECT_THAT(Parse(Sample("invoice.date", "2026-11-24")), IsOk());  // today is allowed
  EXPECT_THAT(Parse(Sample("invoice.date", "2026-11-25")),
              IsOnlyProblem("invoice.date", "date-in-future"));
  EXPECT_THAT(Parse(Sample("invoice.date", "2026-13-01")),
              IsOnlyProblem("invoice.date", "bad-date"));
  EXPECT_THAT(Parse(Sample("invoice.date", "2026-02-30")),
              IsOnlyProblem("invoice.date", "bad-date"));
  EXPECT_THAT(Parse(Sample("invoice.date", "02/11/2026")),
              IsOnlyProblem("invoice.date", "bad-date"));
  EXPECT_THAT(Parse(Sample("invoice.date", 20261102)), IsOnlyProblem("invoice.date", "wrong-type"));
}

TEST(ParseDeclarationTest, InvoiceNumber) {
  EXPECT_THAT(Parse(SampleWithout("invoice.number")), IsOnlyProblem("invoice.number", "required"));
  EXPECT_THAT(Parse(Sample("invoice.number", sample::Repeat(70, '7'))), IsOk());
  EXPECT_THAT(Parse(Sample("invoice.number", sample::Repeat(71, '7'))),
              IsOnlyProblem("invoice.number", "too-long"));
}

TEST(ParseDeclarationTest, InvoiceCurrency) {
  EXPECT_THAT(Parse(Sample("invoice.currency", "XYZ")),
              IsOnlyProblem("invoice.currency", "unknown-currency"));
  EXPECT_THAT(Parse(Sample("invoice.currency", "eur")),
              IsOnlyProblem("invoice.currency", "unknown-currency"));
  // JPY has no minor unit: "43200.00" has too many decimals for it.
  auto yen = Parse(Sample("invoice.currency", "JPY"));
  EXPECT_THAT(yen, HasDetail("invoice.total", "bad-amount"));
  EXPECT_THAT(yen, HasDetail("goodsItems[0].price", "bad-amount"));
}

TEST(ParseDeclarationTest, UnknownCurrencyStillChecksAmountForm) {
  json::value json = Sample("invoice.currency", "XYZ");
  sample::At(json, "goodsItems[0].price") = "12,00";
  auto result = Parse(json);
  EXPECT_THAT(result, HasDetail("invoice.currency", "unknown-currency"));
  EXPECT_THAT(result, HasDetail("goodsItems[0].price", "bad-amount"));
  EXPECT_EQ(result.error().details.size(), 2u);  // no total mismatch without a currency
}

TEST(ParseDeclarationTest, InvoiceTotal) {
  EXPECT_THAT(Parse(Sample("invoice.total", 50400)), IsOk());  // a JSON integer is exact
  EXPECT_THAT(Parse(Sample("invoice.total", "50400")), IsOk());
  EXPECT_THAT(Parse(Sample("invoice.total", 50400.0)),
              IsOnlyProblem("invoice.total", "money-must-be-decimal-string"));
  EXPECT_THAT(Parse(Sample("invoice.total", "50,400.00")),
              IsOnlyProblem("invoice.total", "bad-amount"));
  EXPECT_THAT(Parse(Sample("invoice.total", "50400.001")),
              IsOnlyProblem("invoice.total", "bad-amount"));
  EXPECT_THAT(Parse(Sample("invoice.total", "1e4")), IsOnlyProblem("invoice.total", "bad-amount"));
  EXPECT_THAT(Parse(Sample("invoice.total", true)), IsOnlyProblem("invoice.total", "wrong-type"));
  EXPECT_THAT(Parse(SampleWithout("invoice.total")), IsOnlyProblem("invoice.total", "required"));
}

TEST(ParseDeclarationTest, InvoiceTotalMustBePositive) {
  auto zero = Parse(Sample("invoice.total", "0.00"));
  EXPECT_THAT(zero, HasDetail("invoice.total", "not-positive"));
  EXPECT_THAT(Parse(Sample("invoice.total", "-50400.00")),
              HasDetail("invoice.total", "not-positive"));
}

TEST(ParseDeclarationTest, InvoiceTotalMustEqualSumOfPrices) {
  auto result = Parse(Sample("invoice.total", "50400.01"));
  EXPECT_THAT(result, IsOnlyProblem("invoice.total", "invoice-total-mismatch"));
  EXPECT_THAT(result.error().details[0].message, ::testing::HasSubstr("50400.00 EUR"));
}

TEST(ParseDeclarationTest, Incoterm) {
  EXPECT_THAT(Parse(Sample("invoice.incoterm", "DPU")), IsOk());
  EXPECT_THAT(Parse(Sample("invoice.incoterm", "DAT")),  // Incoterms 2010, gone in 2020
              IsOnlyProblem("invoice.incoterm", "bad-incoterm"));
  EXPECT_THAT(Parse(Sample("invoice.incoterm", "cif")),
              IsOnlyProblem("invoice.incoterm", "bad-incoterm"));
}

TEST(ParseDeclarationTest, FreightAndInsuranceAreOptionalMoney) {
  json::value json = Sample("invoice.freight", "1200.00");
  sample::At(json, "invoice.insurance") = "0";
  auto decl = Parse(json);
  ASSERT_THAT(decl, IsOk());
  EXPECT_EQ(decl->invoice.freight, Money(120000, "EUR"));
  EXPECT_EQ(decl->invoice.insurance, Money(0, "EUR"));
  EXPECT_THAT(Parse(Sample("invoice.freight", "-1.00")),
              IsOnlyProblem("invoice.freight", "negative-amount"));
  EXPECT_THAT(Parse(Sample("invoice.insurance", 12.5)),
              IsOnlyProblem("invoice.insurance", "money-must-be-decimal-string"));
}

TEST(ParseDeclarationTest, MalformedTextIsNotAValidationError) {
  auto result = ParseDeclarationText("{\"type\": ", sample::TestNow());
  EXPECT_THAT(result, HasCode(ErrorCode::kInvalidArgument));
  EXPECT_THAT(result, HasReason("malformed-json"));
  EXPECT_THAT(ParseDeclarationText(ExampleDeclarationJson(), sample::TestNow()), IsOk());
}

}  // namespace
}  // namespace clearway::declaration
