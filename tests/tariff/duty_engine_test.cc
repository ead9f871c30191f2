#include "tariff/duty_engine.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "common/json.h"
#include "tariff/tariff_fixture.h"

namespace clearway::tariff {
namespace {

using ::clearway::testing::HasDetail;
using ::clearway::testing::HasReason;
using ::clearway::testing::IsOk;
using namespace ::clearway::tariff::testing;  // NOLINT: test helpers
using ::testing::Contains;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class DutyEngineTest : public TariffStoreTest {
 protected:
  void SetUp() override {
    TariffStoreTest::SetUp();
    ASSERT_THAT(SeedDemoTariff(*store_, At("2026-01-01T00:00:00Z")), IsOk());
    engine_ = std::make_unique<DutyEngine>(*store_, clock_);
  }

  Result<DutyQuote> Quote(const declaration::Declaration& d, QuoteOptions options = {}) {
    return engine_->Quote(d, options);
  }

  static const AppliedMeasure* Find(const ItemQuote& item, std::string_view id) {
    for (const auto& applied : item.applied) {
      if (applied.measure_id == id) return &applied;
    }
    return nullptr;
  }

  FakeClock clock_{At("2026-11-02T09:00:00Z")};
  std::unique_ptr<DutyEngine> engine_;
};

TEST_P(DutyEngineTest, CompoundThirdCountryDutyAndReducedVat) {
  // 4,800 kg of frozen boneless beef from Argentina, 43,200.00 EUR CIF, no proof for the quota.
  auto quote = Quote(OneItem("0202300010", "AR", 4'800'000, 4'320'000));
  ASSERT_THAT(quote, IsOk());
  const ItemQuote& item = quote->items.at(0);
  const AppliedMeasure* tc = Find(item, "TC-0202");
  ASSERT_NE(tc, nullptr);
  EXPECT_EQ(tc->amount_minor, 1'401'600);  // 5,529.60 + 8,486.40
  EXPECT_THAT(tc->arithmetic, Contains("176.8 EUR / 100 kg x 4800.000 kg = 8486.40 EUR"));
  EXPECT_EQ(tc->legal_base, "Regulation (EEC) No 2658/87, Annex I (CN) - demo rate");
  // VAT 7 % of (43,200.00 + 14,016.00) = 4,005.12.
  EXPECT_EQ(item.vat_minor, 400'512);
  EXPECT_THAT(item.notes, Contains(HasSubstr("TQ-0202-AR (High-quality beef quota) not applied: "
                                             "proof U004 not declared")));
  EXPECT_THAT(item.missing_documents, ElementsAre("N853"));
  EXPECT_EQ(quote->total_minor, 1'401'600 + 400'512);
}

TEST_P(DutyEngineTest, PreferenceAppliesOnlyWithTheProofOfOrigin) {
  auto coffee = OneItem("0901210000", "CO", 1'000'000, 1'100'000);
  auto without = Quote(coffee);
  ASSERT_THAT(without, IsOk());
  EXPECT_NE(Find(without->items[0], "TC-0901"), nullptr);
  EXPECT_EQ(without->items[0].customs_duty_minor, 82'500);  // 7.5 % of 11,000.00
  EXPECT_THAT(without->items[0].notes,
              Contains(HasSubstr("PREF-0901-CO (EU-Colombia/Peru/Ecuador Trade Agreement) not "
                                 "applied: proof U004 not declared")));
  coffee.goods_items[0].documents.push_back({"U004", "CO-2026-1"});
  auto with = Quote(coffee);
  ASSERT_THAT(with, IsOk());
  ASSERT_NE(Find(with->items[0], "PREF-0901-CO"), nullptr);
  EXPECT_EQ(with->items[0].customs_duty_minor, 0);
  EXPECT_THAT(with->items[0].notes, Contains(HasSubstr("TC-0901 (7.5 %) would be 825.00 EUR")));
  EXPECT_EQ(with->items[0].vat_minor, 77'000);  // 7 % of 11,000.00
}

TEST_P(DutyEngineTest, QuotaIsDrawnDownThenExhaustedFallsBack) {
  auto beef = OneItem("0202300010", "AR", 15'000'000, 13'500'000);  // 15,000 kg of 20,000
  beef.goods_items[0].documents.push_back({"U004", "AR-1"});
  QuoteOptions filing;
  filing.draw_quotas = true;
  filing.reference = "decl-1";
  auto first = Quote(beef, filing);
  ASSERT_THAT(first, IsOk());
  const AppliedMeasure* quota = Find(first->items[0], "TQ-0202-AR");
  ASSERT_NE(quota, nullptr);
  EXPECT_EQ(quota->amount_minor, 2'700'000);  // 20 % of 135,000.00
  EXPECT_THAT(quota->arithmetic, Contains("uses 15000.000 of quota 09.4450 (drawn when filed)"));
  clock_.Advance(std::chrono::minutes(1));
  auto second = Quote(beef, filing);  // 15,000 kg more, 5,000 left
  ASSERT_THAT(second, IsOk());
  EXPECT_EQ(Find(second->items[0], "TQ-0202-AR"), nullptr);
  EXPECT_NE(Find(second->items[0], "TC-0202"), nullptr);
  EXPECT_THAT(second->items[0].notes,
              Contains(HasSubstr("quota exhausted, 5000.000 kg left, 15000.000 needed")));
  EXPECT_EQ(store_->QuotaOf("09.4450", clock_.Now()).value()->drawn_thousandths, 15'000'000);
}

TEST_P(DutyEngineTest, AntiDumpingByProducer) {
  auto furniture = OneItem("9403600000", "VN", 500'000, 1'000'000);
  auto others = Quote(furniture);
  ASSERT_THAT(others, IsOk());
  ASSERT_NE(Find(others->items[0], "AD-9403-VN"), nullptr);
  EXPECT_EQ(others->items[0].customs_duty_minor, 301'000);  // 0 % + 30.1 %
  furniture.exporter = declaration::Party{"CN914403007152672", "Shenzhen Global Export", {}};
  auto own = Quote(furniture);
  ASSERT_THAT(own, IsOk());
  ASSERT_NE(Find(own->items[0], "AD-9403-VN-CN9144"), nullptr);
  EXPECT_EQ(own->items[0].customs_duty_minor, 125'000);
}

TEST_P(DutyEngineTest, DeMinimisWaivesDutyButNotVat) {
  auto parcel = OneItem("0901210000", "CO", 5'000, 12'000);  // 120.00 EUR <= 150.00
  auto quote = Quote(parcel);
  ASSERT_THAT(quote, IsOk());
  EXPECT_TRUE(quote->de_minimis_applied);
  EXPECT_EQ(quote->customs_duty_minor, 0);
  EXPECT_FALSE(Find(quote->items[0], "TC-0901")->collected);
  EXPECT_EQ(quote->vat_minor, 840);  // 7 % of 120.00
  auto above = Quote(OneItem("0901210000", "CO", 5'000, 15'001));
  ASSERT_THAT(above, IsOk());
  EXPECT_FALSE(above->de_minimis_applied);
}

TEST_P(DutyEngineTest, FobAddsFreightAndConvertsAtTheRateOfTheDay) {
  auto shirts = OneItem("6109100010", "CN", 100'000, 1'084'200, "USD", "FOB");  // 10,842.00 USD
  shirts.invoice.freight = Money(108'420, "USD");
  shirts.invoice.insurance = Money(0, "USD");
  auto quote = Quote(shirts);
  ASSERT_THAT(quote, IsOk());
  // (10,842.00 + 1,084.20) USD / 1.0842 = 11,000.00 EUR; 12 % = 1,320.00.
  EXPECT_EQ(quote->items[0].customs_value_minor, 1'100'000);
  EXPECT_EQ(quote->items[0].customs_duty_minor, 132'000);
  EXPECT_THAT(quote->items[0].valuation,
              Contains("= 11926.20 USD / 1.0842 USD per EUR = 11000.00 EUR customs value"));
  shirts.invoice.currency = "SEK";
  shirts.invoice.total = Money(1'084'200, "SEK");
  shirts.goods_items[0].price = Money(1'084'200, "SEK");
  EXPECT_THAT(Quote(shirts), HasReason("no-exchange-rate"));
}

TEST_P(DutyEngineTest, WinePerHectolitreWithExcise) {
  auto wine = OneItem("2204210000", "CL", 800'000, 500'000);
  wine.goods_items[0].quantity = {750'000, "LTR"};  // 750 l
  auto quote = Quote(wine);
  ASSERT_THAT(quote, IsOk());
  EXPECT_EQ(quote->items[0].customs_duty_minor, 24'000);  // 7.5 hl x 32
  EXPECT_EQ(quote->items[0].excise_minor, 11'250);        // 7.5 hl x 15
  // 19 % of (5,000.00 + 240.00 + 112.50) = 1,016.975 -> 1,016.98 (half away from zero).
  EXPECT_EQ(quote->items[0].vat_minor, 101'698);
  wine.goods_items[0].quantity = {800'000, "KGM"};
  EXPECT_THAT(Quote(wine), HasDetail("goodsItems[0].quantity.unit", "quantity-unit-required"));
}

TEST_P(DutyEngineTest, ProhibitedGoodsAreFlagged) {
  auto quote = Quote(OneItem("0901210000", "KP", 1'000'000, 1'000'000));
  ASSERT_THAT(quote, IsOk());
  EXPECT_TRUE(quote->items[0].prohibited);
  EXPECT_NE(Find(quote->items[0], "PROH-ALL-KP"), nullptr);
  EXPECT_EQ(quote->total_minor, 0);
}

TEST_P(DutyEngineTest, AnOldQuoteReproducesExactlyAfterALaterChange) {
  auto coffee = OneItem("0901210000", "CO", 1'000'000, 1'100'000);
  auto original = Quote(coffee);
  ASSERT_THAT(original, IsOk());
  Timestamp quoted_at = original->as_of;
  clock_.Advance(std::chrono::hours(1));
  auto rate_cut = UpdateText("cut", {Upsert("TC-0901", "third-country-duty", "0901", "1011", "2 %",
                                            "2026-01-01")});
  ASSERT_THAT(Apply(rate_cut, clock_.Now()), IsOk());
  clock_.Advance(std::chrono::hours(1));
  auto now = Quote(coffee, QuoteOptions{original->date, std::nullopt, false, ""});
  ASSERT_THAT(now, IsOk());
  EXPECT_EQ(now->items[0].customs_duty_minor, 22'000);  // 2 %
  auto replay = Quote(coffee, QuoteOptions{original->date, quoted_at, false, ""});
  ASSERT_THAT(replay, IsOk());
  EXPECT_EQ(CanonicalJson(QuoteToJson(*replay)), CanonicalJson(QuoteToJson(*original)));
}

TEST_P(DutyEngineTest, ExportsAreRefused) {
  auto d = OneItem("0901210000", "CO", 1'000, 1'000);
  d.type = declaration::DeclarationType::kExport;
  EXPECT_THAT(Quote(d), HasReason("not-an-import"));
}

CLEARWAY_TARIFF_BACKENDS(DutyEngineTest);

}  // namespace
}  // namespace clearway::tariff
