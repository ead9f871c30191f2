#include "cli/user_commands.h"

#include <cstdlib>
#include <filesystem>
#include <iostream>
#include <memory>
#include <string>
#include <vector>

#include <boost/json.hpp>
#include <pwd.h>
#include <unistd.h>

#include "app/config.h"
#include "app/store_factory.h"
#include "cli/output.h"
#include "common/time.h"
#include "crypto/crypto.h"
#include "identity/directory.h"
#include "identity/password_policy.h"
#include "identity/recovery_codes.h"
#include "identity/security_event.h"
#include "identity/sqlite/sqlite_identity_store.h"
#include "store/ledger_records.h"
#include "store/sqlite/sqlite_store.h"

namespace clearway::cli {

namespace {

using identity::IdentityStore;
using identity::Organisation;
using identity::OrganisationKind;
using identity::Role;
using identity::StoredUser;

constexpr int kDone = 0;
constexpr int kRefused = 1;
constexpr int kCannotRun = 2;

[[noreturn]] void Finish(int code) { throw CLI::RuntimeError(code); }

struct UserFlags {
  std::string data_dir = "var";
  std::string store_url;  // --store / CLEARWAY_STORE: postgres://… shares the directory
  std::string id;  // organisation id or username, the positional argument
  std::string name;
  std::string kind;
  bool require_mfa = false;
  bool json = false;
  std::string trader;
  std::string broker;
  std::string from;
  std::string to;
  std::string organisation;
  std::string role;
  std::vector<std::string> offices;
  bool service_account = false;
};

int Trouble(const Error& error) {
  std::cerr << "clearway: " << error.message;
  if (!error.field_path.empty()) std::cerr << " [" << error.field_path << "]";
  if (!error.reason.empty()) std::cerr << " (" << error.reason << ")";
  std::cerr << "\n";
  return error.code == ErrorCode::kInvalidArgument || error.code == ErrorCode::kNotFound
             ? kCannotRun
             : kRefused;
}

// The store configuration the flags name (--data-dir, --store).
Result<app::StoreConfig> StoreConfigOf(const UserFlags& f) {
  return StoreConfigOfFlags(f.data_dir, f.store_url);
}

// The directory of --store postgres://… (its identity tables, made when missing), or else of
// --data-dir: `create` makes the directory and database (org add), otherwise the database must
// exist already.
Result<std::unique_ptr<IdentityStore>> OpenStore(const UserFlags& f, bool create) {
  CW_ASSIGN_OR_RETURN(app::StoreConfig config, StoreConfigOf(f));
  if (app::IsPostgresStore(config)) return app::OpenIdentityDirectory(config, "clearway-cli");
  std::string path = f.data_dir + "/identity.db";
  std::error_code ec;
  if (create) {
    std::filesystem::create_directories(f.data_dir, ec);
  } else if (!std::filesystem::exists(path, ec)) {
    return Error::NotFound("no-identity-store",
                           "no identity database at " + path + ": add an organisation first");
  }
  CW_ASSIGN_OR_RETURN(auto store, identity::sqlite::SqliteIdentityStore::Open(path));
  return std::unique_ptr<IdentityStore>(std::move(store));
}

// A date (midnight UTC) or an RFC 3339 timestamp.
Result<Timestamp> TimeFlag(const std::string& text, const char* flag) {
  if (auto date = ParseDate(text); date.ok()) return Timestamp(std::chrono::sys_days(*date));
  if (auto at = ParseTimestamp(text); at.ok()) return *at;
  return Error::InvalidArgument(flag, "bad-date", "use YYYY-MM-DD or an RFC 3339 timestamp");
}

// Which roles an organisation of each kind may hold; partner administrations only have
// service accounts (they call the exchange API, nobody signs in for them).
Status CheckRoleFits(const StoredUser& user, const Organisation& organisation) {
  bool customs_role = user.role != Role::kDeclarant && user.role != Role::kBroker &&
                      user.role != Role::kPartner;
  bool fits = false;
  switch (organisation.kind) {
    case OrganisationKind::kTrader:
      fits = user.role == Role::kDeclarant;
      break;
    case OrganisationKind::kBroker:
      fits = user.role == Role::kBroker || user.role == Role::kDeclarant;
      break;
    case OrganisationKind::kCustomsAdministration:
      fits = customs_role;
      break;
    case OrganisationKind::kPartnerAdministration:
      // Only the partner role: any other would read beyond the exchange agreement.
      fits = user.service_account && user.role == Role::kPartner;
      break;
  }
  if (fits) return OkStatus();
  return Error::InvalidArgument(
      "role", "role-not-for-organisation",
      std::string(identity::OrganisationKindName(organisation.kind)) +
          " organisations cannot have users with role " +
          std::string(identity::RoleName(user.role)) +
          (organisation.kind == OrganisationKind::kPartnerAdministration
               ? " (partner administrations have service accounts with role partner only)"
               : ""));
}

// LocalActor() names who changed the directory from this machine: "local:<OS user>", since
// offline commands run with the files' owner's rights and no Clearway session.
std::string LocalActor() {
  const struct passwd* entry = getpwuid(geteuid());
  std::string name = entry != nullptr && entry->pw_name != nullptr ? entry->pw_name
                                                                    : std::to_string(geteuid());
  return "local:" + name;
}

// RecordChange() writes a security event for a change to the directory into the security event
// log of the store (with its ledger leaf): the PostgreSQL store of --store, or the SQLite store
// (DATA_DIR/clearway.db, or --store sqlite:PATH) when that file exists. The servers, if they run, see it there; both
// backends assign leaf indices inside their write transaction (PostgreSQL under the append
// lock every node takes), so another process appending is safe.
Status RecordChange(const UserFlags& f, identity::SecurityEventType type,
                    const std::string& subject,
                    std::vector<std::pair<std::string, std::string>> details = {}) {
  CW_ASSIGN_OR_RETURN(app::StoreConfig config, StoreConfigOf(f));
  const bool postgres = app::IsPostgresStore(config);
  const std::string path = app::SqlitePathOf(config);  // DATA_DIR/clearway.db or sqlite:PATH
  std::error_code ec;
  if (!postgres && !std::filesystem::exists(path, ec)) return OkStatus();  // nothing to log to
  identity::SecurityEvent event;
  event.time = SystemClock().Now();
  event.id = identity::NewSecurityEventId(event.time);
  event.type = type;
  event.outcome = identity::SecurityOutcome::kSuccess;
  event.actor = LocalActor();
  event.subject = subject;
  for (const auto& [key, value] : details) CW_RETURN_IF_ERROR(event.details.Set(key, value));
  CW_RETURN_IF_ERROR(identity::ValidateSecurityEvent(event));
  store::SecurityEventRow row;
  row.id = event.id;
  row.at = event.time;
  row.type = std::string(identity::SecurityEventTypeName(event.type));
  row.outcome = std::string(identity::SecurityOutcomeName(event.outcome));
  row.actor = event.actor;
  row.event = identity::SecurityEventJson(event);
  std::unique_ptr<store::Store> store;
  if (postgres) {
    CW_ASSIGN_OR_RETURN(app::OpenedStore opened,
                        app::OpenStore(config, app::StoreOpenOptions{"clearway-cli", false}));
    store = std::move(opened.store);
  } else {
    store::sqlite::SqliteOptions options;
    options.path = path;
    options.read_connections = 1;
    CW_ASSIGN_OR_RETURN(store, store::sqlite::SqliteStore::Open(options));
  }
  store::UnitOfWork work;
  work.security_events.push_back(std::move(row));
  store::SealUnit(work);
  Result<store::CommitReceipt> committed = store->Commit(std::move(work));
  if (!committed.ok()) return std::move(committed).error();
  return OkStatus();
}

Result<std::string> ReadPassword() {
  if (const char* env = std::getenv("CLEARWAY_PASSWORD"); env != nullptr) return std::string(env);
  std::string password;
  if (!std::getline(std::cin, password)) {
    return Error::InvalidArgument("password", "password-missing",
                                  "give the password in CLEARWAY_PASSWORD or on standard input");
  }
  if (!password.empty() && password.back() == '\r') password.pop_back();
  return password;
}

std::string MfaState(const StoredUser& user) {
  if (!user.totp.has_value()) return "none";
  return user.totp->confirmed ? "confirmed" : "pending";
}

Status OrgAdd(const UserFlags& f) {
  CW_ASSIGN_OR_RETURN(OrganisationKind kind, identity::ParseOrganisationKind(f.kind));
  if (f.id.empty() || f.name.empty()) {
    return Error::InvalidArgument("ID", "bad-organisation", "give an id and a --name");
  }
  Organisation organisation;
  organisation.id = f.id;
  organisation.name = f.name;
  organisation.kind = kind;
  organisation.require_mfa = f.require_mfa;
  organisation.created_at = SystemClock().Now();
  CW_ASSIGN_OR_RETURN(auto store, OpenStore(f, true));
  CW_RETURN_IF_ERROR(store->AddOrganisation(organisation));
  std::cout << "added " << identity::OrganisationKindName(kind) << " organisation " << f.id
            << (f.require_mfa ? " (MFA required)" : "") << "\n";
  return OkStatus();
}

Status OrgList(const UserFlags& f) {
  CW_ASSIGN_OR_RETURN(auto store, OpenStore(f, false));
  CW_ASSIGN_OR_RETURN(auto organisations, store->ListOrganisations());
  if (f.json) {
    boost::json::array out;
    for (const auto& o : organisations) {
      out.push_back({{"id", o.id},
                     {"name", o.name},
                     {"kind", identity::OrganisationKindName(o.kind)},
                     {"requireMfa", o.require_mfa},
                     {"createdAt", FormatTimestamp(o.created_at)}});
    }
    std::cout << PrettyJson(out) << "\n";
    return OkStatus();
  }
  for (const auto& o : organisations) {
    std::cout << o.id << "  " << identity::OrganisationKindName(o.kind) << "  " << o.name
              << (o.require_mfa ? "  (MFA required)" : "") << "\n";
  }
  std::cout << organisations.size() << " organisations\n";
  return OkStatus();
}

Status DelegationAdd(const UserFlags& f) {
  identity::Delegation delegation;
  delegation.trader_id = f.trader;
  delegation.broker_id = f.broker;
  delegation.valid_from = SystemClock().Now();
  if (!f.from.empty()) {
    CW_ASSIGN_OR_RETURN(delegation.valid_from, TimeFlag(f.from, "--from"));
  }
  if (!f.to.empty()) {
    CW_ASSIGN_OR_RETURN(Timestamp to, TimeFlag(f.to, "--to"));
    delegation.valid_to = to;
  }
  CW_ASSIGN_OR_RETURN(auto store, OpenStore(f, false));
  CW_RETURN_IF_ERROR(store->AddDelegation(delegation));
  std::cout << "broker " << f.broker << " may file for " << f.trader << " from "
            << FormatTimestamp(delegation.valid_from) << " until "
            << (delegation.valid_to ? FormatTimestamp(*delegation.valid_to) : "revoked") << "\n";
  return OkStatus();
}

Status UserAdd(const UserFlags& f) {
  if (!identity::IsValidUsername(f.id)) {
    return Error::InvalidArgument("USERNAME", "bad-username",
                                  "a username is 3 to 64 of a-z 0-9 . - _, starting with a "
                                  "letter or digit");
  }
  StoredUser user;
  user.username = f.id;
  user.organisation_id = f.organisation;
  CW_ASSIGN_OR_RETURN(user.role, identity::ParseRole(f.role));
  user.offices = f.offices;
  user.service_account = f.service_account;
  user.created_at = SystemClock().Now();
  CW_ASSIGN_OR_RETURN(auto store, OpenStore(f, false));
  CW_ASSIGN_OR_RETURN(Organisation organisation, store->GetOrganisation(f.organisation));
  CW_RETURN_IF_ERROR(CheckRoleFits(user, organisation));
  if (!user.service_account) {
    CW_ASSIGN_OR_RETURN(std::string password, ReadPassword());
    CW_RETURN_IF_ERROR(identity::PasswordPolicy().Check(password, user.username));
    CW_ASSIGN_OR_RETURN(user.password_hash, crypto::HashPassword(password));
  }
  CW_RETURN_IF_ERROR(store->AddUser(user));
  CW_RETURN_IF_ERROR(RecordChange(f, identity::SecurityEventType::kUserCreated, user.username,
                                  {{"role", std::string(identity::RoleName(user.role))},
                                   {"organisation", user.organisation_id}}));
  std::cout << "added " << (user.service_account ? "service account " : "user ") << user.username
            << " (" << identity::RoleName(user.role) << " of " << user.organisation_id << ")";
  if (!user.service_account && identity::MfaRequired(user, organisation)) {
    std::cout << "; MFA is required: the user enrols an authenticator at first sign-in";
  }
  std::cout << "\n";
  return OkStatus();
}

Status UserList(const UserFlags& f) {
  CW_ASSIGN_OR_RETURN(auto store, OpenStore(f, false));
  CW_ASSIGN_OR_RETURN(auto users, store->ListUsers(f.organisation));
  if (f.json) {
    boost::json::array out;
    for (const auto& u : users) {
      boost::json::array offices(u.offices.begin(), u.offices.end());
      out.push_back({{"username", u.username},
                     {"organisation", u.organisation_id},
                     {"role", identity::RoleName(u.role)},
                     {"offices", offices},
                     {"serviceAccount", u.service_account},
                     {"disabled", u.disabled},
                     {"mfa", MfaState(u)},
                     {"recoveryCodesLeft", identity::RemainingRecoveryCodes(u.recovery_codes)},
                     {"createdAt", FormatTimestamp(u.created_at)}});
    }
    std::cout << PrettyJson(out) << "\n";
    return OkStatus();
  }
  for (const auto& u : users) {
    std::cout << u.username << "  " << u.organisation_id << "  " << identity::RoleName(u.role);
    for (const auto& office : u.offices) std::cout << " " << office;
    std::cout << "  mfa " << MfaState(u);
    if (u.service_account) std::cout << "  service-account";
    if (u.disabled) std::cout << "  DISABLED";
    std::cout << "\n";
  }
  std::cout << users.size() << " users\n";
  return OkStatus();
}

Status UserDisable(const UserFlags& f) {
  CW_ASSIGN_OR_RETURN(auto store, OpenStore(f, false));
  CW_RETURN_IF_ERROR(store->SetDisabled(f.id, true));
  // A disabled user must not keep working through a session or API token issued earlier.
  CW_ASSIGN_OR_RETURN(size_t revoked, store->RevokeAllForUser(f.id));
  CW_RETURN_IF_ERROR(RecordChange(f, identity::SecurityEventType::kUserDisabled, f.id,
                                  {{"revoked", std::to_string(revoked)}}));
  std::cout << "disabled " << f.id << "; revoked " << revoked << " tokens\n";
  return OkStatus();
}

Status UserEnable(const UserFlags& f) {
  CW_ASSIGN_OR_RETURN(auto store, OpenStore(f, false));
  CW_RETURN_IF_ERROR(store->SetDisabled(f.id, false));
  CW_RETURN_IF_ERROR(RecordChange(f, identity::SecurityEventType::kUserEnabled, f.id));
  std::cout << "enabled " << f.id << "\n";
  return OkStatus();
}

// UserSetRole() gives a user another role (and offices); its sessions and tokens are revoked,
// since they were granted under the old role.
Status UserSetRole(const UserFlags& f) {
  CW_ASSIGN_OR_RETURN(auto store, OpenStore(f, false));
  CW_ASSIGN_OR_RETURN(StoredUser user, store->GetUser(f.id));
  const Role before = user.role;
  CW_ASSIGN_OR_RETURN(user.role, identity::ParseRole(f.role));
  user.offices = f.offices;
  CW_ASSIGN_OR_RETURN(Organisation organisation, store->GetOrganisation(user.organisation_id));
  CW_RETURN_IF_ERROR(CheckRoleFits(user, organisation));
  CW_RETURN_IF_ERROR(store->SetRole(f.id, user.role, user.offices));
  CW_ASSIGN_OR_RETURN(size_t revoked, store->RevokeAllForUser(f.id));
  CW_RETURN_IF_ERROR(RecordChange(f, identity::SecurityEventType::kRoleChanged, f.id,
                                  {{"from", std::string(identity::RoleName(before))},
                                   {"to", std::string(identity::RoleName(user.role))},
                                   {"revoked", std::to_string(revoked)}}));
  std::cout << f.id << " is now " << identity::RoleName(user.role) << "; revoked " << revoked
            << " tokens\n";
  return OkStatus();
}

// UserSetPassword() replaces a user's password (policy-checked, from CLEARWAY_PASSWORD or
// standard input) and revokes its sessions and tokens.
Status UserSetPassword(const UserFlags& f) {
  CW_ASSIGN_OR_RETURN(auto store, OpenStore(f, false));
  CW_ASSIGN_OR_RETURN(StoredUser user, store->GetUser(f.id));
  if (user.service_account) {
    return Error::FailedPrecondition("service-account-password",
                                     "service accounts have no password; issue API tokens");
  }
  CW_ASSIGN_OR_RETURN(std::string password, ReadPassword());
  CW_RETURN_IF_ERROR(identity::PasswordPolicy().Check(password, user.username));
  CW_ASSIGN_OR_RETURN(std::string hash, crypto::HashPassword(password));
  CW_RETURN_IF_ERROR(store->SetPasswordHash(f.id, hash));
  CW_ASSIGN_OR_RETURN(size_t revoked, store->RevokeAllForUser(f.id));
  CW_RETURN_IF_ERROR(RecordChange(f, identity::SecurityEventType::kPasswordChanged, f.id,
                                  {{"revoked", std::to_string(revoked)}}));
  std::cout << "password of " << f.id << " changed; revoked " << revoked << " tokens\n";
  return OkStatus();
}

void Run(Status (*command)(const UserFlags&), const UserFlags& flags) {
  Status status = command(flags);
  Finish(status.ok() ? kDone : Trouble(status.error()));
}

}  // namespace

void AddUserCommands(CLI::App& app) {
  auto flags = std::make_shared<UserFlags>();

  auto* org = app.add_subcommand("org", "Organisations of the identity directory (offline)");
  org->require_subcommand(1);
  auto* org_add = org->add_subcommand("add", "Add a trader, broker, customs or partner");
  org_add->add_option("ID", flags->id, "EORI, or the administration's code")->required();
  org_add->add_option("--name", flags->name, "Name")->required();
  org_add->add_option("--kind", flags->kind, "trader | broker | customs | partner")->required();
  org_add->add_flag("--require-mfa", flags->require_mfa,
                    "Its declarants and brokers must use a second factor");
  auto* org_list = org->add_subcommand("list", "List the organisations");
  org_list->add_flag("--json", flags->json, "Print JSON");

  auto* delegation = app.add_subcommand("delegation", "Traders' delegations to brokers");
  delegation->require_subcommand(1);
  auto* delegation_add =
      delegation->add_subcommand("add", "Let a broker file for a trader over [--from, --to)");
  delegation_add->add_option("--trader", flags->trader, "The trader's id")->required();
  delegation_add->add_option("--broker", flags->broker, "The broker's id")->required();
  delegation_add->add_option("--from", flags->from, "YYYY-MM-DD or RFC 3339 (default now)");
  delegation_add->add_option("--to", flags->to, "End, exclusive (default: until revoked)");

  auto* user = app.add_subcommand("user", "Users and service accounts (offline)");
  user->require_subcommand(1);
  auto* user_add = user->add_subcommand(
      "add", "Add a user (password from CLEARWAY_PASSWORD or standard input)");
  user_add->add_option("USERNAME", flags->id, "a-z 0-9 . - _, 3 to 64")->required();
  user_add->add_option("--org", flags->organisation, "Organisation id")->required();
  user_add->add_option("--role", flags->role,
                       "declarant | broker | officer | risk_analyst | tariff_manager | auditor | "
                       "administrator | partner")
      ->required();
  user_add->add_option("--office", flags->offices,
                       "Customs office worked, or covered by a partner's agreement (repeatable)");
  user_add->add_flag("--service-account", flags->service_account,
                     "A machine: API tokens only, no password");
  auto* user_list = user->add_subcommand("list", "List users (never hashes or secrets)");
  user_list->add_option("--org", flags->organisation, "Only this organisation");
  user_list->add_flag("--json", flags->json, "Print JSON");
  auto* user_disable =
      user->add_subcommand("disable", "Stop a user signing in and revoke its tokens");
  user_disable->add_option("USERNAME", flags->id, "Username")->required();
  auto* user_enable = user->add_subcommand("enable", "Let a disabled user sign in again");
  user_enable->add_option("USERNAME", flags->id, "Username")->required();
  auto* user_set_role =
      user->add_subcommand("set-role", "Give a user another role; revokes its tokens");
  user_set_role->add_option("USERNAME", flags->id, "Username")->required();
  user_set_role->add_option("--role", flags->role, "The new role")->required();
  user_set_role->add_option("--office", flags->offices, "Customs office worked (repeatable)");
  auto* user_set_password = user->add_subcommand(
      "set-password",
      "Replace a password (from CLEARWAY_PASSWORD or standard input); revokes its tokens");
  user_set_password->add_option("USERNAME", flags->id, "Username")->required();

  for (CLI::App* cmd : {org_add, org_list, delegation_add, user_add, user_list, user_disable,
                        user_enable, user_set_role, user_set_password}) {
    cmd->add_option("--data-dir", flags->data_dir, "Data directory holding identity.db")
        ->capture_default_str();
    cmd->add_option("--store", flags->store_url,
                    "Store URL (env CLEARWAY_STORE): postgres://… holds the identity directory "
                    "too; with sqlite:PATH, identity.db stays in --data-dir")
        ->envname("CLEARWAY_STORE");
  }
  org_add->callback([flags] { Run(OrgAdd, *flags); });
  org_list->callback([flags] { Run(OrgList, *flags); });
  delegation_add->callback([flags] { Run(DelegationAdd, *flags); });
  user_add->callback([flags] { Run(UserAdd, *flags); });
  user_list->callback([flags] { Run(UserList, *flags); });
  user_disable->callback([flags] { Run(UserDisable, *flags); });
  user_enable->callback([flags] { Run(UserEnable, *flags); });
  user_set_role->callback([flags] { Run(UserSetRole, *flags); });
  user_set_password->callback([flags] { Run(UserSetPassword, *flags); });
}

}  // namespace clearway::cli
