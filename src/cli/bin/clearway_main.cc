// clearway: the command line of the Clearway customs declaration system.
#include <CLI/CLI.hpp>

#include <iostream>

#include "cli/backup_commands.h"
#include "cli/client_commands.h"
#include "cli/keys_commands.h"
#include "cli/ledger_commands.h"
#include "cli/mfa_commands.h"
#include "cli/retention_commands.h"
#include "cli/risk_commands.h"
#include "cli/security_commands.h"
#include "cli/server_commands.h"
#include "cli/store_commands.h"
#include "cli/tariff_commands.h"
#include "cli/user_commands.h"
#include "cli/witness_commands.h"

int main(int argc, char** argv) {
  using namespace clearway::cli;
  CLI::App app{"Clearway: secure customs declarations and clearance"};
  app.require_subcommand(1);
  app.set_version_flag("--version", "clearway 0.1.0");

  DemoFlags demo_flags;
  auto* demo = app.add_subcommand("demo", "Start a demo server with sample data on the embedded store");
  demo->add_option("--data-dir", demo_flags.data_dir, "Data directory")->capture_default_str();
  demo->add_option("--port", demo_flags.port, "HTTPS port (0 picks a free one)")
      ->check(CLI::Range(0, 65535))
      ->capture_default_str();
  demo->add_option("--bind", demo_flags.bind, "Address to listen on")->capture_default_str();
  demo->add_option("--store", demo_flags.store_url,
                   "Store URL instead of DATA_DIR/clearway.db, e.g. postgres://clearway@db/clearway");
  demo->add_option("--read-replica", demo_flags.read_replica,
                   "With a postgres:// store: a hot standby that listings read from");

  ServeFlags serve_flags;
  auto* serve = app.add_subcommand("serve", "Run the server from a configuration file");
  serve->add_option("--config", serve_flags.config_path, "TOML configuration file")->required();
  serve->add_option("--data-dir", serve_flags.data_dir, "Embedded store directory (overrides config)");
  serve->add_option("--store", serve_flags.store_url,
                    "Store URL, e.g. sqlite:/srv/clearway.db or postgres://clearway@db/clearway");
  serve->add_option("--read-replica", serve_flags.read_replica,
                    "With a postgres:// store: a hot standby that listings read from");
  serve->add_option("--port", serve_flags.port, "HTTPS port (overrides config)")
      ->check(CLI::Range(0, 65535));

  auto* hash = app.add_subcommand(
      "hash-password", "Read a password on standard input and print its Argon2id hash for [[users]]");

  // declare …
  auto* declare = app.add_subcommand("declare", "File and follow declarations");
  declare->require_subcommand(1);
  Connection conn;
  auto add_connection = [&conn](CLI::App* cmd) { AddConnectionFlags(cmd, conn); };

  auto* example = declare->add_subcommand("example", "Print a valid sample declaration to edit");
  std::string file;
  auto* validate = declare->add_subcommand("validate", "Validate a declaration file offline");
  validate->add_option("FILE", file, "Declaration JSON")->required();

  bool draft = false;
  std::string idempotency_key;
  auto* submit = declare->add_subcommand("submit", "File a declaration");
  submit->add_option("FILE", file, "Declaration JSON")->required();
  submit->add_flag("--draft", draft, "Save as a draft instead of filing");
  submit->add_option("--idempotency-key", idempotency_key,
                     "Key that makes retries safe (default: a fresh random key)");
  add_connection(submit);

  std::string id;
  int version = 0;
  auto* show = declare->add_subcommand("show", "Show a declaration with its history");
  show->add_option("ID", id, "Declaration id")->required();
  show->add_option("--version", version, "A past version");
  add_connection(show);

  ListFlags list_flags;
  auto* list = declare->add_subcommand("list", "List the declarations you may see");
  list->add_option("--status", list_flags.status, "Filter by status");
  list->add_option("--type", list_flags.type, "import or export");
  list->add_option("--channel", list_flags.channel, "green, yellow or red");
  list->add_option("--office", list_flags.office, "Customs office");
  list->add_option("--invoice-number", list_flags.invoice_number,
                   "Exact invoice number (looked up by blind index, never in clear)");
  list->add_option("--container", list_flags.container,
                   "Exact container id (looked up by blind index, never in clear)");
  list->add_option("--limit", list_flags.limit, "Page size 1..500")->check(CLI::Range(1, 500));
  list->add_option("--cursor", list_flags.cursor, "nextCursor of the previous page");
  list->add_flag("--json", list_flags.json, "Print the raw JSON page");
  add_connection(list);

  int if_match = 0;
  auto* amend = declare->add_subcommand("amend", "Replace a declaration with a new version");
  amend->add_option("ID", id, "Declaration id")->required();
  amend->add_option("FILE", file, "Declaration JSON")->required();
  amend->add_option("--if-match", if_match, "The version you amended");
  add_connection(amend);

  std::string decision, reason;
  auto* decide = declare->add_subcommand("decide", "Officer decision on a declaration");
  decide->add_option("ID", id, "Declaration id")->required();
  decide->add_option("ACTION", decision,
                     "route_green | route_yellow | route_red | release | hold | seize | reject")
      ->required();
  decide->add_option("--reason", reason, "Why (required for hold, seize, reject)");
  add_connection(decide);

  auto* invalidate = declare->add_subcommand("invalidate", "Withdraw a declaration before release");
  invalidate->add_option("ID", id, "Declaration id")->required();
  invalidate->add_option("--reason", reason, "Why")->required();
  add_connection(invalidate);

  auto* submit_draft = declare->add_subcommand("submit-draft", "Submit a saved draft");
  submit_draft->add_option("ID", id, "Declaration id")->required();
  add_connection(submit_draft);

  // store …
  StoreFlags store_flags;
  auto* store = app.add_subcommand("store", "Work on a store directly");
  store->require_subcommand(1);
  auto add_store = [&store_flags](CLI::App* cmd) {
    cmd->add_option("--data-dir", store_flags.data_dir, "Embedded store directory");
    cmd->add_option("--store", store_flags.url,
                    "Store URL, e.g. sqlite:var/clearway.db or postgres://clearway@db/clearway");
  };
  auto* migrate = store->add_subcommand("migrate", "Create or upgrade the schema");
  add_store(migrate);
  auto* stats = store->add_subcommand("stats", "Count what the store holds");
  add_store(stats);
  StoreCopyFlags copy_flags;
  auto* store_copy = store->add_subcommand(
      "copy", "Copy every record of an SQLite store into an empty PostgreSQL store");
  store_copy->add_option("--from", copy_flags.from, "The SQLite store, sqlite:PATH")->required();
  store_copy->add_option("--to", copy_flags.to, "The PostgreSQL store, postgres://…")->required();

  // ledger …
  LedgerFlags ledger_flags;
  auto* ledger =
      app.add_subcommand("ledger", "The verifiable ledger: key, checkpoints, verification");
  ledger->require_subcommand(1);
  auto* ledger_key = ledger->add_subcommand("key", "Print the log's verifier key (name+id+base64)");
  ledger_key->add_option("--data-dir", ledger_flags.data_dir, "Data directory holding ledger-key")
      ->capture_default_str();
  auto add_server = [&ledger_flags](CLI::App* cmd) {
    cmd->add_option("--url", ledger_flags.url, "Server URL (env CLEARWAY_URL)");
    cmd->add_option("--ca-cert", ledger_flags.ca_cert,
                    "CA certificate to trust (env CLEARWAY_CA_CERT)");
  };
  auto* ledger_checkpoint =
      ledger->add_subcommand("checkpoint", "Fetch the latest signed checkpoint (print the note)");
  add_server(ledger_checkpoint);
  ledger_checkpoint->add_option("--key", ledger_flags.key,
                                "Verifier key (or a file with it): check the signature");
  ledger_checkpoint->add_option("--witness", ledger_flags.witnesses,
                                "A witness's verifier key (or file): fetch the latest witnessed "
                                "checkpoint and require its cosignature (repeatable)");
  std::string receipt_out;
  auto* ledger_receipt =
      ledger->add_subcommand("receipt", "Fetch a declaration's ledger receipt (to verify offline)");
  ledger_receipt->add_option("ID", id, "Declaration id")->required();
  ledger_receipt->add_option("--out", receipt_out, "Save the receipt JSON to this file");
  add_connection(ledger_receipt);
  auto* ledger_verify = ledger->add_subcommand(
      "verify", "Verify a receipt, two checkpoints' consistency, or (--full) a whole store");
  ledger_verify->add_option("--key", ledger_flags.key,
                            "The log's verifier key, or a file holding it");
  ledger_verify->add_option("--receipt", ledger_flags.receipt,
                            "Receipt JSON (GET /v1/declarations/ID/receipt)");
  ledger_verify->add_option("--old", ledger_flags.old_checkpoint, "Older signed checkpoint file");
  ledger_verify->add_option("--new", ledger_flags.new_checkpoint, "Newer signed checkpoint file");
  ledger_verify->add_option("--proof", ledger_flags.proof,
                            "Consistency proof JSON {\"hashes\": [...]} (else fetched from --url)");
  ledger_verify->add_flag("--full", ledger_flags.full,
                          "Recompute the whole ledger of a store and name what was tampered with");
  ledger_verify->add_option("--data-dir", ledger_flags.data_dir, "Data directory (with --full)")
      ->capture_default_str();
  ledger_verify->add_option("--store", ledger_flags.store_url,
                            "Store URL, e.g. sqlite:var/clearway.db");
  add_server(ledger_verify);

  // mfa enroll
  MfaFlags mfa_flags;
  auto* mfa = app.add_subcommand("mfa", "Second factors");
  mfa->require_subcommand(1);
  auto* mfa_enroll = mfa->add_subcommand(
      "enroll", "Administrator: enrol a user's TOTP factor now (prints secret, URI, recovery codes)");
  mfa_enroll->add_option("USERNAME", mfa_flags.username, "The user")->required();
  mfa_enroll->add_option("--data-dir", mfa_flags.data_dir, "Data directory")->capture_default_str();
  mfa_enroll->add_option("--store", mfa_flags.store_url,
                         "A postgres:// store URL: the identity directory in that database "
                         "(env CLEARWAY_STORE)")
      ->envname("CLEARWAY_STORE");
  mfa_enroll->add_option("--qr", mfa_flags.qr_file, "Write the QR code (SVG) to this file");

  // login / logout
  auto* login = app.add_subcommand("login", "Sign in and save the session token (0600)");
  add_connection(login);
  auto* logout = app.add_subcommand("logout", "Revoke the saved session token");
  add_connection(logout);

  // witness …
  WitnessFlags witness_flags;
  auto* witness = app.add_subcommand(
      "witness", "Witness a partner's ledger: check its checkpoints and cosign them");
  witness->require_subcommand(1);
  auto* witness_key =
      witness->add_subcommand("key", "Make (once) and print this witness's verifier key");
  auto* witness_cosign = witness->add_subcommand(
      "cosign", "One witnessing round: fetch, check consistency, cosign, hand the cosignature in");
  for (CLI::App* cmd : {witness_key, witness_cosign}) {
    cmd->add_option("--key-file", witness_flags.key_file, "The witness's key file (0600)")
        ->capture_default_str();
    cmd->add_option("--name", witness_flags.name, "Name of a new key, e.g. witness.douane.example");
  }
  witness_cosign->add_option("--state", witness_flags.state_file,
                             "What this witness cosigned before (kept between rounds)")
      ->capture_default_str();
  witness_cosign->add_option("--log-key", witness_flags.log_key,
                             "The log's verifier key, or a file holding it")
      ->required();
  witness_cosign->add_option("--url", witness_flags.url, "The log's server (env CLEARWAY_URL)");
  witness_cosign->add_option("--ca-cert", witness_flags.ca_cert,
                             "CA certificate to trust (env CLEARWAY_CA_CERT)");

  AddRiskCommands(app);  // risk …: runs in its callbacks, exit code via CLI11_PARSE
  AddTariffCommands(app);  // tariff, measures, duty …: exit code via CLI11_PARSE
  AddUserCommands(app);  // org, delegation, user …: identity.db; exit code via CLI11_PARSE
  AddKeysCommands(app);  // keys init|rotate|list|retire: key file or PKCS#11; exit code via CLI11_PARSE
  AddRetentionCommands(app);  // retention plan|run|hold: data dir + key file; exit via CLI11_PARSE
  AddBackupCommands(app);     // backup, restore: encrypted snapshots; exit code via CLI11_PARSE
  AddSecurityCommands(app);  // security events: through the server; exit code via CLI11_PARSE
  CLI11_PARSE(app, argc, argv);

  if (demo->parsed()) return RunDemo(demo_flags);
  if (serve->parsed()) return RunServe(serve_flags);
  if (hash->parsed()) return HashPassword();
  if (example->parsed()) return DeclareExample();
  if (validate->parsed()) return DeclareValidate(file);
  if (submit->parsed()) return DeclareSubmit(conn, file, draft, idempotency_key);
  if (show->parsed()) {
    return DeclareShow(conn, id, version > 0 ? std::optional<int>(version) : std::nullopt);
  }
  if (list->parsed()) return DeclareList(conn, list_flags);
  if (amend->parsed()) {
    return DeclareAmend(conn, id, file, if_match > 0 ? std::optional<int>(if_match) : std::nullopt);
  }
  if (decide->parsed()) return DeclareAction(conn, id, "decisions", decision, reason);
  if (invalidate->parsed()) return DeclareAction(conn, id, "invalidate", "", reason);
  if (submit_draft->parsed()) return DeclareAction(conn, id, "submit", "", "");
  if (migrate->parsed()) return StoreMigrate(store_flags);
  if (stats->parsed()) return StoreStats(store_flags);
  if (store_copy->parsed()) return StoreCopy(copy_flags);
  if (ledger_key->parsed()) return LedgerKeyCommand(ledger_flags);
  if (ledger_checkpoint->parsed()) return LedgerCheckpointCommand(ledger_flags);
  if (ledger_verify->parsed()) return LedgerVerifyCommand(ledger_flags);
  if (ledger_receipt->parsed()) return LedgerReceipt(conn, id, receipt_out);
  if (login->parsed()) return Login(conn);
  if (mfa_enroll->parsed()) return MfaEnrollCommand(mfa_flags);
  if (logout->parsed()) return Logout(conn);
  if (witness_key->parsed()) return WitnessKeyCommand(witness_flags);
  if (witness_cosign->parsed()) return WitnessCosignCommand(witness_flags);
  return 2;
}
