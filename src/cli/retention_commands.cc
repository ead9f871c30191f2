#include "cli/retention_commands.h"

#include <filesystem>
#include <iostream>
#include <memory>
#include <string>

#include <boost/json.hpp>

#include "app/config.h"
#include "app/encryption.h"
#include "app/files.h"
#include "app/purge_register.h"
#include "app/retention.h"
#include "app/store_factory.h"
#include "cli/key_options.h"
#include "cli/output.h"
#include "common/time.h"
#include "store/encrypting_store.h"

namespace clearway::cli {

namespace {

namespace json = boost::json;

constexpr int kDone = 0;
constexpr int kRefused = 1;
constexpr int kCannotRun = 2;

[[noreturn]] void Finish(int code) { throw CLI::RuntimeError(code); }

struct RetentionFlags {
  std::string data_dir;
  std::string store_url;
  KeyFlags keys;  // --config (also [retention]), --key-file, --token, … (cli/key_options.h)
  std::string at;
  std::string by;
  std::string declaration;
  std::string organisation;
  std::string case_reference;
  std::string reason;
  std::string hold_id;
  bool all = false;
  bool json = false;
};

int ExitCodeFor(const Error& error) {
  switch (error.code) {
    case ErrorCode::kUnavailable:
    case ErrorCode::kDataLoss:
    case ErrorCode::kInternal:
      return kCannotRun;
    default:
      return kRefused;
  }
}

// Context is what every retention command works on: the store behind its EncryptingStore,
// the identity directory (sessions) and the retention service over them.
struct Context {
  app::StoreConfig store_config;
  app::KeysConfig keys;
  SystemClock clock;
  std::unique_ptr<keys::KeyProvider> provider;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<identity::IdentityStore> directory;
  std::unique_ptr<app::PurgeRegister> purges;
  std::unique_ptr<app::RetentionService> service;
};

Result<std::unique_ptr<Context>> OpenContext(const RetentionFlags& f) {
  auto context = std::make_unique<Context>();
  CW_ASSIGN_OR_RETURN(KeySetup setup, KeySetupOf(f.keys, f.data_dir, f.store_url));
  context->store_config = setup.store;
  context->keys = setup.keys;
  app::RetentionConfig retention;
  if (!f.keys.config_path.empty()) {
    CW_ASSIGN_OR_RETURN(std::string text, app::ReadFile(f.keys.config_path));
    CW_ASSIGN_OR_RETURN(retention, app::ParseRetentionConfig(text));
  }
  const app::StoreConfig& config = context->store_config;
  if (!app::IsPostgresStore(config) && !std::filesystem::exists(app::SqlitePathOf(config))) {
    return Error::Unavailable("no-store", "there is no store at " + app::SqlitePathOf(config));
  }
  CW_ASSIGN_OR_RETURN(context->provider,
                      app::OpenKeyProvider(config, context->keys, context->clock));
  CW_ASSIGN_OR_RETURN(app::OpenedStore opened,
                      app::OpenStore(config, app::StoreOpenOptions{"clearway-retention", false}));
  context->store = std::make_unique<store::EncryptingStore>(
      std::move(opened.store), *context->provider, store::EncryptingStoreOptions{});
  CW_ASSIGN_OR_RETURN(context->directory,
                      app::OpenIdentityDirectory(config, "clearway-retention"));
  const std::string register_path = retention.register_path.empty()
                                        ? app::PurgeRegisterPathFor(app::KeyFilePath(config, context->keys))
                                        : retention.register_path;
  context->purges = std::make_unique<app::PurgeRegister>(register_path);
  context->service = std::make_unique<app::RetentionService>(
      *context->store, context->directory.get(), context->clock, retention, nullptr,
      context->purges.get());
  return context;
}

identity::Principal Administrator(const RetentionFlags& f) {
  identity::Principal admin;
  admin.user_id = f.by;
  admin.role = identity::Role::kAdministrator;
  return admin;
}

// AccountableAdministrator() is the principal a purge or a hold is recorded under: `--by` must
// name an enabled administrator of the directory, so the ledger and the hold never name
// someone who could not have done it. kPermissionDenied "not-an-administrator" otherwise.
Result<identity::Principal> AccountableAdministrator(const Context& context,
                                                     const RetentionFlags& f) {
  Error refused = Error::PermissionDenied(
      "not-an-administrator",
      "--by must name an enabled administrator of the directory (clearway user list)");
  if (context.directory == nullptr) return refused;
  auto user = context.directory->GetUser(f.by);
  if (!user.ok()) {
    if (user.error().code == ErrorCode::kNotFound) return refused;
    return user.error();
  }
  if (user->disabled || user->role != identity::Role::kAdministrator) return refused;
  return Administrator(f);
}

std::string HeldBy(const app::PlanItem& item) {
  std::string out;
  for (const std::string& id : item.held_by) out += (out.empty() ? "" : ",") + id;
  return out.empty() ? "-" : out;
}

json::object HoldJson(const store::LegalHold& hold) {
  json::object out{{"id", hold.hold.id},
                   {"scope", hold.hold.scope},
                   {"target", hold.hold.target_id},
                   {"caseReference", hold.hold.case_reference},
                   {"reason", hold.hold.reason},
                   {"placedBy", hold.hold.placed_by},
                   {"placedAt", FormatTimestamp(hold.hold.placed_at)},
                   {"active", hold.active()}};
  if (hold.release.has_value()) {
    out["releasedBy"] = hold.release->released_by;
    out["releasedAt"] = FormatTimestamp(hold.release->released_at);
    out["releaseReason"] = hold.release->reason;
  }
  return out;
}

void PrintHold(const store::LegalHold& hold) {
  std::cout << hold.hold.id << " " << hold.hold.scope << " " << hold.hold.target_id << " case "
            << hold.hold.case_reference << " placed " << FormatTimestamp(hold.hold.placed_at)
            << " by " << hold.hold.placed_by;
  if (hold.release.has_value()) {
    std::cout << " released " << FormatTimestamp(hold.release->released_at) << " by "
              << hold.release->released_by;
  }
  std::cout << "\n";
}

Status Plan(const RetentionFlags& f) {
  CW_ASSIGN_OR_RETURN(auto context, OpenContext(f));
  std::optional<Timestamp> at;
  if (!f.at.empty()) {
    CW_ASSIGN_OR_RETURN(at, ParseTimestamp(f.at));
  }
  identity::Principal reader = Administrator(f);
  if (reader.user_id.empty()) reader.user_id = "cli";
  CW_ASSIGN_OR_RETURN(app::RetentionPlan plan, context->service->Plan(reader, at));
  if (f.json) {
    json::array items;
    for (const app::PlanItem& item : plan.items) {
      json::array held;
      for (const std::string& id : item.held_by) held.push_back(json::value(id));
      items.push_back(json::object{{"class", app::RecordClassName(item.record_class)},
                                   {"id", item.id},
                                   {"closedAt", FormatTimestamp(item.closed_at)},
                                   {"dueAt", FormatTimestamp(item.due_at)},
                                   {"heldBy", std::move(held)},
                                   {"count", item.count}});
    }
    std::cout << PrettyJson(json::object{{"asOf", FormatTimestamp(plan.as_of)},
                                         {"due", plan.due()},
                                         {"held", plan.held()},
                                         {"items", std::move(items)}})
              << "\n";
    return OkStatus();
  }
  std::cout << "retention plan as of " << FormatTimestamp(plan.as_of) << ": " << plan.due()
            << " due, " << plan.held() << " held\n";
  for (const app::PlanItem& item : plan.items) {
    if (item.record_class == app::RecordClass::kSession) {
      std::cout << "session (" << item.count << " ended before "
                << FormatTimestamp(item.closed_at) << ") due " << FormatTimestamp(item.due_at)
                << " held-by -\n";
      continue;
    }
    std::cout << app::RecordClassName(item.record_class) << " " << item.id << " closed "
              << FormatTimestamp(item.closed_at) << " due " << FormatTimestamp(item.due_at)
              << " held-by " << HeldBy(item) << "\n";
  }
  return OkStatus();
}

Status Run(const RetentionFlags& f) {
  CW_ASSIGN_OR_RETURN(auto context, OpenContext(f));
  CW_ASSIGN_OR_RETURN(identity::Principal admin, AccountableAdministrator(*context, f));
  CW_ASSIGN_OR_RETURN(app::RetentionRunReport report, context->service->Run(admin));
  std::cout << "purged " << report.declarations << " declarations (crypto-shredded), "
            << report.security_events << " security events, " << report.sessions
            << " sessions; " << report.held << " kept by legal holds\n";
  for (size_t idx = 0; idx < report.purge_ids.size(); ++idx) {
    std::cout << "purge " << report.purge_ids[idx] << " ledger leaf " << report.leaf_indices[idx]
              << "\n";
  }
  return OkStatus();
}

Status HoldAdd(const RetentionFlags& f) {
  if (f.declaration.empty() == f.organisation.empty()) {
    return Error::InvalidArgument("--declaration", "bad-hold",
                                  "give exactly one of --declaration and --organisation");
  }
  CW_ASSIGN_OR_RETURN(auto context, OpenContext(f));
  app::HoldRequest request;
  request.scope = f.declaration.empty() ? "organisation" : "declaration";
  request.target_id = f.declaration.empty() ? f.organisation : f.declaration;
  request.case_reference = f.case_reference;
  request.reason = f.reason;
  CW_ASSIGN_OR_RETURN(identity::Principal admin, AccountableAdministrator(*context, f));
  CW_ASSIGN_OR_RETURN(store::LegalHold hold, context->service->PlaceHold(admin, request));
  std::cout << "placed legal hold ";
  PrintHold(hold);
  return OkStatus();
}

Status HoldRelease(const RetentionFlags& f) {
  CW_ASSIGN_OR_RETURN(auto context, OpenContext(f));
  CW_ASSIGN_OR_RETURN(identity::Principal admin, AccountableAdministrator(*context, f));
  CW_ASSIGN_OR_RETURN(store::LegalHold hold,
                      context->service->ReleaseHold(admin, f.hold_id, f.reason));
  std::cout << "released legal hold ";
  PrintHold(hold);
  return OkStatus();
}

Status HoldList(const RetentionFlags& f) {
  CW_ASSIGN_OR_RETURN(auto context, OpenContext(f));
  identity::Principal reader = Administrator(f);
  if (reader.user_id.empty()) reader.user_id = "cli";
  CW_ASSIGN_OR_RETURN(std::vector<store::LegalHold> holds,
                      context->service->ListHolds(reader, f.all));
  if (f.json) {
    json::array items;
    for (const store::LegalHold& hold : holds) items.push_back(HoldJson(hold));
    std::cout << PrettyJson(json::object{{"items", std::move(items)}}) << "\n";
    return OkStatus();
  }
  for (const store::LegalHold& hold : holds) PrintHold(hold);
  if (holds.empty()) std::cout << "no legal holds\n";
  return OkStatus();
}

void RunCommand(Status (*command)(const RetentionFlags&), const RetentionFlags& flags) {
  Status status = command(flags);
  Finish(status.ok() ? kDone : Trouble(status.error(), ExitCodeFor(status.error())));
}

}  // namespace

void AddRetentionCommands(CLI::App& app) {
  auto flags = std::make_shared<RetentionFlags>();
  auto* retention = app.add_subcommand(
      "retention", "Retention: plan and run purges (crypto-shredding), legal holds");
  retention->require_subcommand(1);
  auto* plan = retention->add_subcommand("plan", "List what a run would purge, and when");
  plan->add_option("--at", flags->at, "Plan as of this time (RFC 3339; default now)");
  plan->add_flag("--json", flags->json, "Print JSON");
  auto* run = retention->add_subcommand("run", "Purge what is due (crypto-shredding)");
  run->add_option("--by", flags->by, "Who runs it (recorded in the purge)")->required();
  auto* hold = retention->add_subcommand("hold", "Legal holds: add, release, list");
  hold->require_subcommand(1);
  auto* add = hold->add_subcommand("add", "Place a legal hold (suspends retention)");
  add->add_option("--declaration", flags->declaration, "Hold one declaration");
  add->add_option("--organisation", flags->organisation, "Hold every declaration of it");
  add->add_option("--case", flags->case_reference, "The case reference")->required();
  add->add_option("--reason", flags->reason, "Why")->required();
  add->add_option("--by", flags->by, "Who places it")->required();
  auto* release = hold->add_subcommand("release", "Release a legal hold");
  release->add_option("HOLD", flags->hold_id, "The hold id")->required();
  release->add_option("--reason", flags->reason, "Why")->required();
  release->add_option("--by", flags->by, "Who releases it")->required();
  auto* list = hold->add_subcommand("list", "List active legal holds");
  list->add_flag("--all", flags->all, "Include released holds");
  list->add_flag("--json", flags->json, "Print JSON");

  for (CLI::App* cmd : {plan, run, add, release, list}) {
    cmd->add_option("--data-dir", flags->data_dir,
                    "The data directory (env CLEARWAY_DATA_DIR; default var)");
    cmd->add_option("--store", flags->store_url,
                    "A postgres:// store instead of DATA_DIR/clearway.db (env CLEARWAY_STORE)");
    cmd->add_option("--config", flags->keys.config_path,
                    "Configuration file: its [retention], [keys] and [store] tables");
    AddKeyFlags(*cmd, flags->keys, false);
  }
  plan->callback([flags] { RunCommand(Plan, *flags); });
  run->callback([flags] { RunCommand(Run, *flags); });
  add->callback([flags] { RunCommand(HoldAdd, *flags); });
  release->callback([flags] { RunCommand(HoldRelease, *flags); });
  list->callback([flags] { RunCommand(HoldList, *flags); });
}

}  // namespace clearway::cli
