// Retention over HTTPS (issue 5): who may read the plan and the legal holds and who may place,
// release and run; bad input named by field; and, once a declaration's retention period has
// passed (the server's clock moved eleven years on), a purge through the API after which every
// read of that declaration answers 410 `declaration-purged`, the held one stays readable, and
// the ledger still verifies.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <set>
#include <string>
#include <vector>

#include "app/ledger_audit.h"
#include "declaration/declaration.h"
#include "server_fixture.h"

namespace clearway::e2e {
namespace {

using Users = std::set<std::string>;
namespace json = boost::json;

const std::vector<std::string> kEveryone = {
    "nordfleisch.clerk", "lyon.clerk",     "hanse.broker", "officer.hamburg", "officer.lyon",
    "risk.analyst",      "tariff.manager", "auditor",      "admin"};

// OffsetClock is the system clock moved by a whole number of TOTP steps, so that a client can
// still compute the code the server expects.
class OffsetClock final : public Clock {
 public:
  Timestamp Now() const override { return system_.Now() + std::chrono::seconds(offset_s_.load()); }
  void Move(std::chrono::seconds by) { offset_s_.store(by.count()); }
  int64_t Steps() const { return offset_s_.load() / 30; }

 private:
  SystemClock system_;
  std::atomic<int64_t> offset_s_{0};
};

// Eleven years and three leap days: past the demo's ten-year declaration period.
constexpr std::chrono::seconds kElevenYears = std::chrono::days(11 * 365 + 3);

class RetentionE2eTest : public ServerFixture {
 protected:
  void Configure(app::Config& config) override {
    config.retention.interval = std::chrono::seconds(0);  // runs only when asked
  }
  std::unique_ptr<Clock> MakeClock() override {
    auto clock = std::make_unique<OffsetClock>();
    clock_ = clock.get();
    return clock;
  }

  void SetUp() override {
    ServerFixture::SetUp();
    if (HasFatalFailure()) return;
    client_ = Client();
    ASSERT_NE(client_, nullptr);
    // The officers decide; the engine only recommends.
    ASSERT_NE(runtime_->risk(), nullptr);
    runtime_->risk()->set_routing(app::RoutingMode::kRecommend);
  }

  // Released() files the example declaration with invoice number `invoice` as the broker and
  // has the Hamburg officer release it: it closes now.
  std::string Released(const std::string& invoice) {
    json::object body = ParseJson(declaration::ExampleDeclarationJson()).value().as_object();
    body["invoice"].as_object()["number"] = invoice;
    auto filed = Send(*client_, "hanse.broker", "POST", "/v1/declarations", json::serialize(body));
    EXPECT_EQ(filed.status, 201) << filed.body;
    const std::string id = Json(filed).contains("id") ? std::string(Json(filed)["id"].as_string())
                                                      : "";
    auto released = Send(*client_, "officer.hamburg", "POST", "/v1/declarations/" + id + "/decisions",
                         R"({"action":"route_green","reason":"documents checked"})");
    EXPECT_EQ(released.status, 200) << released.body;
    return id;
  }

  // Allowed() is the set of users for whom the request answers `ok`; every other user must
  // get 403 `forbidden`.
  Users Allowed(const std::string& method, const std::string& path, const std::string& body,
                int ok) {
    Users allowed;
    for (const std::string& user : kEveryone) {
      auto response = Send(*client_, user, method, path, body);
      if (response.status == ok) {
        allowed.insert(user);
        continue;
      }
      EXPECT_EQ(response.status, 403) << user << " " << method << " " << path << ": "
                                      << response.body;
      EXPECT_EQ(std::string(Json(response)["reason"].as_string()), "forbidden") << user;
    }
    return allowed;
  }

