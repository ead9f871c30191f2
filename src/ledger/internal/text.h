// File: ledger/internal/text.h
//
// Private to the ledger module: the text helpers the signed-note and checkpoint formats need.
// Base64 is the standard alphabet with padding (RFC 4648 §4), decoded strictly: no whitespace,
// no missing padding, no non-zero unused bits, so every byte string has exactly one encoding.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace clearway::ledger::internal {

std::string Base64Encode(std::span<const uint8_t> bytes);

// Base64Decode() returns nullopt for anything that is not the canonical encoding of some bytes.
std::optional<std::vector<uint8_t>> Base64Decode(std::string_view text);

// IsValidUtf8() is true for well-formed UTF-8 (no overlong forms, surrogates or > U+10FFFF).
bool IsValidUtf8(std::string_view text);

// IsValidNoteText() is true for note text: valid UTF-8, ends in "\n", and no ASCII control
// character other than "\n" (C2SP signed-note).
bool IsValidNoteText(std::string_view text);

// IsValidKeyName() is true for a signed-note key name: non-empty valid UTF-8 with no Unicode
// space, no control character and no "+" (C2SP signed-note).
bool IsValidKeyName(std::string_view name);

// AsBytes() views text as bytes.
inline std::span<const uint8_t> AsBytes(std::string_view text) {
  return {reinterpret_cast<const uint8_t*>(text.data()), text.size()};
}

}  // namespace clearway::ledger::internal
