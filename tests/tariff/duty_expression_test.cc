#include "tariff/duty_expression.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "testing/matchers.h"

namespace clearway::tariff {
namespace {

using ::clearway::testing::HasCode;
using ::clearway::testing::HasDetail;
using ::clearway::testing::HasReason;
using ::clearway::testing::IsOk;
using ::testing::ElementsAre;

Result<Decimal> NoRate(std::string_view currency) {
  return Error::FailedPrecondition("no-exchange-rate", std::string(currency));
}

DutyBasis Basis(int64_t value_minor, int64_t grams) {
  DutyBasis basis;
  basis.value_minor = value_minor;
  basis.currency = "EUR";
  basis.exponent = 2;
  basis.net_mass_grams = grams;
  return basis;
}

int64_t Evaluate(std::string_view text, const DutyBasis& basis) {
  auto expression = ParseDutyExpression(text, "duty");
  EXPECT_THAT(expression, IsOk());
  auto duty = EvaluateDuty(*expression, basis, NoRate);
  EXPECT_THAT(duty, IsOk());
  return duty.ok() ? duty->amount_minor : -1;
}

TEST(DecimalTest, ParsesExactlyAndPrintsShortest) {
  EXPECT_EQ(ParseDecimal("12.8", "f")->micros, 12'800'000);
  EXPECT_EQ(ParseDecimal("1,024.00", "f")->micros, 1'024'000'000);
  EXPECT_EQ(ParseDecimal("12.8", "f")->ToString(), "12.8");
  EXPECT_EQ(Decimal{-1}.ToString(), "-0.000001");
  EXPECT_THAT(ParseDecimal("1.2345678", "rate"), HasDetail("rate", "bad-decimal"));
  EXPECT_THAT(ParseDecimal("1,02", "rate"), HasReason("bad-decimal"));
  EXPECT_THAT(ParseDecimal("", "rate"), HasReason("bad-decimal"));
}

TEST(DecimalTest, RoundDivRoundsHalfAwayFromZero) {
  EXPECT_EQ(RoundDiv(5, 10), 1);
  EXPECT_EQ(RoundDiv(4, 10), 0);
  EXPECT_EQ(RoundDiv(-5, 10), -1);
  EXPECT_EQ(RoundDiv(15, 10), 2);
  EXPECT_EQ(FormatMinor(123450, 2), "1234.50");
  EXPECT_EQ(FormatMinor(-5, 2), "-0.05");
}

TEST(DutyExpressionTest, ParsesEveryFormToCanonicalText) {
  EXPECT_EQ(ParseDutyExpression("12.8 %", "d")->ToString(), "12.8 %");
  EXPECT_EQ(ParseDutyExpression("Free", "d")->ToString(), "0 %");
  EXPECT_EQ(ParseDutyExpression("176.8 EUR / 100 kg", "d")->ToString(), "176.8 EUR / 100 kg");
  EXPECT_EQ(ParseDutyExpression("34.00 GBP/100kg", "d")->ToString(), "34 GBP / 100 kg");
  EXPECT_EQ(ParseDutyExpression("26.00 GBP / hl", "d")->ToString(), "26 GBP / 100 l");
  EXPECT_EQ(ParseDutyExpression("43.00 GBP/1000 items", "d")->ToString(), "43 GBP / 1000 item");
  EXPECT_EQ(ParseDutyExpression("1,024.00 EUR / tonne", "d")->ToString(), "1024 EUR / 1000 kg");
  EXPECT_EQ(ParseDutyExpression("12.8 % + 176.8 EUR / 100 kg MAX 18.9 %", "d")->ToString(),
            "12.8 % + 176.8 EUR / 100 kg MAX 18.9 %");
  EXPECT_EQ(ParseDutyExpression("9 % MIN 1.5 EUR / 100 kg", "d")->ToString(),
            "9 % MIN 1.5 EUR / 100 kg");
}

TEST(DutyExpressionTest, CanonicalTextParsesBackToTheSameExpression) {
  auto first = ParseDutyExpression("12.8% + 176.8 EUR/100 kg MIN 2 EUR/100kg MAX 18.9%", "d");
  ASSERT_THAT(first, IsOk());
  auto second = ParseDutyExpression(first->ToString(), "d");
  ASSERT_THAT(second, IsOk());
  EXPECT_EQ(*first, *second);
}

TEST(DutyExpressionTest, ErrorsNameTheField) {
  EXPECT_THAT(ParseDutyExpression("", "measures[3].duty"),
              HasDetail("measures[3].duty", "bad-duty-expression"));
  EXPECT_THAT(ParseDutyExpression("12.8 % +", "measures[0].duty"),
              HasDetail("measures[0].duty", "bad-duty-expression"));
  EXPECT_THAT(ParseDutyExpression("12.8 % MAX 1 % MAX 2 %", "d"), HasReason("bad-duty-expression"));
  EXPECT_THAT(ParseDutyExpression("14.00% (01 JUL - 31 JAN)", "d"), HasReason("bad-duty-expression"));
  EXPECT_THAT(ParseDutyExpression("1.40 GBP / % vol / hl", "measures[1].duty"),
              HasDetail("measures[1].duty", "unknown-duty-unit"));
  EXPECT_THAT(ParseDutyExpression("1.00 GBP/kg/lactic matter", "d"), HasReason("unknown-duty-unit"));
  EXPECT_THAT(ParseDutyExpression("3 XXX / kg", "measures[2].duty"),
              HasDetail("measures[2].duty", "unknown-currency"));
  EXPECT_THAT(ParseDutyExpression("12.8", "d"), HasCode(ErrorCode::kInvalidArgument));
}

TEST(DutyExpressionTest, AdValorem) {
  // 12.8 % of 43,200.00 EUR = 5,529.60 EUR.
  EXPECT_EQ(Evaluate("12.8 %", Basis(4'320'000, 4'800'000)), 552'960);
  // 7.5 % of 0.07 EUR = 0.00525 -> 0.01 (half away from zero at the cent).
  EXPECT_EQ(Evaluate("7.5 %", Basis(7, 1000)), 1);
}

TEST(DutyExpressionTest, SpecificPerHundredKilograms) {
  // 176.8 EUR / 100 kg x 4,800 kg = 8,486.40 EUR.
  EXPECT_EQ(Evaluate("176.8 EUR / 100 kg", Basis(4'320'000, 4'800'000)), 848'640);
  // per tonne: 1,024 EUR / 1000 kg x 2.5 kg = 2.56 EUR.
  EXPECT_EQ(Evaluate("1,024.00 EUR / tonne", Basis(100, 2'500)), 256);
}

TEST(DutyExpressionTest, SpecificPerLitreAndPerItem) {
  DutyBasis wine = Basis(100'000, 800'000);
  wine.litres_thousandths = 750'000;  // 750 l
  EXPECT_EQ(Evaluate("32 EUR / hl", wine), 24'000);  // 7.5 hl x 32 = 240.00
  DutyBasis phones = Basis(100'000, 5'000);
  phones.items_thousandths = 2'500'000;  // 2,500 items
  EXPECT_EQ(Evaluate("43 EUR / 1000 items", phones), 10'750);  // 2.5 x 43 = 107.50
}

TEST(DutyExpressionTest, SpecificDutyNeedsTheQuantityUnit) {
  auto expression = ParseDutyExpression("32 EUR / hl", "d");
  ASSERT_THAT(expression, IsOk());
  EXPECT_THAT(EvaluateDuty(*expression, Basis(100, 100), NoRate),
              HasReason("quantity-unit-required"));
}

TEST(DutyExpressionTest, CompoundSumsThenRoundsOnce) {
  auto expression = ParseDutyExpression("12.8 % + 176.8 EUR / 100 kg", "d");
  ASSERT_THAT(expression, IsOk());
  auto duty = EvaluateDuty(*expression, Basis(4'320'000, 4'800'000), NoRate);
  ASSERT_THAT(duty, IsOk());
  EXPECT_EQ(duty->amount_minor, 552'960 + 848'640);
  EXPECT_THAT(duty->lines, ElementsAre("12.8 % x 43200.00 EUR = 5529.60 EUR",
                                       "176.8 EUR / 100 kg x 4800.000 kg = 8486.40 EUR",
                                       "sum = 14016.00 EUR"));
}

TEST(DutyExpressionTest, MaximumCapsTheDuty) {
  auto expression = ParseDutyExpression("12.8 % + 176.8 EUR / 100 kg MAX 18.9 %", "d");
  ASSERT_THAT(expression, IsOk());
  auto duty = EvaluateDuty(*expression, Basis(4'320'000, 4'800'000), NoRate);
  ASSERT_THAT(duty, IsOk());
  EXPECT_TRUE(duty->maximum_applied);
  EXPECT_EQ(duty->amount_minor, 816'480);  // 18.9 % of 43,200.00
}

TEST(DutyExpressionTest, MinimumRaisesTheDuty) {
  auto expression = ParseDutyExpression("2 % MIN 5 EUR / 100 kg", "d");
  ASSERT_THAT(expression, IsOk());
  auto duty = EvaluateDuty(*expression, Basis(10'000, 200'000), NoRate);  // 2 % of 100 = 2
  ASSERT_THAT(duty, IsOk());
  EXPECT_TRUE(duty->minimum_applied);
  EXPECT_EQ(duty->amount_minor, 1'000);  // 200 kg x 5 / 100 = 10.00
  auto above = EvaluateDuty(*expression, Basis(10'000'000, 200'000), NoRate);
  ASSERT_THAT(above, IsOk());
  EXPECT_FALSE(above->minimum_applied);
  EXPECT_EQ(above->amount_minor, 200'000);
}

TEST(DutyExpressionTest, ConvertsASpecificAmountInAnotherCurrency) {
  auto expression = ParseDutyExpression("34 GBP / 100 kg", "d");
  ASSERT_THAT(expression, IsOk());
  auto gbp = [](std::string_view currency) -> Result<Decimal> {
    EXPECT_EQ(currency, "GBP");
    return Decimal{850'000};  // 0.85 GBP per EUR
  };
  auto duty = EvaluateDuty(*expression, Basis(0, 1'000'000), gbp);  // 1,000 kg
  ASSERT_THAT(duty, IsOk());
  EXPECT_EQ(duty->amount_minor, 40'000);  // 340 GBP / 0.85 = 400.00 EUR
  EXPECT_THAT(EvaluateDuty(*expression, Basis(0, 1'000'000), NoRate), HasReason("no-exchange-rate"));
}

TEST(DutyExpressionTest, MultiplyPercentRounds) {
  EXPECT_EQ(MultiplyPercent(10'005, Decimal{19'000'000}), 1'901);  // 19.0095 -> 19.01
}

}  // namespace
}  // namespace clearway::tariff
