// File: keys/keys.h
//
// The keys module: envelope encryption at rest and the key-encryption keys behind it
// (docs/keys.md). Each declaration gets its own DataKey; its payload is sealed with
// XChaCha20-Poly1305 bound to the record id and version; the DataKey is stored only wrapped by
// a KeyProvider, which keeps versioned KEKs in a 0600 key file or in a PKCS#11 token, rotates
// and retires them, and computes blind indexes for exact look-ups on sensitive values.
//
//   SystemClock clock;
//   CW_ASSIGN_OR_RETURN(auto provider, FileKeyProvider::Open("var/keys/kek", clock));
//   CW_ASSIGN_OR_RETURN(DataKey key, GenerateDataKey());
//   std::vector<uint8_t> sealed = Seal(key, AsBytes(payload), AssociatedData(id, version));
//   CW_ASSIGN_OR_RETURN(WrappedKey wrapped, provider->Wrap(key));   // stored beside `sealed`
//   CW_ASSIGN_OR_RETURN(std::string index, provider->BlindIndex("invoice-number", "INV-42"));
//
// Thread safety: everything here is thread-safe (see each header).
#pragma once

#include "keys/data_key.h"           // IWYU pragma: export
#include "keys/envelope.h"           // IWYU pragma: export
#include "keys/file_key_provider.h"  // IWYU pragma: export
#include "keys/key_provider.h"       // IWYU pragma: export
#include "keys/pkcs11_key_provider.h"  // IWYU pragma: export
