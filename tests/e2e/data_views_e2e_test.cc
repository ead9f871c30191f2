// Data minimisation over HTTPS (issue 5): for every role, the exact set of JSON member paths of
// the declaration, the list, the versions and the assessment is the view's allow-list; the
// auditor's, the analyst's and the partner's answers contain none of the parties' marker
// strings; the partner reads the exchange subset of its offices only; refusals are 403 and
// recorded as permission-denied security events.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "app/data_views.h"
#include "declaration/declaration.h"
#include "server_fixture.h"

namespace clearway::e2e {
namespace {

using app::DataView;
using app::ViewedResource;
using Paths = std::set<std::string>;
namespace json = boost::json;

// Unique strings in every party field, the invoice number, references and the vessel.
const std::vector<std::string> kPartyMarkers = {
    "MKR-DECLARANT-NAME", "MKR-DECLARANT-STREET", "MKR-DECLARANT-CITY", "MKRPCDECL",
    "MKR-IMPORTER-NAME",  "MKR-IMPORTER-STREET",  "MKR-IMPORTER-CITY",  "MKRPCIMP",
    "MKR-EXPORTER-NAME",  "MKR-EXPORTER-STREET",  "MKR-EXPORTER-CITY",  "MKRPCEXP",
    "MKR-CONSIGNEE-NAME", "MKR-CONSIGNEE-STREET", "MKR-CONSIGNEE-CITY", "MKRPCCON"};
const std::vector<std::string> kOtherMarkers = {"MKR-INVOICE-0001", "MKR-DOCREF-1",
                                                "MKR-DOCREF-2", "MKR-VESSEL"};
// Party ids (the EORIs): the auditor and the analyst never see them; the partner sees the
// importer's and the exporter's.
const std::string kDeclarantId = "DE123456789012345";  // Hanse Customs Brokers (the demo's)
const std::string kImporterId = "DE987654321000001";   // Nordfleisch (the demo's)
const std::string kExporterId = "ARMKREXPORTER01";
const std::string kConsigneeId = "DEMKRCONSIGNEE1";

json::object MarkedParty(const std::string& id, const std::string& role, const std::string& pc,
                         const std::string& country) {
  return {{"id", id},
          {"name", "MKR-" + role + "-NAME"},
          {"address",
           {{"street", "MKR-" + role + "-STREET"},
            {"city", "MKR-" + role + "-CITY"},
            {"postcode", pc},
            {"country", country}}}};
}

// The sample declaration of docs/example-declaration.json with every optional member present
// and a marker in every party field, filed by the demo broker for Nordfleisch at DE004700.
std::string MarkedDeclaration(const std::string& office) {
  json::object body = ParseJson(declaration::ExampleDeclarationJson()).value().as_object();
  body["office"] = office;
  body["declarant"] = MarkedParty(kDeclarantId, "DECLARANT", "MKRPCDECL", "DE");
  body["importer"] = MarkedParty(kImporterId, "IMPORTER", "MKRPCIMP", "DE");
  body["exporter"] = MarkedParty(kExporterId, "EXPORTER", "MKRPCEXP", "AR");
  body["consignee"] = MarkedParty(kConsigneeId, "CONSIGNEE", "MKRPCCON", "DE");
  body["transport"].as_object()["identity"] = "MKR-VESSEL";
  json::object& invoice = body["invoice"].as_object();
  invoice["number"] = "MKR-INVOICE-0001";
  invoice["freight"] = "1200.00";
  invoice["insurance"] = "150.00";
  json::array& items = body["goodsItems"].as_array();
  items[0].as_object()["documents"] =
      json::array{json::object{{"code", "U004"}, {"reference", "MKR-DOCREF-1"}}};
  items[1].as_object()["documents"] =
      json::array{json::object{{"code", "U004"}, {"reference", "MKR-DOCREF-2"}}};
  return json::serialize(body);
}

class DataViewsE2eTest : public ServerFixture {
 protected:
  void SetUp() override {
    ServerFixture::SetUp();
    if (HasFatalFailure()) return;
    client_ = Client();
    ASSERT_NE(client_, nullptr);
    // A partner administration: its service account covers the Hamburg office only.
    AddPartner("partner.fr", {"DE004700"}, "declarations:read ledger:read");
    if (HasFatalFailure()) return;
    hamburg_ = File(MarkedDeclaration("DE004700"));
    lyon_office_ = File(MarkedDeclaration("FR693000"));
    ASSERT_FALSE(hamburg_.empty());
    ASSERT_FALSE(lyon_office_.empty());
  }