  // MoveClock() moves the server's time and signs `users` in again at the new time (sessions
  // made before have ended by then).
  void MoveClock(std::chrono::seconds by, const std::vector<std::string>& users) {
    clock_->Move(by);
    std::scoped_lock lock(tokens_mu_);
    tokens_.clear();
    for (const std::string& user : users) {
      json::object credential{{"username", user}, {"password", PasswordOf(user)}};
      if (!TotpSecretOf(user).empty()) {
        auto code = api::CurrentTotp(TotpSecretOf(user), static_cast<int>(clock_->Steps()));
        ASSERT_TRUE(code.ok());
        credential["totp"] = *code;
      }
      auto session = client_->Request("POST", "/v1/sessions", json::serialize(credential), {});
      ASSERT_TRUE(session.ok());
      ASSERT_EQ(session->status, 201) << user << ": " << session->body;
      tokens_[user] = "Bearer " + std::string(Json(*session)["token"].as_string());
    }
  }

  std::string Reason(const api::ClientResponse& response) {
    auto body = Json(response);
    return body.contains("reason") ? std::string(body["reason"].as_string()) : "";
  }

  // Field() is the field the problem's first error names ("" when none).
  std::string Field(const api::ClientResponse& response) {
    auto body = Json(response);
    const json::value* errors = body.if_contains("errors");
    if (errors == nullptr || !errors->is_array() || errors->as_array().empty()) return "";
    const json::value* field = errors->as_array()[0].as_object().if_contains("field");
    return field != nullptr && field->is_string() ? std::string(field->as_string()) : "";
  }

  OffsetClock* clock_ = nullptr;  // owned by the runtime
  std::unique_ptr<api::HttpsClient> client_;
};

TEST_F(RetentionE2eTest, AdministratorsManageAuditorsReadEveryoneElseIsRefused) {
  const std::string id = Released("RET-ROLES-1");
  EXPECT_EQ(Allowed("GET", "/v1/retention/holds", "", 200), (Users{"auditor", "admin"}));
  EXPECT_EQ(Allowed("GET", "/v1/retention/plan", "", 200), (Users{"auditor", "admin"}));
  const std::string hold = R"({"scope":"declaration","target":")" + id +
                           R"(","caseReference":"LG-2031-0042","reason":"court order"})";
  EXPECT_EQ(Allowed("POST", "/v1/retention/holds", hold, 201), (Users{"admin"}));
  auto holds = Json(Send(*client_, "auditor", "GET", "/v1/retention/holds"))["items"].as_array();
  ASSERT_EQ(holds.size(), 1u);  // the administrator's, and no other
  const std::string hold_id = std::string(holds[0].at("id").as_string());
  EXPECT_EQ(std::string(holds[0].at("target").as_string()), id);
  EXPECT_EQ(std::string(holds[0].at("placedBy").as_string()), "admin");
  // Nobody but the administrator releases it or runs a purge (the release is tried by the
  // others first, so it is still active for them to be refused).
  Users releasers;
  for (const std::string& user : kEveryone) {
    if (user == "admin") continue;
    auto refused = Send(*client_, user, "POST", "/v1/retention/holds/" + hold_id + "/release",
                        R"({"reason":"case closed"})");
    EXPECT_EQ(refused.status, 403) << user << ": " << refused.body;
  }
  EXPECT_EQ(Allowed("POST", "/v1/retention/run", "", 200), (Users{"admin"}));
  // Each refusal is a permission-denied security event under the refused user's name.
  auto denied = Json(Send(*client_, "auditor", "GET",
                          "/v1/security/events?type=permission-denied&actor=hanse.broker"));
  std::set<std::string> subjects;
  for (const auto& event : denied["items"].as_array()) {
    subjects.insert(std::string(event.at("subject").as_string()));
  }
  EXPECT_TRUE(subjects.count("/v1/retention/run")) << json::serialize(denied);
  EXPECT_TRUE(subjects.count("/v1/retention/holds")) << json::serialize(denied);
  auto released = Send(*client_, "admin", "POST", "/v1/retention/holds/" + hold_id + "/release",
                       R"({"reason":"case closed"})");
  EXPECT_EQ(released.status, 200) << released.body;
  EXPECT_FALSE(Json(released)["active"].as_bool());
  // Without a session there is nothing to read.
  EXPECT_EQ(Send(*client_, "", "GET", "/v1/retention/plan").status, 401);
}

