#include "declaration/reference_codes.h"

#include <gtest/gtest.h>

namespace clearway::declaration {
namespace {

TEST(ContainerIdTest, KnownGoodNumbers) {
  EXPECT_TRUE(IsContainerId("MSCU1234566"));
  EXPECT_TRUE(IsContainerId("CSQU3054383"));  // the ISO 6346 worked example
  EXPECT_TRUE(IsContainerId("TGHU0000040"));  // remainder 10 is written as 0
  EXPECT_EQ(ContainerCheckDigit("CSQU305438"), 3);
  EXPECT_EQ(ContainerCheckDigit("TGHU000004"), 0);
}

TEST(ContainerIdTest, EveryWrongCheckDigitIsRefused) {
  for (char digit = '0'; digit <= '9'; ++digit) {
    std::string id = std::string("CSQU305438") + digit;
    EXPECT_EQ(IsContainerId(id), digit == '3') << id;
  }
}

TEST(ContainerIdTest, FormIsChecked) {
  EXPECT_FALSE(IsContainerId("CSQX3054383"));  // category must be U, J or Z
  EXPECT_TRUE(IsContainerId("CSQJ3054386"));   // J: detachable equipment
  EXPECT_EQ(ContainerCheckDigit("CSQU30543"), std::nullopt);
  EXPECT_FALSE(IsContainerId("csqu3054383"));   // upper case only
  EXPECT_FALSE(IsContainerId("CSQU305438"));    // too short
  EXPECT_FALSE(IsContainerId("CSQU30543833"));  // too long
  EXPECT_FALSE(IsContainerId("CSQU30543A3"));
  EXPECT_FALSE(IsContainerId("CSQU305438X"));
  EXPECT_FALSE(ContainerCheckDigit("C5QU305438").has_value());
}

TEST(ReferenceCodesTest, Eori) {
  EXPECT_TRUE(IsEori("DE123456789012345"));
  EXPECT_TRUE(IsEori("GB123456789000"));
  EXPECT_TRUE(IsEori("XI123456789000"));
  EXPECT_FALSE(IsEori("DE"));
  EXPECT_FALSE(IsEori("DE1234567890123456"));
  EXPECT_FALSE(IsEori("XX12345"));
  EXPECT_FALSE(IsEori("de12345"));
  EXPECT_FALSE(IsEori("DE12 345"));
}

TEST(ReferenceCodesTest, Office) {
  EXPECT_TRUE(IsOfficeCode("DE004700"));
  EXPECT_TRUE(IsOfficeCode("NL000396"));
  EXPECT_FALSE(IsOfficeCode("DE00470"));
  EXPECT_FALSE(IsOfficeCode("DE0047000"));
  EXPECT_FALSE(IsOfficeCode("ZZ004700"));
}

TEST(ReferenceCodesTest, Procedure) {
  EXPECT_TRUE(IsProcedureCode("4000"));
  EXPECT_TRUE(IsProcedureCode("1000"));
  EXPECT_TRUE(IsProcedureCode("4071"));
  EXPECT_FALSE(IsProcedureCode("0040"));  // requested may not be 00
  EXPECT_FALSE(IsProcedureCode("4099"));
  EXPECT_FALSE(IsProcedureCode("400"));
  EXPECT_EQ(RequestedProcedureDirection("4000"), ProcedureDirection::kImport);
  EXPECT_EQ(RequestedProcedureDirection("7100"), ProcedureDirection::kImport);
  EXPECT_EQ(RequestedProcedureDirection("3151"), ProcedureDirection::kExport);
  EXPECT_EQ(RequestedProcedureDirection("9600"), ProcedureDirection::kEither);
  EXPECT_FALSE(RequestedProcedureDirection("9900").has_value());
}

TEST(ReferenceCodesTest, CommodityCode) {
  EXPECT_TRUE(IsCommodityCode("010121"));
  EXPECT_TRUE(IsCommodityCode("97011000"));
  EXPECT_FALSE(IsCommodityCode("0101210"));
  EXPECT_FALSE(IsCommodityCode("000000"));
  EXPECT_FALSE(IsCommodityCode("770000"));
  EXPECT_FALSE(IsCommodityCode("980000"));
}

TEST(ReferenceCodesTest, SmallLists) {
  for (const char* code :
       {"EXW", "FCA", "CPT", "CIP", "DAP", "DPU", "DDP", "FAS", "FOB", "CFR", "CIF"}) {
    EXPECT_TRUE(IsIncoterm(code)) << code;
  }
  EXPECT_FALSE(IsIncoterm("DAT"));
  EXPECT_FALSE(IsIncoterm("DDU"));
  EXPECT_TRUE(IsTransportMode(1));
  EXPECT_TRUE(IsTransportMode(9));
  EXPECT_FALSE(IsTransportMode(0));
  EXPECT_FALSE(IsTransportMode(10));
  for (const char* unit : {"KGM", "NAR", "LTR", "MTQ", "PR", "NPR", "C62", "LPA"}) {
    EXPECT_TRUE(IsUnitCode(unit)) << unit;
  }
  EXPECT_FALSE(IsUnitCode("KG"));
  EXPECT_FALSE(IsUnitCode("kgm"));
  EXPECT_TRUE(IsDocumentCode("U004"));
  EXPECT_TRUE(IsDocumentCode("N954"));
  EXPECT_TRUE(IsDocumentCode("Y900"));
  EXPECT_TRUE(IsDocumentCode("C400"));
  EXPECT_FALSE(IsDocumentCode("U04"));
  EXPECT_FALSE(IsDocumentCode("U0045"));
  EXPECT_FALSE(IsDocumentCode("9004"));
}

}  // namespace
}  // namespace clearway::declaration
