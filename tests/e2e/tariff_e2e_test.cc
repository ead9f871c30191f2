// The tariff over HTTPS with real sessions: measures, search, ad-hoc quotes, and the quote of a
// filed declaration reproduced as the tariff stood when it was filed, under the read policy.
#include <gtest/gtest.h>

#include "app/samples.h"
#include "server_fixture.h"
#include "tariff/demo_tariff.h"

namespace clearway::e2e {
namespace {

std::string Body(const app::SampleParty& party, const std::string& office, uint64_t seed) {
  app::SampleSpec spec;
  spec.declarant = party;
  spec.importer = party;
  spec.office = office;
  spec.seed = seed;
  return boost::json::serialize(app::MakeSampleDeclaration(spec));
}

class TariffApiTest : public ServerFixture {
 protected:
  void SetUp() override {
    ServerFixture::SetUp();
    if (HasFatalFailure()) return;
    ASSERT_THAT(tariff::SeedDemoTariff(runtime_->tariff(), runtime_->clock().Now()),
                clearway::testing::IsOk());
  }
};

TEST_F(TariffApiTest, MeasuresSearchAndQuotesNeedASignedInCaller) {
  auto client = Client();
  EXPECT_EQ(Send(*client, "", "GET", "/v1/measures?code=0202300000&origin=AR").status, 401);
  EXPECT_EQ(Send(*client, "", "GET", "/v1/tariff/search?q=bovine").status, 401);

  auto measures = Send(*client, "nordfleisch.clerk", "GET", "/v1/measures?code=0202300000&origin=AR");
  ASSERT_EQ(measures.status, 200) << measures.body;
  EXPECT_FALSE(Json(measures)["measures"].as_array().empty()) << measures.body;
  auto search = Send(*client, "officer.hamburg", "GET", "/v1/tariff/search?q=bovine");
  ASSERT_EQ(search.status, 200) << search.body;
  auto missing = Send(*client, "nordfleisch.clerk", "GET", "/v1/measures?origin=AR");
  EXPECT_EQ(missing.status, 400);

  auto quote = Send(*client, "hanse.broker", "POST", "/v1/duty/quote",
                    Body(app::Nordfleisch(), "DE004700", 3));
  ASSERT_EQ(quote.status, 200) << quote.body;
  EXPECT_FALSE(Json(quote)["items"].as_array().empty());
}

TEST_F(TariffApiTest, AFiledDeclarationsQuoteIsReproducedAndFollowsTheReadPolicy) {
  auto client = Client();
  auto filed = Send(*client, "nordfleisch.clerk", "POST", "/v1/declarations",
                    Body(app::Nordfleisch(), "DE004700", 5));
  ASSERT_EQ(filed.status, 201) << filed.body;
  const std::string id(Json(filed)["id"].as_string());

  auto quote = Send(*client, "nordfleisch.clerk", "GET", "/v1/declarations/" + id + "/quote");
  ASSERT_EQ(quote.status, 200) << quote.body;
  auto body = Json(quote);
  EXPECT_EQ(body["declaration_id"].as_string(), id);
  EXPECT_EQ(body["version"].as_int64(), 1);
  EXPECT_FALSE(body["items"].as_array().empty());
  // The same quote again, later: the tariff as recorded at filing, not as it is now.
  auto again = Send(*client, "officer.hamburg", "GET", "/v1/declarations/" + id + "/quote");
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(Json(again)["totals"], body["totals"]);

  // Another trader's clerk is refused with a 403 that reveals nothing, and it is recorded.
  auto other = Send(*client, "lyon.clerk", "GET", "/v1/declarations/" + id + "/quote");
  EXPECT_EQ(other.status, 403) << other.body;
  EXPECT_EQ(Json(other)["detail"].as_string(), "you are not allowed to do this");
  EXPECT_EQ(runtime_->security_log().Counts()["permission-denied/denied"], 1u);
}

}  // namespace
}  // namespace clearway::e2e