TEST_F(RetentionE2eTest, BadInputIsNamedAndChangesNothing) {
  const std::string id = Released("RET-BAD-1");
  struct Case {
    std::string body;
    int status;
    std::string reason;
    std::string field;
  };
  const std::vector<Case> cases = {
      {"", 400, "empty-body", ""},
      {"[1,2]", 400, "wrong-type", ""},
      {"{not json", 400, "malformed-json", ""},
      {R"({"scope":"planet","target":")" + id + R"(","caseReference":"C-1","reason":"r"})", 400,
       "bad-hold", "scope"},
      {R"({"scope":"declaration","caseReference":"C-1","reason":"r"})", 400, "bad-hold", "target"},
      {R"({"scope":"declaration","target":")" + id + R"(","reason":"r"})", 400, "bad-hold",
       "caseReference"},
      {R"({"scope":"declaration","target":")" + id + R"(","caseReference":"C-1"})", 400,
       "bad-hold", "reason"},
      {R"({"scope":"declaration","target":")" + id +
           R"(","caseReference":"C-1\u0007","reason":"r"})",
       400, "bad-hold", "caseReference"},
      {R"({"scope":"declaration","target":")" + id +
           R"(","caseReference":"C-1","reason":")" + std::string(5000, 'x') + R"("})",
       400, "bad-hold", "reason"},
      {R"({"scope":"declaration","target":")" + id + R"(","caseReference":7,"reason":"r"})", 400,
       "wrong-type", "caseReference"},
      {R"({"scope":"declaration","target":"01ARZ3NDEKTSV4RRFFQ69G5FAV","caseReference":"C-1","reason":"r"})",
       404, "declaration-not-found", ""},
  };
  for (const Case& c : cases) {
    auto response = Send(*client_, "admin", "POST", "/v1/retention/holds", c.body);
    EXPECT_EQ(response.status, c.status) << c.body << ": " << response.body;
    EXPECT_EQ(Reason(response), c.reason) << c.body << ": " << response.body;
    if (!c.field.empty()) {
      EXPECT_EQ(Field(response), c.field) << response.body;
    }
  }
  // Nothing was placed.
  EXPECT_TRUE(
      Json(Send(*client_, "admin", "GET", "/v1/retention/holds?all=true"))["items"].as_array().empty());
  auto unknown = Send(*client_, "admin", "POST", "/v1/retention/holds/01ARZ3NDEKTSV4RRFFQ69G5FAV/release",
                      R"({"reason":"done"})");
  EXPECT_EQ(unknown.status, 404) << unknown.body;
  EXPECT_EQ(Reason(unknown), "hold-not-found");
  auto all = Send(*client_, "admin", "GET", "/v1/retention/holds?all=maybe");
  EXPECT_EQ(all.status, 400);
  EXPECT_EQ(Reason(all), "bad-parameter");
  auto at = Send(*client_, "auditor", "GET", "/v1/retention/plan?at=yesterday");
  EXPECT_EQ(at.status, 400);
  EXPECT_EQ(Reason(at), "bad-timestamp");
  // A hold released twice: the second is refused and the first release stands.
  auto placed = Send(*client_, "admin", "POST", "/v1/retention/holds",
                     R"({"scope":"organisation","target":"DE987654321000001","caseReference":"C-2","reason":"audit"})");
  ASSERT_EQ(placed.status, 201) << placed.body;
  const std::string hold_id = std::string(Json(placed)["id"].as_string());
  const std::string release = "/v1/retention/holds/" + hold_id + "/release";
  EXPECT_EQ(Send(*client_, "admin", "POST", release, R"({"reason":"closed"})").status, 200);
  auto twice = Send(*client_, "admin", "POST", release, R"({"reason":"again"})");
  EXPECT_EQ(twice.status, 409) << twice.body;
  EXPECT_EQ(Reason(twice), "hold-already-released");
}

