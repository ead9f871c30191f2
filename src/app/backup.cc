#include "app/backup.h"

#include <sys/stat.h>

#include <array>
#include <filesystem>
#include <fstream>
#include <map>
#include <set>
#include <utility>

#include <boost/json.hpp>

#include "app/encryption.h"
#include "app/files.h"
#include "app/ledger_key.h"
#include "app/purge_register.h"
#include "app/store_factory.h"
#include "common/ids.h"
#include "common/json.h"
#include "crypto/crypto.h"
#include "keys/envelope.h"
#include "keys/file_key_provider.h"
#include "store/encrypting_store.h"
#include "store/ledger_records.h"
#include "store/sqlite/backup.h"

namespace clearway::app {

namespace {

namespace fs = std::filesystem;
namespace json = boost::json;

constexpr std::string_view kMagic = "clearway-backup v1\n";
// What a backup may hold: a restore writes nothing else (no paths from the file are trusted).
constexpr std::array<std::string_view, 3> kDatabases = {"clearway.db", "identity.db", "tariff.db"};

Error NotABackup(const std::string& why) {
  return Error::InvalidArgument("--from", "not-a-backup", "not a Clearway backup: " + why);
}

bool Allowed(std::string_view name) {
  if (name == kLedgerKeyFile) return true;
  for (std::string_view db : kDatabases) {
    if (name == db) return true;
  }
  return false;
}

// TempDir is a private (0700) directory removed with everything in it.
class TempDir {
 public:
  static Result<TempDir> Make(const fs::path& beside) {
    std::array<uint8_t, 10> random{};
    crypto::RandomBytes(random);
    fs::path path = beside / (".clearway-backup-" + crypto::ToHex(random));
    std::error_code ec;
    if (!fs::create_directory(path, ec) || ec) {
      return Error::Unavailable("backup-io", "cannot create " + path.string());
    }
    ::chmod(path.c_str(), 0700);
    return TempDir(std::move(path));
  }
  TempDir(TempDir&& other) noexcept : path_(std::exchange(other.path_, {})) {}
  TempDir& operator=(TempDir&&) = delete;
  TempDir(const TempDir&) = delete;
  ~TempDir() {
    if (path_.empty()) return;
    std::error_code ec;
    fs::remove_all(path_, ec);
  }
  const fs::path& path() const { return path_; }

