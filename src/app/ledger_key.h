// File: app/ledger_key.h
//
// The log's signing key: an Ed25519 key kept in the data directory as the file `ledger-key`
// (mode 0600), made on first start. The file holds one line in the private-key form of
// golang.org/x/mod/sumdb/note, which names the log's origin with the key:
//
//   PRIVATE+KEY+<origin>+<key id, 8 hex digits>+<base64(0x01 || 32-byte seed)>
//
// The origin is part of the key's identity (its key id hashes it), so a log keeps its origin for
// life: a configured origin that differs from the key file's is refused.
//
//   CW_ASSIGN_OR_RETURN(LedgerKey key, LoadOrCreateLedgerKey("var", "clearway.example/hamburg"));
//   std::string vkey = ledger::FormatVerifierKey(key.verifier_key);   // publish this
//
// Guarantee: a key file that group or others may read is refused, never used.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "common/result.h"
#include "crypto/signature.h"
#include "ledger/note.h"

namespace clearway::app {

inline constexpr std::string_view kLedgerKeyFile = "ledger-key";

// LedgerKey is the log's origin and its signing key.
struct LedgerKey {
  std::string origin;
  std::unique_ptr<crypto::Ed25519Signer> signer;
  ledger::VerifierKey verifier_key;
};

// LedgerKeyPath() is DATA_DIR/ledger-key.
std::string LedgerKeyPath(const std::string& data_dir);

// LoadLedgerKey() reads a key file. Errors: kNotFound "ledger-key-missing";
// kFailedPrecondition "ledger-key-exposed" when group or others have any permission on it (or it
// is not a regular file); kDataLoss "ledger-key-malformed" when it is not a key this code wrote.
Result<LedgerKey> LoadLedgerKey(const std::string& path);

// LoadOrCreateLedgerKey() loads DATA_DIR/ledger-key, or makes a fresh key for `origin` (or for
// kDefaultLedgerOrigin when `origin` is empty) and writes it with mode 0600 without ever
// replacing an existing file. An empty `origin` accepts the key file's. Errors: those of
// LoadLedgerKey(); kFailedPrecondition "ledger-origin-mismatch" when `origin` is set and differs
// from the key file's; kInvalidArgument "bad-key-name" for an origin that cannot name a key;
// kUnavailable "write-failed" when the file cannot be written.
Result<LedgerKey> LoadOrCreateLedgerKey(const std::string& data_dir, std::string_view origin);

// LoadOrCreateWitnessKey() loads or makes the cosigning key of a witness (ledger/note.h type
// 0x04, cosignature/v1) at `path`, in the same file format with type byte 0x04. `name` names a
// new key (a host-like name, e.g. "witness.douane.example"); "" loads an existing key only
// (kInvalidArgument "bad-key-name" when there is none). Errors as LoadOrCreateLedgerKey();
// a ledger (type 0x01) key file is "ledger-key-malformed" here.
Result<LedgerKey> LoadOrCreateWitnessKey(const std::string& path, std::string_view name);

// DefaultLedgerOrigin() is the origin of a log nobody named: "clearway.example/demo".
std::string_view DefaultLedgerOrigin();

}  // namespace clearway::app
