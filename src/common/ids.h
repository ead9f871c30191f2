// File: common/ids.h
//
// Identifiers. A DeclarationId is a ULID-style text: 26 Crockford base32 characters, the first
// ten encoding the creation time in milliseconds so ids sort by time, the rest random (80 bits
// from the caller's randomness, so ids are not guessable).
//
//   std::array<uint8_t, 10> random = ...;     // from crypto::RandomBytes
//   std::string id = MakeUlid(clock.Now(), random);   // "01JD3Q8…"
#pragma once

#include <array>
#include <cstdint>
#include <string>
#include <string_view>

#include "common/time.h"

namespace clearway {

std::string MakeUlid(Timestamp at, const std::array<uint8_t, 10>& randomness);

// IsUlid() is true for 26 characters of the Crockford base32 alphabet (upper case).
bool IsUlid(std::string_view text);

}  // namespace clearway
