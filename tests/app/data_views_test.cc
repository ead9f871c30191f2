// The data views (issue 5, data minimisation): the allow-list filter, the table's promises
// (no view sees more than the filer; the auditor and the partner see no names, addresses,
// person identifiers, invoice numbers or container ids), the partner's exchange subset as the
// agreement writes it, and who gets which view.
#include "app/data_views.h"

#include <gtest/gtest.h>

#include <set>
#include <string>

#include "common/json.h"
#include "declaration/declaration.h"
#include "testing/matchers.h"

namespace clearway::app {
namespace {

using clearway::testing::HasReason;
using clearway::testing::IsOk;
using identity::Principal;
using identity::Role;
namespace json = boost::json;
using Paths = std::set<std::string>;

// A fake pseudonymiser: deterministic, visibly not the value.
std::string Pseudo(std::string_view value) { return "p-" + std::to_string(value.size()); }

json::object Party(const std::string& id) {
  return {{"id", id},
          {"name", "Name of " + id},
          {"address",
           {{"street", "Street of " + id},
            {"city", "City"},
            {"postcode", "12345"},
            {"country", "DE"}}}};
}

// A declaration resource as routes.cc renders it in full, every optional member present, plus
// members the table has never heard of.
json::object FullResource() {
  json::object body = ParseJson(declaration::ExampleDeclarationJson()).value().as_object();
  body["consignee"] = Party("DE555555555000005");
  body["invoice"].as_object()["freight"] = "100.00";
  body["invoice"].as_object()["insurance"] = "10.00";
  body["newField"] = "added tomorrow";
  body["goodsItems"].as_array()[0].as_object()["newItemField"] = "added tomorrow";
  // Every array of objects has an element, so that its members' paths appear.
  body["goodsItems"].as_array()[1].as_object()["documents"] =
      json::array{json::object{{"code", "N935"}, {"reference", "INV-2026-0042"}}};
  json::object out{
      {"id", "01J0000000000000000000000"},
      {"version", 1},
      {"status", "accepted"},
      {"channel", "red"},
      {"wcoResponseCode", "12"},
      {"type", "import"},
      {"organisation", "DE987654321000001"},
      {"office", "DE004700"},
      {"hsChapters", json::array{"02", "16"}},
      {"filedBy", "nordfleisch.clerk"},
      {"createdAt", "2026-11-03T10:00:00Z"},
      {"updatedAt", "2026-11-03T10:00:00Z"},
      {"links",
       {{"self", "/v1/declarations/x"},
        {"assessment", "/v1/declarations/x/assessment"},
        {"quote", "/v1/declarations/x/quote"},
        {"secretLink", "/internal"}}},
      {"declaration", std::move(body)},
      {"history", json::array{json::object{{"sequence", 1},
                                           {"version", 1},
                                           {"from", nullptr},
                                           {"to", "submitted"},
                                           {"channel", nullptr},
                                           {"actor", "nordfleisch.clerk"},
                                           {"reason", "filed"},
                                           {"at", "2026-11-03T10:00:00Z"}}}},
      {"allowedActions", json::array{"invalidate"}},
      {"quote",
       {{"currency", "EUR"},
        {"customsDuty", "1.00"},
        {"excise", "0.00"},
        {"vat", "2.00"},
        {"total", "3.00"},
        {"complete", true}}},
      {"internalNote", "never shown"}};
  return out;
}

const DataView kAllViews[] = {DataView::kFiler,   DataView::kOfficer,
                              DataView::kRiskAnalyst, DataView::kAuditor,
                              DataView::kAdministrator, DataView::kPartner};
const ViewedResource kAllResources[] = {
    ViewedResource::kDeclaration, ViewedResource::kDeclarationList, ViewedResource::kVersions,
    ViewedResource::kAssessment,  ViewedResource::kQuote,           ViewedResource::kReceipt};

TEST(DataViewsTest, EveryViewShowsExactlyItsAllowListAndNothingUnnamed) {
  const json::object full = FullResource();
  for (DataView view : kAllViews) {
    auto shown = Minimise(full, view, ViewedResource::kDeclaration, Pseudo);
    ASSERT_THAT(shown, IsOk()) << DataViewName(view);
    Paths expected = AllowedPaths(view, ViewedResource::kDeclaration);
    expected.insert("view");
    EXPECT_EQ(MemberPaths(*shown), expected) << DataViewName(view);
    EXPECT_EQ(shown->at("view").as_string(), DataViewName(view));
    // Members nobody named are dropped, for the filer too.
    const std::string text = json::serialize(*shown);
    EXPECT_EQ(text.find("added tomorrow"), std::string::npos) << DataViewName(view);
    EXPECT_EQ(text.find("never shown"), std::string::npos) << DataViewName(view);
    EXPECT_EQ(text.find("/internal"), std::string::npos) << DataViewName(view);
  }
}

TEST(DataViewsTest, NoViewSeesMoreThanTheFiler) {
  for (ViewedResource resource : kAllResources) {
    const Paths filer = AllowedPaths(DataView::kFiler, resource);
    for (DataView view : kAllViews) {
      for (const std::string& path : AllowedPaths(view, resource)) {
        // The officer and the risk analyst also see the risk decision the filer never sees.
        if (path.starts_with("risk.") || path == "declarationChannel") continue;
        EXPECT_EQ(filer.count(path), 1u) << DataViewName(view) << " " << path;
      }
    }
  }
}

TEST(DataViewsTest, AuditorsPartnersAndAdministratorsSeeNoPersonalData) {
  // Names, addresses, person identifiers, invoice numbers, container ids, references, and
  // the receipt's records and salts: members ending so, and members of these parties.
  const std::vector<std::string> endings = {".name",    ".street",   ".city",      ".postcode",
                                            "filedBy",  ".actor",    ".number",    "containers",
                                            "reference", ".salt",    ".record"};
  const std::vector<std::string> parties = {".declarant.", ".consignee."};
  for (DataView view : {DataView::kAuditor, DataView::kPartner, DataView::kAdministrator}) {
    for (ViewedResource resource : kAllResources) {
      for (const std::string& path : AllowedPaths(view, resource)) {
        for (const std::string& ending : endings) {
          // The partner agreement includes the transport's containers (docs/data-minimisation.md).
          if (view == DataView::kPartner && ending == "containers") continue;
          EXPECT_FALSE(path.ends_with(ending)) << DataViewName(view) << " sees " << path;
        }
        for (const std::string& party : parties) {
          EXPECT_EQ(("." + path).find(party), std::string::npos)
              << DataViewName(view) << " sees " << path;
        }
      }
    }
  }
  // The auditor sees no party at all, not even its id or the trader organisation.
  for (const std::string& path : AllowedPaths(DataView::kAuditor, ViewedResource::kDeclaration)) {
    EXPECT_FALSE(path.starts_with("declaration.importer") ||
                 path.starts_with("declaration.exporter") || path == "organisation")
        << path;
  }
}

TEST(DataViewsTest, ThePartnerGetsTheAgreedExchangeSubset) {
  // docs/data-minimisation.md, "The exchange agreement": this list is the agreement.
  const Paths agreement = {
      "id", "version", "status", "type", "office", "hsChapters", "createdAt", "updatedAt",
      "links.self", "view",
      "declaration.type", "declaration.procedure", "declaration.office",
      "declaration.importer.id", "declaration.importer.address.country",
      "declaration.exporter.id", "declaration.exporter.address.country",
      "declaration.transport.mode", "declaration.transport.identity",
      "declaration.transport.nationality", "declaration.transport.containers",
      "declaration.invoice.currency", "declaration.invoice.total",
      "declaration.invoice.incoterm", "declaration.invoice.freight",
      "declaration.invoice.insurance",
      "declaration.goodsItems[].sequence", "declaration.goodsItems[].commodityCode",
      "declaration.goodsItems[].description", "declaration.goodsItems[].origin",
      "declaration.goodsItems[].netMass", "declaration.goodsItems[].grossMass",
      "declaration.goodsItems[].quantity.value", "declaration.goodsItems[].quantity.unit",
      "declaration.goodsItems[].price", "declaration.goodsItems[].documents[].code"};
  auto shown = Minimise(FullResource(), DataView::kPartner, ViewedResource::kDeclaration, Pseudo);
  ASSERT_THAT(shown, IsOk());
  EXPECT_EQ(MemberPaths(*shown), agreement);
  // The values come through untouched: the partner matches them against its own records.
  EXPECT_EQ(shown->at("declaration").at("importer").at("id").as_string(), "DE987654321000001");
  EXPECT_EQ(shown->at("declaration").at("transport").at("containers").as_array().size(), 1u);
}

TEST(DataViewsTest, RiskAnalystsSeePseudonymsInsteadOfParties) {
  auto shown =
      Minimise(FullResource(), DataView::kRiskAnalyst, ViewedResource::kDeclaration, Pseudo);
  ASSERT_THAT(shown, IsOk());
  const json::object& body = shown->at("declaration").as_object();
  for (const char* party : {"declarant", "importer", "exporter", "consignee"}) {
    const json::object& seen = body.at(party).as_object();
    EXPECT_TRUE(seen.at("id").as_string().starts_with("p-")) << party;
    EXPECT_FALSE(seen.contains("name")) << party;
    EXPECT_EQ(seen.at("address").as_object().size(), 1u) << party;  // the country only
  }
  EXPECT_TRUE(shown->at("organisation").as_string().starts_with("p-"));
  const std::string text = json::serialize(*shown);
  for (const char* marker : {"DE987654321000001", "Nordfleisch", "Pampas", "MSCU1234566",
                             "INV-2026-0042", "nordfleisch.clerk"}) {
    EXPECT_EQ(text.find(marker), std::string::npos) << marker;
  }
}

TEST(DataViewsTest, ObjectsAreNeverShownWhole) {
  // A member whose value turns into an object where a scalar was listed shows nothing of it.
  json::object full = FullResource();
  full["status"] = json::object{{"hidden", "inside"}};
  auto shown = Minimise(full, DataView::kFiler, ViewedResource::kDeclaration, Pseudo);
  ASSERT_THAT(shown, IsOk());
  EXPECT_EQ(json::serialize(*shown).find("inside"), std::string::npos);
}

TEST(DataViewsTest, ViewsWithoutAResourceAreRefused) {
  const json::object any{{"declarationId", "x"}};
  EXPECT_THAT(Minimise(any, DataView::kPartner, ViewedResource::kAssessment, Pseudo),
              HasReason("forbidden"));
  EXPECT_THAT(Minimise(any, DataView::kPartner, ViewedResource::kQuote, Pseudo),
              HasReason("forbidden"));
  EXPECT_THAT(Minimise(any, DataView::kPartner, ViewedResource::kReceipt, Pseudo),
              HasReason("forbidden"));
  EXPECT_THAT(Minimise(any, DataView::kRiskAnalyst, ViewedResource::kQuote, Pseudo),
              HasReason("forbidden"));
  EXPECT_THAT(Minimise(any, DataView::kRiskAnalyst, ViewedResource::kReceipt, Pseudo),
              HasReason("forbidden"));
  EXPECT_THAT(Minimise(any, DataView::kAuditor, ViewedResource::kReceipt, Pseudo), IsOk());
}

TEST(DataViewsTest, WhoGetsWhichView) {
  const identity::DeclarationScope hamburg{"DE987654321000001", "DE004700"};
  Principal partner{"partner.fr", "FR-DGDDI", Role::kPartner, {"DE004700"}, {}};
  EXPECT_THAT(DataViewFor(partner, hamburg), IsOk());
  EXPECT_EQ(*DataViewFor(partner, hamburg), DataView::kPartner);
  // Outside the offices of its agreement, a partner sees nothing.
  EXPECT_THAT(DataViewFor(partner, {"DE987654321000001", "DE002000"}), HasReason("forbidden"));
  EXPECT_THAT(DataViewFor(partner, hamburg, ViewedResource::kAssessment), HasReason("forbidden"));
  Principal analyst{"risk.analyst", "DE-CUSTOMS", Role::kRiskAnalyst, {}, {}};
  EXPECT_EQ(*DataViewFor(analyst, hamburg), DataView::kRiskAnalyst);
  Principal tariff{"tariff.manager", "DE-CUSTOMS", Role::kTariffManager, {}, {}};
  EXPECT_THAT(DataViewFor(tariff, hamburg), HasReason("forbidden"));
  Principal clerk{"clerk", "DE987654321000001", Role::kDeclarant, {}, {}};
  EXPECT_EQ(*DataViewFor(clerk, hamburg), DataView::kFiler);
  EXPECT_THAT(DataViewFor(clerk, {"FR111", "FR693000"}), HasReason("forbidden"));
  Principal auditor{"auditor", "DE-CUSTOMS", Role::kAuditor, {}, {}};
  EXPECT_EQ(*DataViewFor(auditor, hamburg), DataView::kAuditor);
}

}  // namespace
}  // namespace clearway::app
