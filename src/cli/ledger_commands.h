// File: cli/ledger_commands.h
//
// `clearway ledger …`: the log's key, its checkpoints, and verification that needs nothing but
// the log's public key.
//
//   clearway ledger key --data-dir var                 print the verifier key (name+id+base64)
//   clearway ledger checkpoint [--url URL] [--key K]   fetch (and check) the latest checkpoint
//            [--witness W …]                          the latest one cosigned by every witness W
//   clearway ledger receipt ID [--out FILE]           a declaration's receipt (signed in as
//                                                      for `clearway declare`)
//   clearway ledger verify --key K --receipt FILE      a receipt: commitments and inclusion
//   clearway ledger verify --key K --old F1 --new F2 [--proof FILE | --url URL]
//                                                      two checkpoints: consistency
//   clearway ledger verify --full --data-dir var [--key K]
//                                                      the whole store: names every leaf or
//                                                      record altered, deleted, inserted or
//                                                      reordered
//
// K is the verifier key itself or a file holding it. Exit codes: 0 verified; 1 verification
// failed (or something was found); 2 the command could not run (bad flags, unreadable input);
// 3 a receipt is fine so far but some leaves await a checkpoint.
#pragma once

#include <string>
#include <vector>

namespace clearway::cli {

struct LedgerFlags {
  std::string data_dir = "var";
  std::string store_url;
  std::string url;      // server; else CLEARWAY_URL, else https://127.0.0.1:8443
  std::string ca_cert;  // else CLEARWAY_CA_CERT, else var/tls/cert.pem when present
  std::string key;
  std::string receipt;
  std::string old_checkpoint;
  std::string new_checkpoint;
  std::string proof;
  bool full = false;
  std::vector<std::string> witnesses;  // witness verifier keys (or files) to require
};

int LedgerKeyCommand(const LedgerFlags& flags);
int LedgerCheckpointCommand(const LedgerFlags& flags);
int LedgerVerifyCommand(const LedgerFlags& flags);

}  // namespace clearway::cli
