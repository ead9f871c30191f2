#include "cli/ledger_commands.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <sstream>

#include "api/client.h"
#include "app/config.h"
#include "app/encryption.h"
#include "cli/output.h"
#include "app/ledger_audit.h"
#include "app/ledger_key.h"
#include "app/ledger_receipt.h"
#include "app/store_factory.h"
#include "common/json.h"
#include "crypto/crypto.h"
#include "ledger/checkpoint.h"
#include "ledger/merkle.h"
#include "store/encrypting_store.h"
#include "store/sqlite/sqlite_store.h"

namespace clearway::cli {

namespace {

constexpr int kVerified = 0;
constexpr int kFailed = 1;
constexpr int kCannotRun = 2;
constexpr int kPending = 3;

Result<std::string> ReadText(const std::string& file) {
  std::ifstream in(file, std::ios::binary);
  if (!in) return Error::NotFound("file-not-found", "cannot read " + file);
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// Fetch() GETs a public ledger path from the server.
Result<std::string> Fetch(const LedgerFlags& flags, const std::string& path) {
  CW_ASSIGN_OR_RETURN(api::HttpsUrl url, api::ParseHttpsUrl(FromEnv(flags.url, "CLEARWAY_URL",
                                                                    "https://127.0.0.1:8443")));
  api::ClientOptions options;
  options.host = url.host;
  options.port = url.port;
  options.ca_file = FromEnv(flags.ca_cert, "CLEARWAY_CA_CERT");
  if (options.ca_file.empty() && std::filesystem::exists("var/tls/cert.pem")) {
    options.ca_file = "var/tls/cert.pem";
  }
  CW_ASSIGN_OR_RETURN(auto client, api::HttpsClient::Open(options));
  CW_ASSIGN_OR_RETURN(api::ClientResponse response, client->Request("GET", url.base_path + path));
  if (response.status != 200) {
    return Error::Unavailable("fetch-failed", "GET " + path + " answered " +
                                                  std::to_string(response.status) + ": " +
                                                  response.body.substr(0, 300));
  }
  return response.body;
}

Result<std::vector<ledger::Hash>> HashesOf(const std::string& json_text) {
  auto parsed = ParseJson(json_text);
  Error bad = Error::InvalidArgument("--proof", "malformed-proof",
                                     "a proof is JSON {\"hashes\": [\"<64 hex digits>\", …]}");
  if (!parsed.ok() || !parsed->is_object()) return bad;
  const auto* hashes = parsed->get_object().if_contains("hashes");
  if (hashes == nullptr || !hashes->is_array()) return bad;
  std::vector<ledger::Hash> out;
  for (const auto& item : hashes->get_array()) {
    if (!item.is_string()) return bad;
    auto bytes = crypto::FromHex(item.get_string());
    if (!bytes.ok() || bytes->size() != 32) return bad;
    ledger::Hash hash{};
    std::copy(bytes->begin(), bytes->end(), hash.begin());
    out.push_back(hash);
  }
  return out;
}

int VerifyReceiptFile(const LedgerFlags& flags, const ledger::VerifierKey& key) {
  auto text = ReadText(flags.receipt);
  if (!text.ok()) return Trouble(text.error(), kCannotRun);
  auto receipt = app::ReceiptFromJson(*text);
  if (!receipt.ok()) return Trouble(receipt.error(), kCannotRun);
  auto checks = app::VerifyReceipt(*receipt, key);
  if (!checks.ok()) {
    std::cout << "FAILED receipt of " << receipt->declaration_id << "\n";
    return Trouble(checks.error(), kFailed);
  }
  bool pending = false;
  bool withheld = false;
  for (const auto& check : *checks) {
    std::cout << (check.included ? "included  " : "pending   ") << "leaf " << check.index << "  "
              << check.record_id << (check.disclosed ? "" : "  (commitment only)") << "\n";
    pending = pending || !check.included;
    withheld = withheld || !check.disclosed;
  }
  if (pending) {
    std::cout << "some leaves are not covered by the receipt's checkpoint yet: fetch the "
                 "receipt again after the next checkpoint\n";
    return kPending;
  }
  std::cout << "verified: every record of " << receipt->declaration_id
            << " is in the log, under a checkpoint signed by " << key.name << "\n";
  if (withheld) {
    std::cout << "the receipt withholds the records (a commitment-only view): their leaves are "
                 "in the log; what they say was not checked\n";
  }
  return kVerified;
}

int VerifyConsistencyFiles(const LedgerFlags& flags, const ledger::VerifierKey& key) {
  auto old_text = ReadText(flags.old_checkpoint);
  if (!old_text.ok()) return Trouble(old_text.error(), kCannotRun);
  auto new_text = ReadText(flags.new_checkpoint);
  if (!new_text.ok()) return Trouble(new_text.error(), kCannotRun);
  auto old_cp = ledger::OpenCheckpoint(*old_text, key);
  if (!old_cp.ok()) return Trouble(old_cp.error(), kFailed);
  auto new_cp = ledger::OpenCheckpoint(*new_text, key);
  if (!new_cp.ok()) return Trouble(new_cp.error(), kFailed);
  const ledger::Checkpoint& from = old_cp->checkpoint;
  const ledger::Checkpoint& to = new_cp->checkpoint;
  if (from.origin != to.origin) {
    return Trouble(Error::InvalidArgument(
                       "--new", "wrong-origin",
                       "the checkpoints are of two logs: " + from.origin + " and " + to.origin),
                   kFailed);
  }
  Result<std::string> proof_text =
      flags.proof.empty()
          ? Fetch(flags, "/v1/ledger/proofs/consistency?from=" + std::to_string(from.size) +
                             "&to=" + std::to_string(to.size))
          : ReadText(flags.proof);
  if (!proof_text.ok()) return Trouble(proof_text.error(), kCannotRun);
  auto proof = HashesOf(*proof_text);
  if (!proof.ok()) return Trouble(proof.error(), kCannotRun);
  Status consistent = ledger::VerifyConsistency(from.size, to.size, from.root, to.root, *proof);
  if (!consistent.ok()) {
    std::cout << "NOT CONSISTENT: the checkpoint of size " << to.size
              << " does not extend the one of size " << from.size << "\n";
    return Trouble(consistent.error(), kFailed);
  }
  std::cout << "consistent: " << from.origin << " size " << from.size << " -> " << to.size << "\n";
  return kVerified;
}

int VerifyFull(const LedgerFlags& flags) {
  // Without --key, trust the key file beside the store (an auditor should pass the published
  // key instead: whoever can edit the store may have replaced the key file too).
  Result<ledger::VerifierKey> key = Error::NotFound("", "");
  if (!flags.key.empty()) {
    key = VerifierKeyOf(flags.key, "--key");
  } else {
    auto own = app::LoadLedgerKey(app::LedgerKeyPath(flags.data_dir));
    if (!own.ok()) return Trouble(own.error(), kCannotRun);
    key = own->verifier_key;
  }
  if (!key.ok()) return Trouble(key.error(), kCannotRun);
  app::StoreConfig config;
  config.data_dir = flags.data_dir;
  config.url = flags.store_url;
  // Declared before `audited`, which may hold a reference to the provider.
  SystemClock clock;
  auto provider = app::OpenKeyProvider(config, app::KeysConfig{}, clock);
  std::unique_ptr<store::Store> audited;
  if (app::IsPostgresStore(config)) {  // issue 8: a PostgreSQL store, e.g. after `store copy`
    auto opened = app::OpenStore(config, app::StoreOpenOptions{"clearway-audit", false});
    if (!opened.ok()) return Trouble(opened.error(), kCannotRun);
    audited = std::move(opened->store);
  } else {
    const std::string path = app::SqlitePathOf(config);
    if (!std::filesystem::exists(path)) {
      return Trouble(Error::NotFound("store-not-found", "no store at " + path), kCannotRun);
    }
    store::sqlite::SqliteOptions options;
    options.path = path;
    options.read_connections = 1;
    auto opened = store::sqlite::SqliteStore::Open(options);
    if (!opened.ok()) return Trouble(opened.error(), kCannotRun);
    audited = std::move(opened).value();
  }
  // Salts are sealed under each declaration's data key (docs/keys.md): the audit opens them
  // with the key file beside the store. Without one, only a store that has no data key yet
  // can be audited.
  if (provider.ok()) {
    audited = std::make_unique<store::EncryptingStore>(std::move(audited), **provider,
                                                       store::EncryptingStoreOptions{});
  } else {
    auto usage = audited->CountDataKeysByKek();
    if (!usage.ok()) return Trouble(usage.error(), kCannotRun);
    if (!usage->empty()) return Trouble(provider.error(), kCannotRun);
  }
  auto report = app::AuditLedger(*audited, *key);
  if (!report.ok()) return Trouble(report.error(), kCannotRun);
  std::cout << "ledger of " << key->name << ": " << report->leaves << " leaves, "
            << report->versions << " declaration versions, " << report->transitions
            << " transitions, " << report->assessments << " assessments, "
            << report->security_events << " security events";
  if (report->purges > 0 || report->legal_holds > 0) {
    std::cout << ", " << report->legal_holds << " legal holds (" << report->legal_holds_released
              << " released), " << report->purges << " retention purges, "
              << report->purged_records << " purged records";
  }
  if (report->checkpoint_size) std::cout << ", latest checkpoint " << *report->checkpoint_size;
  std::cout << "\n";
  for (const auto& note : report->notes) std::cout << "note: " << note << "\n";
  for (const auto& finding : report->findings) {
    std::cout << app::AuditFindingKindName(finding.kind) << ": " << finding.subject << ": "
              << finding.detail << "\n";
  }
  if (!report->clean()) {
    std::cout << "FAILED: " << report->findings.size() << " problem(s) found\n";
    return kFailed;
  }
  std::cout << "verified: every record matches its leaf, the tree matches the stored nodes and "
               "the signed checkpoint\n";
  return kVerified;
}

}  // namespace

int LedgerKeyCommand(const LedgerFlags& flags) {
  auto key = app::LoadLedgerKey(app::LedgerKeyPath(flags.data_dir));
  if (!key.ok()) return Trouble(key.error(), kCannotRun);
  std::cout << ledger::FormatVerifierKey(key->verifier_key) << "\n";
  return 0;
}

int LedgerCheckpointCommand(const LedgerFlags& flags) {
  // With witnesses to check, the checkpoint they cosigned last; else the log's latest.
  auto note = Fetch(flags, flags.witnesses.empty() ? "/v1/ledger/checkpoint"
                                                   : "/v1/ledger/checkpoint/witnessed");
  if (!note.ok()) return Trouble(note.error(), kCannotRun);
  if (!flags.key.empty()) {
    auto key = VerifierKeyOf(flags.key, "--key");
    if (!key.ok()) return Trouble(key.error(), kCannotRun);
    auto opened = ledger::OpenCheckpoint(*note, *key);
    if (!opened.ok()) return Trouble(opened.error(), kFailed);
  }
  if (!flags.witnesses.empty()) {
    std::vector<ledger::VerifierKey> witnesses;
    for (const std::string& flag : flags.witnesses) {
      auto key = VerifierKeyOf(flag, "--witness");
      if (!key.ok()) return Trouble(key.error(), kCannotRun);
      witnesses.push_back(*std::move(key));
    }
    auto parsed = ledger::ParseNote(*note);
    if (!parsed.ok()) return Trouble(parsed.error(), kFailed);
    auto cosigned = ledger::VerifyCosignatures(*parsed, witnesses);
    if (!cosigned.ok()) return Trouble(cosigned.error(), kFailed);
    // Every witness asked for must have cosigned: a quorum is the caller's choice of keys.
    for (const ledger::VerifierKey& witness : witnesses) {
      bool found = false;
      for (const auto& verified : *cosigned) found = found || verified.key == witness;
      if (!found) {
        std::cerr << "clearway: " << witness.name << " has not cosigned this checkpoint\n";
        return kFailed;
      }
    }
  }
  std::cout << *note << std::flush;
  return 0;
}

int LedgerVerifyCommand(const LedgerFlags& flags) {
  if (flags.full) return VerifyFull(flags);
  auto key = VerifierKeyOf(flags.key, "--key");
  if (!key.ok()) return Trouble(key.error(), kCannotRun);
  if (!flags.receipt.empty()) return VerifyReceiptFile(flags, *key);
  if (!flags.old_checkpoint.empty() && !flags.new_checkpoint.empty()) {
    return VerifyConsistencyFiles(flags, *key);
  }
  return Trouble(Error::InvalidArgument("", "nothing-to-verify",
                                        "give --receipt FILE, --old FILE --new FILE, or --full"),
                 kCannotRun);
}

}  // namespace clearway::cli
