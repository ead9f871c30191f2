// File: keys/internal/byte_order.h
//
// Big-endian integers and length-prefixed strings for the keys module's canonical encodings
// (associated data, blind-index messages). Thread-safe: pure functions.
#pragma once

#include <cstdint>
#include <limits>
#include <string_view>
#include <vector>

#include "common/result.h"

namespace clearway::keys::internal {

inline void AppendUint32(std::vector<uint8_t>& out, uint32_t value) {
  out.push_back(static_cast<uint8_t>(value >> 24));
  out.push_back(static_cast<uint8_t>(value >> 16));
  out.push_back(static_cast<uint8_t>(value >> 8));
  out.push_back(static_cast<uint8_t>(value));
}

// AppendText() writes the bytes of `text`. Byte by byte on purpose: GCC 12 at -O3 reports a
// false -Wstringop-overflow for vector::insert after reserve (GCC bug 106199); these strings
// are short.
inline void AppendText(std::vector<uint8_t>& out, std::string_view text) {
  for (char c : text) out.push_back(static_cast<uint8_t>(c));
}

// AppendPrefixed() writes the length of `text` (4 bytes big-endian) and then its bytes.
inline void AppendPrefixed(std::vector<uint8_t>& out, std::string_view text) {
  CW_CHECK(text.size() <= std::numeric_limits<uint32_t>::max());
  AppendUint32(out, static_cast<uint32_t>(text.size()));
  AppendText(out, text);
}

}  // namespace clearway::keys::internal