  std::string File(const std::string& body) {
    auto filed = Send(*client_, "hanse.broker", "POST", "/v1/declarations", body);
    EXPECT_EQ(filed.status, 201) << filed.body;
    auto json = Json(filed);
    return json.contains("id") ? std::string(json["id"].as_string()) : "";
  }

  // Get() fetches `path` as `user`, expecting 200, and returns the answer's text and paths.
  std::pair<std::string, Paths> Get(const std::string& user, const std::string& path) {
    auto answer = Send(*client_, user, "GET", path);
    EXPECT_EQ(answer.status, 200) << user << " " << path << ": " << answer.body;
    auto parsed = ParseJson(answer.body);
    return {answer.body, parsed.ok() ? app::MemberPaths(*parsed) : Paths{}};
  }

  static Paths Expected(DataView view, ViewedResource resource) {
    Paths paths = app::AllowedPaths(view, resource);
    paths.insert("view");
    return paths;
  }

  size_t Denied() { return runtime_->security_log().Counts()["permission-denied/denied"]; }

  std::unique_ptr<api::HttpsClient> client_;
  std::string hamburg_;      // at DE004700, which the partner's agreement covers
  std::string lyon_office_;  // the same trader at FR693000, which it does not
};

// Which user reads through which view (the demo's users, and the partner's service account).
const std::vector<std::pair<std::string, DataView>> kReaders = {
    {"hanse.broker", DataView::kFiler},      {"nordfleisch.clerk", DataView::kFiler},
    {"officer.hamburg", DataView::kOfficer}, {"risk.analyst", DataView::kRiskAnalyst},
    {"auditor", DataView::kAuditor},         {"admin", DataView::kAdministrator},
    {"partner.fr", DataView::kPartner}};

TEST_F(DataViewsE2eTest, EachRoleGetsExactlyItsViewOfTheDeclaration) {
  const std::string path = "/v1/declarations/" + hamburg_;
  for (const auto& [user, view] : kReaders) {
    auto [text, paths] = Get(user, path);
    EXPECT_EQ(paths, Expected(view, ViewedResource::kDeclaration)) << user;
    EXPECT_NE(text.find("\"view\":\"" + std::string(app::DataViewName(view)) + "\""),
              std::string::npos)
        << user;
  }
}

TEST_F(DataViewsE2eTest, EachRoleGetsExactlyItsViewOfListsAndVersions) {
  for (const auto& [user, view] : kReaders) {
    auto [list, list_paths] = Get(user, "/v1/declarations?limit=500");
    EXPECT_EQ(list_paths, Expected(view, ViewedResource::kDeclarationList)) << user;
    auto [versions, version_paths] = Get(user, "/v1/declarations/" + hamburg_ + "/versions");
    EXPECT_EQ(version_paths, Expected(view, ViewedResource::kVersions)) << user;
  }
  // The partner's list holds the declarations of its offices only.
  auto page = Json(Send(*client_, "partner.fr", "GET", "/v1/declarations?limit=500"));
  std::set<std::string> seen;
  for (const auto& item : page["items"].as_array()) {
    seen.insert(std::string(item.as_object().at("id").as_string()));
  }
  EXPECT_EQ(seen, (std::set<std::string>{hamburg_}));
}

// Some members of an assessment exclude others (a quote's status has a reason only when there
// is no quote; measures applied may be none), so the expected paths are those of the full
// rendering, straight from the service, that the allow-list names (or leads to, for empty
// arrays and nulls).
TEST_F(DataViewsE2eTest, EachRoleGetsExactlyItsViewOfTheAssessment) {
  const identity::Principal officer{"officer.hamburg", "DE-CUSTOMS", identity::Role::kOfficer,
                                    {"DE004700"}, {}};
  auto found = runtime_->declarations().GetAssessment(officer, hamburg_, std::nullopt);
  ASSERT_THAT(found, clearway::testing::IsOk());
  const Paths full = app::MemberPaths(
      app::AssessmentJson(found->assessment, found->declaration, app::AssessmentView::kFull));
  const std::string path = "/v1/declarations/" + hamburg_ + "/assessment";
  for (const auto& [user, view] : kReaders) {
    if (view == DataView::kPartner) continue;  // refused: below
    const Paths allowed = app::AllowedPaths(view, ViewedResource::kAssessment);
    Paths expected = {"view"};
    for (const std::string& member : full) {
      bool leads = false;
      for (const std::string& listed : allowed) {
        leads = leads || listed.starts_with(member + ".") || listed.starts_with(member + "[");
      }
      if (allowed.count(member) == 1 || leads) expected.insert(member);
    }
    auto [text, paths] = Get(user, path);
    EXPECT_EQ(paths, expected) << user;
    EXPECT_GE(paths.size(), 6u) << user;
  }
}

TEST_F(DataViewsE2eTest, MinimisedViewsCarryNoPartyMarkers) {
  const std::string base = "/v1/declarations/" + hamburg_;
  const std::vector<std::string> paths = {base, base + "/versions", base + "/assessment",
                                          "/v1/declarations?limit=500"};
  for (const std::string user : {"auditor", "risk.analyst", "admin", "partner.fr"}) {
    std::vector<std::string> answers;
    for (const std::string& path : paths) {
      if (user == "partner.fr" && path == base + "/assessment") continue;
      answers.push_back(Get(user, path).first);
    }
    if (user == "auditor" || user == "admin") {
      answers.push_back(Get(user, base + "/quote").first);
      answers.push_back(Get(user, base + "/receipt").first);
    }
    for (const std::string& text : answers) {
      for (const std::string& marker : kPartyMarkers) {
        EXPECT_EQ(text.find(marker), std::string::npos) << user << " sees " << marker;
      }
      for (const std::string& marker : kOtherMarkers) {
        // The partner's agreement includes the vessel's identity.
        if (user == "partner.fr" && marker == "MKR-VESSEL") continue;
        EXPECT_EQ(text.find(marker), std::string::npos) << user << " sees " << marker;
      }
      for (const std::string& id : {kDeclarantId, kConsigneeId}) {
        EXPECT_EQ(text.find(id), std::string::npos) << user << " sees " << id;
      }
      if (user != "partner.fr") {
        for (const std::string& id : {kImporterId, kExporterId}) {
          if (user == "admin" && id == kImporterId) continue;  // its tenant, as metadata
          EXPECT_EQ(text.find(id), std::string::npos) << user << " sees " << id;
        }
      }
    }
  }
  // The filer sees what it filed; the officer everything control needs.
  for (const std::string user : {"hanse.broker", "officer.hamburg"}) {
    const std::string text = Get(user, base).first;
    for (const std::string& marker : kPartyMarkers) {
      EXPECT_NE(text.find(marker), std::string::npos) << user << " misses " << marker;
    }
  }
}

TEST_F(DataViewsE2eTest, RiskAnalystsFollowPartiesByPseudonym) {
  auto first = Json(Send(*client_, "risk.analyst", "GET", "/v1/declarations/" + hamburg_));
  auto second = Json(Send(*client_, "risk.analyst", "GET", "/v1/declarations/" + lyon_office_));
  const auto& a = first["declaration"].as_object().at("importer").as_object().at("id");
  const auto& b = second["declaration"].as_object().at("importer").as_object().at("id");
  EXPECT_TRUE(a.as_string().starts_with("p-")) << a;
  EXPECT_EQ(a.as_string().size(), 34u);
  EXPECT_EQ(a, b);  // the same importer, the same pseudonym
  EXPECT_NE(first["declaration"].as_object().at("exporter").as_object().at("id"), a);
  EXPECT_EQ(first["organisation"], a);  // the tenant is the importer
}

TEST_F(DataViewsE2eTest, RefusalsAre403AndRecorded) {
  struct Refusal {
    std::string user;
    std::string path;
  };
  const std::string hamburg = "/v1/declarations/" + hamburg_;
  const std::vector<Refusal> refusals = {
      {"partner.fr", "/v1/declarations/" + lyon_office_},  // outside its offices
      {"partner.fr", "/v1/declarations/" + lyon_office_ + "/versions"},
      {"partner.fr", hamburg + "/assessment"},  // not in the exchange agreement
      {"partner.fr", hamburg + "/quote"},
      {"partner.fr", hamburg + "/receipt"},
      {"risk.analyst", hamburg + "/quote"},  // carry the full record
      {"risk.analyst", hamburg + "/receipt"},
      {"tariff.manager", hamburg},
      {"tariff.manager", "/v1/declarations"},
  };
  for (const Refusal& refusal : refusals) {
    const size_t before = Denied();
    auto answer = Send(*client_, refusal.user, "GET", refusal.path);
    EXPECT_EQ(answer.status, 403) << refusal.user << " " << refusal.path << ": " << answer.body;
    EXPECT_EQ(Json(answer)["reason"].as_string(), "forbidden") << refusal.path;
    EXPECT_EQ(Json(answer)["detail"].as_string(), "you are not allowed to do this");
    EXPECT_EQ(Denied(), before + 1) << refusal.user << " " << refusal.path;
  }
  // A partner cannot change anything, even with a token that would allow it.
  auto filed = Send(*client_, "partner.fr", "POST", "/v1/declarations",
                    MarkedDeclaration("DE004700"));
  EXPECT_EQ(filed.status, 403) << filed.body;
}

}  // namespace
}  // namespace clearway::e2e
