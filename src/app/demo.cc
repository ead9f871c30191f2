#include "app/demo.h"

#include <filesystem>

#include "app/demo_risk.h"
#include "app/files.h"
#include "app/ledger_key.h"
#include "identity/totp.h"
#include "app/samples.h"
#include "common/json.h"
#include "crypto/crypto.h"

namespace clearway::app {

namespace {

// The partner administration whose witness the demo ledger trusts.
constexpr std::string_view kDemoWitnessName = "witness.partner.example";

namespace decl = clearway::declaration;

std::vector<DemoUser> DefaultUsers() {
  return {
      {"nordfleisch.clerk", "", "declarant", Nordfleisch().id, {}, {}, ""},
      {"lyon.clerk", "", "declarant", SoieriesDeLyon().id, {}, {}, ""},
      {"hanse.broker", "", "broker", HanseBrokers().id, {}, {Nordfleisch().id, SoieriesDeLyon().id},
       ""},
      {"officer.hamburg", "", "officer", "DE-CUSTOMS", {"DE004700"}, {}, ""},
      {"officer.lyon", "", "officer", "FR-CUSTOMS", {"FR693000"}, {}, ""},
      {"risk.analyst", "", "risk_analyst", "DE-CUSTOMS", {}, {}, ""},
      {"tariff.manager", "", "tariff_manager", "DE-CUSTOMS", {}, {}, ""},
      {"auditor", "", "auditor", "DE-CUSTOMS", {}, {}, ""},
      {"admin", "", "administrator", "DE-CUSTOMS", {}, {}, ""},
  };
}

boost::json::array ToJsonArray(const std::vector<std::string>& values) {
  boost::json::array out;
  for (const auto& v : values) out.emplace_back(v);
  return out;
}

// Reads passwords from an earlier run's credentials file, so restarts keep them.
Status LoadPasswords(const std::string& path, std::vector<DemoUser>& users) {
  auto text = ReadFile(path);
  if (!text.ok()) return OkStatus();   // first start
  auto parsed = ParseJson(*text);
  if (!parsed.ok() || !parsed->is_array()) {
    return Error::DataLoss("bad-credentials-file", path + " is not a JSON array; delete it");
  }
  for (const auto& entry : parsed->get_array()) {
    if (!entry.is_object()) continue;
    const auto& obj = entry.get_object();
    const auto* name = obj.if_contains("username");
    const auto* password = obj.if_contains("password");
    if (name == nullptr || password == nullptr || !name->is_string() || !password->is_string()) {
      continue;
    }
    const auto* totp = obj.if_contains("totp_secret");
    for (auto& user : users) {
      if (user.username != name->get_string()) continue;
      user.password = std::string(password->get_string());
      if (totp != nullptr && totp->is_string()) user.totp_secret = std::string(totp->get_string());
    }
  }
  return OkStatus();
}

Error Unavailable(const std::string& what, const std::error_code& ec) {
  return Error::Unavailable("data-dir", what + ": " + ec.message());
}

}  // namespace

Result<DemoSetup> PrepareDemo(const std::string& data_dir, int port) {
  DemoSetup setup;
  std::error_code ec;
  std::filesystem::create_directories(data_dir + "/tls", ec);
  if (ec) return Unavailable("cannot create " + data_dir, ec);
  std::filesystem::permissions(data_dir, std::filesystem::perms::owner_all,
                               std::filesystem::perm_options::replace, ec);

  setup.certificate_path = data_dir + "/tls/cert.pem";
  std::string key_path = data_dir + "/tls/key.pem";
  if (!std::filesystem::exists(setup.certificate_path) || !std::filesystem::exists(key_path)) {
    CW_ASSIGN_OR_RETURN(auto cert, crypto::MakeSelfSignedCertificate("localhost", 365));
    CW_RETURN_IF_ERROR(WriteFileAtomic(key_path, cert.private_key_pem, 0600));
    CW_RETURN_IF_ERROR(WriteFileAtomic(setup.certificate_path, cert.certificate_pem, 0644));
    setup.certificate_created = true;
  }

  setup.credentials_path = data_dir + "/demo-credentials.json";
  setup.users = DefaultUsers();
  CW_RETURN_IF_ERROR(LoadPasswords(setup.credentials_path, setup.users));
  boost::json::array credentials;
  for (auto& user : setup.users) {
    if (user.password.empty()) user.password = crypto::RandomToken(15);
    CW_ASSIGN_OR_RETURN(identity::Role role, identity::ParseRole(user.role));
    const bool needs_mfa = role != identity::Role::kDeclarant && role != identity::Role::kBroker;
    if (needs_mfa && user.totp_secret.empty()) {
      user.totp_secret = identity::Base32Encode(
          identity::GenerateTotpSecret(identity::TotpAlgorithm::kSha1));
    }
    boost::json::object entry{{"username", user.username},
                              {"password", user.password},
                              {"role", user.role},
                              {"organisation", user.organisation},
                              {"offices", ToJsonArray(user.offices)},
                              {"represented", ToJsonArray(user.represented)}};
    if (!user.totp_secret.empty()) entry["totp_secret"] = user.totp_secret;
    credentials.push_back(std::move(entry));
  }
  CW_RETURN_IF_ERROR(WriteFileAtomic(setup.credentials_path,
                                     boost::json::serialize(credentials) + "\n", 0600));

  Config& config = setup.config;
  config.demo = true;
  config.server.port = port;
  config.server.tls_certificate = setup.certificate_path;
  config.server.tls_private_key = key_path;
  config.store.data_dir = data_dir;
  // The demo's risk policy (docs/risk.md): no random selection, so a demo filing gets the
  // same channel on every run; [risk] random_rate sets it for real offices.
  config.risk.default_policy.random_rate = 0;
  for (const auto& user : setup.users) {
    identity::UserRecord record;
    record.principal.user_id = user.username;
    record.principal.organisation_id = user.organisation;
    CW_ASSIGN_OR_RETURN(record.principal.role, identity::ParseRole(user.role));
    record.principal.offices = user.offices;
    record.principal.represented = user.represented;
    CW_ASSIGN_OR_RETURN(record.password_hash, crypto::HashPassword(user.password));
    config.users.push_back(std::move(record));
  }

  std::filesystem::create_directories(data_dir + "/witness", ec);
  if (ec) return Unavailable("cannot create " + data_dir + "/witness", ec);
  setup.witness_key_path = data_dir + "/witness/key";
  CW_ASSIGN_OR_RETURN(LedgerKey witness,
                      LoadOrCreateWitnessKey(setup.witness_key_path, kDemoWitnessName));
  setup.ledger.witnesses.push_back(ledger::FormatVerifierKey(witness.verifier_key));
  return setup;
}

Status SeedDemoIdentity(Runtime& runtime, const DemoSetup& setup) {
  identity::IdentityStore& directory = runtime.directory();
  for (const DemoUser& user : setup.users) {
    if (user.totp_secret.empty()) continue;
    CW_ASSIGN_OR_RETURN(identity::StoredUser stored, directory.GetUser(user.username));
    if (stored.totp.has_value() && stored.totp->confirmed) continue;
    CW_ASSIGN_OR_RETURN(std::vector<uint8_t> secret, identity::Base32Decode(user.totp_secret));
    identity::TotpFactor factor;
    factor.secret = std::move(secret);
    factor.confirmed = true;
    CW_RETURN_IF_ERROR(directory.SetTotp(user.username, factor));
  }
  return OkStatus();
}

Result<bool> DemoCredentialsMatch(Runtime& runtime, const DemoSetup& setup) {
  if (setup.users.empty()) return true;
  const DemoUser& first = setup.users.front();
  CW_ASSIGN_OR_RETURN(identity::StoredUser stored, runtime.directory().GetUser(first.username));
  return crypto::VerifyPassword(stored.password_hash, first.password);
}

Result<int> SeedDemo(Runtime& runtime) {
  CW_RETURN_IF_ERROR(tariff::SeedDemoTariff(runtime.tariff(), runtime.clock().Now()));  // idempotent
  CW_RETURN_IF_ERROR(SeedDemoRisk(runtime));  // model, history, profiles (app/demo_risk.h)
  CW_ASSIGN_OR_RETURN(int64_t existing, runtime.store().CountDeclarations());
  if (existing > 0) return 0;
  auto principal_of = [&](std::string_view username) -> identity::Principal {
    for (const auto& user : runtime.config().users) {
      if (user.principal.user_id == username) return user.principal;
    }
    CW_CHECK(false);   // DefaultUsers() and this list are written together
    return {};
  };
  Renderer render = [](const DeclarationRecord& record) {
    return StoredResponse{201, "", record.row.id};
  };
  DeclarationService& service = runtime.declarations();
  struct Plan {
    std::string_view filer;
    SampleParty declarant;
    SampleParty importer;
    std::string_view office;
    std::vector<std::pair<decl::Action, std::string_view>> decisions;
    std::string_view officer;
  };
  std::vector<Plan> plans = {
      {"nordfleisch.clerk", Nordfleisch(), Nordfleisch(), "DE004700",
       {{decl::Action::kRouteGreen, "low risk"}}, "officer.hamburg"},
      {"hanse.broker", HanseBrokers(), Nordfleisch(), "DE004700",
       {{decl::Action::kRouteRed, "physical check of frozen meat temperature"},
        {decl::Action::kHold, "temperature log missing"}}, "officer.hamburg"},
      {"hanse.broker", HanseBrokers(), Nordfleisch(), "DE004700", {}, ""},
      {"lyon.clerk", SoieriesDeLyon(), SoieriesDeLyon(), "FR693000",
       {{decl::Action::kRouteYellow, "check proof of origin"},
        {decl::Action::kRelease, "documents in order"}}, "officer.lyon"},
      {"lyon.clerk", SoieriesDeLyon(), SoieriesDeLyon(), "FR693000", {}, ""},
      {"hanse.broker", HanseBrokers(), SoieriesDeLyon(), "FR693000", {}, ""},
  };
  int filed = 0;
  uint64_t seed = 1;
  for (const auto& plan : plans) {
    SampleSpec spec;
    spec.declarant = plan.declarant;
    spec.importer = plan.importer;
    spec.office = std::string(plan.office);
    spec.items = 1 + static_cast<int>(seed % 4);
    spec.seed = seed++;
    spec.invoice_date = FormatDate(DateOf(runtime.clock().Now()));
    CW_ASSIGN_OR_RETURN(auto outcome, service.File(principal_of(plan.filer),
                                                   MakeSampleDeclaration(spec), false, nullptr,
                                                   render));
    ++filed;
    for (const auto& [action, reason] : plan.decisions) {
      // The risk engine routes at filing: a scripted route it already took is skipped.
      if (!DemoDecisionApplies(runtime, outcome.response.resource_id, action)) continue;
      CW_ASSIGN_OR_RETURN(auto decided,
                          service.Act(principal_of(plan.officer), outcome.response.resource_id,
                                      action, std::string(reason), nullptr, render));
      (void)decided;
    }
  }
  return filed;
}

}  // namespace clearway::app