 private:
  explicit TempDir(fs::path path) : path_(std::move(path)) {}
  fs::path path_;
};

Status CopyPrivate(const std::string& from, const fs::path& to) {
  CW_ASSIGN_OR_RETURN(std::string bytes, ReadFile(from));
  return WriteFileAtomic(to.string(), bytes, 0600);
}

// Reapply() purges again, in the restored store, what the register's purge removed and the
// backup still holds.
Result<std::optional<ReappliedPurge>> Reapply(store::Store& restored,
                                              const store::PurgeRow& known,
                                              const Clock& clock) {
  store::PurgeRow purge;
  purge.id = known.id;
  purge.purged_at = clock.Now();
  purge.actor = "restore";
  ReappliedPurge report;
  report.purge_id = known.id;
  for (const store::PurgedDeclaration& declaration : known.declarations) {
    Result<store::DeclarationRow> present =
        restored.GetDeclaration(declaration.declaration_id, std::nullopt);
    if (!present.ok()) continue;  // purged already, or filed after this backup was taken
    purge.declarations.push_back(declaration);
    report.declarations.push_back(declaration.declaration_id);
  }
  if (!known.security_event_ids.empty()) {
    std::set<std::string> wanted(known.security_event_ids.begin(), known.security_event_ids.end());
    store::SecurityEventFilter filter;
    store::PageRequest page;
    page.limit = 500;
    while (!wanted.empty()) {
      CW_ASSIGN_OR_RETURN(store::SecurityEventPage events, restored.ListSecurityEvents(filter, page));
      for (const store::SecurityEventRow& event : events.items) {
        if (wanted.erase(event.id) > 0) {
          purge.security_event_ids.push_back(event.id);
          report.security_events.push_back(event.id);
        }
      }
      if (events.next_cursor.empty()) break;
      page.after_cursor = events.next_cursor;
    }
  }
  if (purge.declarations.empty() && purge.security_event_ids.empty()) return std::nullopt;
  store::UnitOfWork work;
  work.purge = std::move(purge);
  store::SealUnit(work);
  CW_ASSIGN_OR_RETURN(store::CommitReceipt receipt, restored.Commit(std::move(work)));
  static_cast<void>(receipt);
  return report;
}

}  // namespace

Result<BackupReport> WriteBackup(const StoreConfig& config, keys::KeyProvider& provider,
                                 const Clock& clock, const std::string& to) {
  if (IsPostgresStore(config)) {
    return Error::FailedPrecondition(
        "backup-postgres",
        "clearway backup copies SQLite files; back a PostgreSQL store up with pg_basebackup "
        "(physical, with WAL archiving) or pg_dump (docs/keys.md, Backups)");
  }
  if (fs::exists(to)) return Error::AlreadyExists("backup-exists", to + " exists already");
  const fs::path data_dir(config.data_dir);
  fs::path parent = fs::path(to).parent_path();
  if (parent.empty()) parent = ".";
  CW_ASSIGN_OR_RETURN(TempDir scratch, TempDir::Make(parent));

  BackupReport report;
  json::array files;
  std::string payload;
  auto add = [&](std::string_view name, const std::string& bytes) {
    files.push_back(json::object{{"name", name}, {"size", bytes.size()}});
    payload += bytes;
    report.files.emplace_back(name);
  };
  for (std::string_view db : kDatabases) {
    const std::string source =
        db == "clearway.db" ? SqlitePathOf(config) : (data_dir / std::string(db)).string();
    if (!fs::exists(source)) continue;
    const fs::path copy = scratch.path() / std::string(db);
    CW_RETURN_IF_ERROR(store::sqlite::BackupDatabase(source, copy.string()));
    CW_ASSIGN_OR_RETURN(std::string bytes, ReadFile(copy.string()));
    add(db, bytes);
  }
  if (report.files.empty()) {
    return Error::FailedPrecondition("no-store", "there is no store in " + config.data_dir);
  }
  const std::string ledger_key = LedgerKeyPath(config.data_dir);
  if (fs::exists(ledger_key)) {
    CW_ASSIGN_OR_RETURN(std::string bytes, ReadFile(ledger_key));
    add(kLedgerKeyFile, bytes);
  }

  CW_ASSIGN_OR_RETURN(keys::DataKey key, keys::GenerateDataKey());
  CW_ASSIGN_OR_RETURN(keys::WrappedKey wrapped, provider.Wrap(key));
  report.kek = wrapped.kek;
  report.bytes = payload.size();
  json::object header{{"createdAt", FormatTimestamp(clock.Now())},
                      {"files", std::move(files)},
                      {"kekId", wrapped.kek.key_id},
                      {"kekVersion", wrapped.kek.version},
                      {"wrapped", crypto::ToHex(wrapped.bytes)}};
  const std::string header_line = CanonicalJson(header);
  std::vector<uint8_t> sealed =
      keys::Seal(key, keys::AsBytes(payload), keys::AssociatedData(header_line, 1));
  std::string out(kMagic);
  out += header_line;
  out += '\n';
  out.append(sealed.begin(), sealed.end());
  CW_RETURN_IF_ERROR(WriteFileAtomic(to, out, 0600));
  return report;
}

Result<RestoreReport> RestoreBackup(const std::string& from, const std::string& to_dir,
                                    const KeysConfig& keys, const std::string& register_path,
                                    const Clock& clock) {
  const bool token = UsesToken(keys);
  const std::string key_file = KeyFilePath(StoreConfig{}, keys);
  std::error_code ec;
  if (fs::exists(to_dir, ec) && !fs::is_empty(to_dir, ec)) {
    return Error::FailedPrecondition("restore-target-not-empty",
                                     to_dir + " is not empty: restore into a fresh directory");
  }
  CW_ASSIGN_OR_RETURN(std::string file, ReadFile(from));
  if (file.compare(0, kMagic.size(), kMagic) != 0) return NotABackup("no backup header");
  const size_t header_end = file.find('\n', kMagic.size());
  if (header_end == std::string::npos) return NotABackup("truncated header");
  const std::string header_line = file.substr(kMagic.size(), header_end - kMagic.size());
  boost::system::error_code json_ec;
  json::value parsed = json::parse(header_line, json_ec);
  const json::object* header = json_ec ? nullptr : parsed.if_object();
  if (header == nullptr || !header->contains("files") || !header->at("files").is_array() ||
      !header->contains("kekId") || !header->at("kekId").is_string() ||
      !header->contains("kekVersion") || !header->at("kekVersion").is_int64() ||
      !header->contains("wrapped") || !header->at("wrapped").is_string()) {
    return NotABackup("bad header");
  }
  keys::WrappedKey wrapped;
  wrapped.kek.key_id = std::string(header->at("kekId").as_string());
  const int64_t version = header->at("kekVersion").as_int64();
  if (version < 1 || version > 1'000'000) return NotABackup("bad key version");
  wrapped.kek.version = static_cast<uint32_t>(version);
  CW_ASSIGN_OR_RETURN(wrapped.bytes, crypto::FromHex(header->at("wrapped").as_string()));

  CW_ASSIGN_OR_RETURN(auto provider, OpenKeyProvider(StoreConfig{}, keys, clock));
  CW_ASSIGN_OR_RETURN(keys::DataKey key, provider->Unwrap(wrapped));
  const std::string_view sealed = std::string_view(file).substr(header_end + 1);
  CW_ASSIGN_OR_RETURN(std::vector<uint8_t> payload,
                      keys::Open(key, keys::AsBytes(sealed), keys::AssociatedData(header_line, 1)));

  fs::create_directories(to_dir, ec);
  if (ec) return Error::Unavailable("restore-io", "cannot create " + to_dir + ": " + ec.message());
  ::chmod(to_dir.c_str(), 0700);
  RestoreReport report;
  size_t offset = 0;
  for (const json::value& item : header->at("files").as_array()) {
    const json::object* entry = item.if_object();
    if (entry == nullptr || !entry->contains("name") || !entry->at("name").is_string() ||
        !entry->contains("size") || !entry->at("size").is_int64()) {
      return NotABackup("bad file entry");
    }
    const std::string name(entry->at("name").as_string());
    const int64_t size = entry->at("size").as_int64();
    if (!Allowed(name) || size < 0 || static_cast<uint64_t>(size) > payload.size() - offset) {
      return NotABackup("bad file entry " + name.substr(0, 64));
    }
    const std::string bytes(payload.begin() + static_cast<std::ptrdiff_t>(offset),
                            payload.begin() + static_cast<std::ptrdiff_t>(offset) + size);
    offset += static_cast<size_t>(size);
    CW_RETURN_IF_ERROR(WriteFileAtomic((fs::path(to_dir) / name).string(), bytes, 0600));
    report.files.push_back(name);
  }
  if (offset != payload.size()) return NotABackup("trailing bytes");

  // The key file (a token's KEK stays in the token) and the purge register go beside the
  // restored store, where it looks.
  const fs::path keys_dir = fs::path(to_dir) / "keys";
  fs::create_directories(keys_dir, ec);
  ::chmod(keys_dir.c_str(), 0700);
  if (!token) CW_RETURN_IF_ERROR(CopyPrivate(key_file, keys_dir / "kek"));
  const std::string known_register =
      register_path.empty() ? PurgeRegisterPathFor(key_file) : register_path;
  PurgeRegister known(known_register);
  CW_ASSIGN_OR_RETURN(std::vector<store::PurgeRow> purges, known.Read());
  if (fs::exists(known_register)) {
    CW_RETURN_IF_ERROR(CopyPrivate(known_register, keys_dir / "purge-register"));
  }

  StoreConfig restored_config;
  restored_config.data_dir = to_dir;
  CW_ASSIGN_OR_RETURN(OpenedStore opened,
                      OpenStore(restored_config, StoreOpenOptions{"clearway-restore", false}));
  std::unique_ptr<keys::KeyProvider> restored_provider;
  if (!token) {
    CW_ASSIGN_OR_RETURN(restored_provider,
                        OpenKeyProvider(restored_config,
                                        KeysConfig::KeyFile((keys_dir / "kek").string()),
                                        clock));
  }
  store::EncryptingStore restored(std::move(opened.store),
                                  token ? *provider : *restored_provider, {});
  CW_ASSIGN_OR_RETURN(std::vector<store::PurgeRow> held, restored.ListPurges());
  std::set<std::string> present;
  for (const store::PurgeRow& purge : held) present.insert(purge.id);
  for (const store::PurgeRow& purge : purges) {
    if (present.count(purge.id) > 0) {
      report.already_purged.push_back(purge.id);
      continue;
    }
    CW_ASSIGN_OR_RETURN(std::optional<ReappliedPurge> again, Reapply(restored, purge, clock));
    if (again.has_value()) report.reapplied.push_back(std::move(*again));
  }
  return report;
}

}  // namespace clearway::app