TEST_F(RetentionE2eTest, PurgedDeclarationIsGoneFromEveryReadAndTheLedgerStillVerifies) {
  const std::string purged = Released("RET-PURGE-1");
  const std::string held = Released("RET-HELD-1");
  ASSERT_FALSE(purged.empty());
  ASSERT_FALSE(held.empty());
  auto hold = Send(*client_, "admin", "POST", "/v1/retention/holds",
                   R"({"scope":"declaration","target":")" + held +
                       R"(","caseReference":"LG-2037-0001","reason":"appeal pending"})");
  ASSERT_EQ(hold.status, 201) << hold.body;
  // Today nothing is due.
  auto today = Json(Send(*client_, "auditor", "GET", "/v1/retention/plan"));
  EXPECT_EQ(today["due"].as_int64(), 0) << json::serialize(today);

  MoveClock(kElevenYears, {"admin", "auditor", "hanse.broker", "officer.hamburg"});
  if (HasFatalFailure()) return;
  auto plan = Json(Send(*client_, "auditor", "GET", "/v1/retention/plan"));
  std::set<std::string> due;
  std::set<std::string> kept;
  for (const auto& item : plan["items"].as_array()) {
    if (item.at("class").as_string() != "declaration") continue;
    (item.at("heldBy").as_array().empty() ? due : kept)
        .insert(std::string(item.at("id").as_string()));
  }
  EXPECT_EQ(due, (std::set<std::string>{purged})) << json::serialize(plan);
  EXPECT_EQ(kept, (std::set<std::string>{held})) << json::serialize(plan);

  auto run = Send(*client_, "admin", "POST", "/v1/retention/run");
  ASSERT_EQ(run.status, 200) << run.body;
  EXPECT_EQ(Json(run)["declarations"].as_int64(), 1) << run.body;

  // Every read of the purged declaration is 410, for its filer, its officer and the auditor.
  const std::string base = "/v1/declarations/" + purged;
  for (const char* user : {"hanse.broker", "officer.hamburg", "auditor"}) {
    for (const std::string& path : {base, base + "/versions", base + "/assessment",
                                    base + "/quote", base + "/receipt"}) {
      auto gone = Send(*client_, user, "GET", path);
      EXPECT_EQ(gone.status, 410) << user << " " << path << ": " << gone.body;
      EXPECT_EQ(Reason(gone), "declaration-purged") << user << " " << path;
      EXPECT_EQ(gone.body.find("RET-PURGE-1"), std::string::npos);
    }
  }
  // A change to it is refused the same way, and it is in no list or invoice-number search.
  auto amend = Send(*client_, "officer.hamburg", "POST", base + "/decisions",
                    R"({"action":"route_red","reason":"late finding"})");
  EXPECT_EQ(amend.status, 410) << amend.body;
  auto search = Json(Send(*client_, "hanse.broker", "GET", "/v1/declarations?invoiceNumber=RET-PURGE-1"));
  EXPECT_TRUE(search["items"].as_array().empty()) << json::serialize(search);
  auto list = Send(*client_, "hanse.broker", "GET", "/v1/declarations?limit=500");
  EXPECT_EQ(list.body.find(purged), std::string::npos);
  EXPECT_NE(list.body.find(held), std::string::npos);
  // A hold on it now would protect nothing.
  auto late_hold = Send(*client_, "admin", "POST", "/v1/retention/holds",
                        R"({"scope":"declaration","target":")" + purged +
                            R"(","caseReference":"LG-2037-0002","reason":"too late"})");
  EXPECT_EQ(late_hold.status, 410) << late_hold.body;
  EXPECT_EQ(Reason(late_hold), "declaration-purged");
  // The held one is untouched.
  auto kept_read = Send(*client_, "hanse.broker", "GET", "/v1/declarations/" + held);
  EXPECT_EQ(kept_read.status, 200) << kept_read.body;
  EXPECT_NE(kept_read.body.find("RET-HELD-1"), std::string::npos);
  // Running again purges nothing more; the ledger, purge entry included, verifies in full.
  auto again = Send(*client_, "admin", "POST", "/v1/retention/run");
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(Json(again)["declarations"].as_int64(), 0) << again.body;
  ASSERT_THAT(runtime_->ledger().IssueCheckpoint(), clearway::testing::IsOk());
  auto audit = app::AuditLedger(runtime_->store(), runtime_->ledger().verifier_key());
  ASSERT_THAT(audit, clearway::testing::IsOk());
  for (const app::AuditFinding& finding : audit->findings) {
    ADD_FAILURE() << finding.subject << ": " << finding.detail;
  }
  EXPECT_TRUE(audit->clean());
}

}  // namespace
}  // namespace clearway::e2e
