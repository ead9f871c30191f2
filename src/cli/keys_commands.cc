#include "cli/keys_commands.h"

#include <sys/stat.h>

#include <filesystem>
#include <iostream>
#include <memory>
#include <string>

#include <boost/json.hpp>

#include "app/config.h"
#include "app/encryption.h"
#include "app/store_factory.h"
#include "cli/key_options.h"
#include "cli/output.h"
#include "common/time.h"
#include "keys/file_key_provider.h"
#include "keys/pkcs11_key_provider.h"
#include "store/encrypting_store.h"

namespace clearway::cli {

namespace {

constexpr int kDone = 0;
constexpr int kRefused = 1;
constexpr int kCannotRun = 2;

[[noreturn]] void Finish(int code) { throw CLI::RuntimeError(code); }

struct KeysFlags {
  KeyFlags keys;          // --config, --key-file, --token, … (cli/key_options.h)
  std::string data_dir;   // the store whose data keys rotate/retire look at
  std::string store_url;
  uint32_t version = 0;
  bool json = false;
};

int ExitCodeFor(const Error& error) {
  switch (error.code) {
    case ErrorCode::kInvalidArgument:
    case ErrorCode::kNotFound:
    case ErrorCode::kUnavailable:
      return kCannotRun;
    default:
      return kRefused;
  }
}

Result<KeySetup> SetupOf(const KeysFlags& f) {
  return KeySetupOf(f.keys, f.data_dir, f.store_url);
}

// OpenDataKeys() opens the store the flags name, behind an EncryptingStore over `provider`;
// nullptr when there is no store yet (an SQLite file not made).
Result<std::unique_ptr<store::EncryptingStore>> OpenDataKeys(const app::StoreConfig& config,
                                                             keys::KeyProvider& provider) {
  if (!app::IsPostgresStore(config) && !std::filesystem::exists(app::SqlitePathOf(config))) {
    return std::unique_ptr<store::EncryptingStore>();
  }
  CW_ASSIGN_OR_RETURN(app::OpenedStore opened,
                      app::OpenStore(config, app::StoreOpenOptions{"clearway-keys", false}));
  return std::make_unique<store::EncryptingStore>(std::move(opened.store), provider,
                                                  store::EncryptingStoreOptions{});
}

// Open the provider the flags (or the --config file) name: the token, else the key file.
Result<std::unique_ptr<keys::KeyProvider>> OpenProvider(const KeySetup& setup,
                                                        const Clock& clock) {
  if (!app::UsesToken(setup.keys) && !setup.keys.key_id.empty()) {
    return Error::InvalidArgument("--key-id", "key-id-with-key-file",
                                  "a key file names its own key id: --key-id goes with init, "
                                  "or with --token");
  }
  return app::OpenKeyProvider(setup.store, setup.keys, clock);
}

Status Init(const KeysFlags& f) {
  SystemClock clock;
  CW_ASSIGN_OR_RETURN(KeySetup setup, SetupOf(f));
  if (app::UsesToken(setup.keys)) {
    keys::Pkcs11Options options = app::TokenOptions(setup.keys);
    CW_ASSIGN_OR_RETURN(auto provider, keys::Pkcs11KeyProvider::Create(options, clock));
    CW_ASSIGN_OR_RETURN(keys::KekRef current, provider->Current());
    std::cout << "created " << current.ToString() << " in token \"" << options.token_label
              << "\": a non-extractable AES-256 key, and the blind-index key beside it\n";
    return OkStatus();
  }
  const std::string path = app::KeyFilePath(setup.store, setup.keys);
  std::filesystem::path dir = std::filesystem::path(path).parent_path();
  if (!dir.empty() && !std::filesystem::exists(dir)) {
    std::error_code ec;
    std::filesystem::create_directories(dir, ec);
    if (ec) {
      return Error::InvalidArgument("--key-file", "key-file-directory",
                                    "cannot create " + dir.string() + ": " + ec.message());
    }
    ::chmod(dir.c_str(), 0700);
  }
  CW_ASSIGN_OR_RETURN(auto provider, keys::FileKeyProvider::Create(
                                         path, setup.keys.key_id.empty() ? "clearway" : setup.keys.key_id, clock));
  CW_ASSIGN_OR_RETURN(keys::KekRef current, provider->Current());
  std::cout << "created key file " << path << " (0600) with " << current.ToString()
            << " and the blind-index key\n"
            << "Back it up as carefully as the data: without it nothing encrypted can be read.\n";
  return OkStatus();
}

Status Rotate(const KeysFlags& f) {
  SystemClock clock;
  CW_ASSIGN_OR_RETURN(KeySetup setup, SetupOf(f));
  CW_ASSIGN_OR_RETURN(auto provider, OpenProvider(setup, clock));
  CW_ASSIGN_OR_RETURN(keys::KekRef made, provider->Rotate());
  std::cout << made.ToString() << " is now current: new data keys are wrapped under it.\n";
  // Re-wrap every stored data key now, online: a running server keeps serving (it reads the
  // new key file on its next call, and unwraps old versions until they are retired). Each key
  // is replaced by a compare-and-set, payloads are not touched.
  CW_ASSIGN_OR_RETURN(auto data_keys, OpenDataKeys(setup.store, *provider));
  if (data_keys == nullptr) {
    std::cout << "no store at " << app::SqlitePathOf(setup.store) << ": no data key to re-wrap\n";
    return OkStatus();
  }
  CW_ASSIGN_OR_RETURN(store::RewrapReport report, data_keys->RewrapDataKeys({}));
  std::cout << "re-wrapped " << report.rewrapped << " data key(s) under "
            << report.current.ToString() << "; " << report.remaining
            << " left under older versions";
  if (report.remaining > 0) {
    std::cout << " (filed during the re-wrap: a running server re-wraps them within a minute)";
  }
  std::cout << ".\nRetire an old version (clearway keys retire N) once none is left under it.\n";
  return OkStatus();
}

Status List(const KeysFlags& f) {
  SystemClock clock;
  CW_ASSIGN_OR_RETURN(KeySetup setup, SetupOf(f));
  CW_ASSIGN_OR_RETURN(auto provider, OpenProvider(setup, clock));
  CW_ASSIGN_OR_RETURN(std::vector<keys::KekVersion> versions, provider->Versions());
  if (f.json) {
    boost::json::array out;
    for (const keys::KekVersion& version : versions) {
      boost::json::object item{{"keyId", version.ref.key_id},
                               {"version", version.ref.version},
                               {"created", FormatTimestamp(version.created)},
                               {"current", version.current}};
      item["retired"] = version.retired.has_value()
                            ? boost::json::value(FormatTimestamp(*version.retired))
                            : boost::json::value(nullptr);
      out.push_back(std::move(item));
    }
    std::cout << PrettyJson(out) << "\n";
    return OkStatus();
  }
  for (const keys::KekVersion& version : versions) {
    std::cout << version.ref.ToString() << "  created " << FormatTimestamp(version.created);
    if (version.retired.has_value()) {
      std::cout << "  retired " << FormatTimestamp(*version.retired);
    }
    if (version.current) std::cout << "  current";
    std::cout << "\n";
  }
  return OkStatus();
}

Status Retire(const KeysFlags& f) {
  SystemClock clock;
  CW_ASSIGN_OR_RETURN(KeySetup setup, SetupOf(f));
  CW_ASSIGN_OR_RETURN(auto provider, OpenProvider(setup, clock));
  CW_ASSIGN_OR_RETURN(keys::KekRef current, provider->Current());
  keys::KekRef target{current.key_id, f.version};
  // Retiring destroys the version: refuse while a stored data key still needs it.
  CW_ASSIGN_OR_RETURN(auto data_keys, OpenDataKeys(setup.store, *provider));
  if (data_keys != nullptr) {
    CW_ASSIGN_OR_RETURN(std::vector<store::KekUsage> usage, data_keys->CountDataKeysByKek());
    for (const store::KekUsage& kek : usage) {
      if (kek.kek_id == target.key_id && kek.kek_version == int64_t{target.version}) {
        return Error::FailedPrecondition(
            "kek-in-use", std::to_string(kek.data_keys) + " data key(s) are still wrapped under " +
                              target.ToString() +
                              "; re-wrap them first (clearway keys rotate, or wait for the "
                              "server's re-wrapper)");
      }
    }
  }
  CW_RETURN_IF_ERROR(provider->Retire(target));
  std::cout << "retired " << target.ToString()
            << ": its key material is destroyed; anything still wrapped under it can no "
               "longer be read\n";
  return OkStatus();
}

void Run(Status (*command)(const KeysFlags&), const KeysFlags& flags) {
  Status status = command(flags);
  Finish(status.ok() ? kDone : Trouble(status.error(), ExitCodeFor(status.error())));
}

}  // namespace

void AddKeysCommands(CLI::App& app) {
  auto flags = std::make_shared<KeysFlags>();
  auto* keys = app.add_subcommand(
      "keys", "Key-encryption keys: init, rotate, list, retire (key file or PKCS#11 token)");
  keys->require_subcommand(1);
  auto* init = keys->add_subcommand("init", "Create the key file (0600), or the key in a token");
  auto* rotate = keys->add_subcommand(
      "rotate", "Make a new key version current (the server re-wraps data keys online)");
  auto* list = keys->add_subcommand("list", "List the key versions (never key material)");
  list->add_flag("--json", flags->json, "Print JSON");
  auto* retire = keys->add_subcommand(
      "retire", "Destroy an old key version (only after its data keys were re-wrapped)");
  retire->add_option("VERSION", flags->version, "The version number, e.g. 1")
      ->required()
      ->check(CLI::PositiveNumber);

  for (CLI::App* cmd : {init, rotate, list, retire}) {
    AddKeyFlags(*cmd, flags->keys);
    cmd->add_option("--data-dir", flags->data_dir,
                    "The data directory (env CLEARWAY_DATA_DIR; default var): its store's data "
                    "keys are re-wrapped by rotate and checked by retire");
    cmd->add_option("--store", flags->store_url,
                    "A postgres:// store instead of DATA_DIR/clearway.db (env CLEARWAY_STORE)");
  }
  init->callback([flags] { Run(Init, *flags); });
  rotate->callback([flags] { Run(Rotate, *flags); });
  list->callback([flags] { Run(List, *flags); });
  retire->callback([flags] { Run(Retire, *flags); });
}

}  // namespace clearway::cli
