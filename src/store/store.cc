// Helpers shared by every store backend: the opaque page cursor and page-limit validation.
#include "store/store.h"

#include <array>
#include <charconv>
#include <cstdint>

namespace clearway::store {

namespace {

// A cursor holds an id (26 characters today) and a number; anything much longer was not issued
// by us, and refusing it early bounds the work done on hostile input.
constexpr size_t kMaxCursorChars = 256;

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

Error BadCursor() {
  return Error::InvalidArgument("cursor", "bad-cursor",
                                "the page cursor is not one this server issued");
}

std::string Base64UrlEncode(std::string_view bytes) {
  std::string out;
  out.reserve((bytes.size() * 4 + 2) / 3);
  size_t pos = 0;
  for (; pos + 3 <= bytes.size(); pos += 3) {
    uint32_t n = (uint32_t{static_cast<uint8_t>(bytes[pos])} << 16) |
                 (uint32_t{static_cast<uint8_t>(bytes[pos + 1])} << 8) |
                 uint32_t{static_cast<uint8_t>(bytes[pos + 2])};
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
    out += kAlphabet[n & 63];
  }
  size_t rest = bytes.size() - pos;
  if (rest == 1) {
    uint32_t n = uint32_t{static_cast<uint8_t>(bytes[pos])} << 16;
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
  } else if (rest == 2) {
    uint32_t n = (uint32_t{static_cast<uint8_t>(bytes[pos])} << 16) |
                 (uint32_t{static_cast<uint8_t>(bytes[pos + 1])} << 8);
    out += kAlphabet[(n >> 18) & 63];
    out += kAlphabet[(n >> 12) & 63];
    out += kAlphabet[(n >> 6) & 63];
  }
  return out;
}

// Base64UrlDecode() decodes unpadded base64url; false on a bad character or impossible length.
// Non-canonical trailing bits are caught by the caller's re-encoding check.
bool Base64UrlDecode(std::string_view text, std::string& out) {
  if (text.size() % 4 == 1) return false;
  std::array<int, 256> value{};
  value.fill(-1);
  for (size_t idx = 0; idx < kAlphabet.size(); ++idx) {
    value[static_cast<uint8_t>(kAlphabet[idx])] = static_cast<int>(idx);
  }
  uint32_t acc = 0;
  int bits = 0;
  for (char c : text) {
    int v = value[static_cast<uint8_t>(c)];
    if (v < 0) return false;
    acc = (acc << 6) | static_cast<uint32_t>(v);
    bits += 6;
    if (bits >= 8) {
      bits -= 8;
      out += static_cast<char>((acc >> bits) & 0xFF);
    }
  }
  return true;
}

}  // namespace

std::string EncodeCursor(const PageCursor& cursor) {
  return Base64UrlEncode(std::to_string(cursor.created_at.time_since_epoch().count()) + ":" +
                         cursor.id);
}

Result<PageCursor> DecodeCursor(std::string_view text) {
  if (text.empty() || text.size() > kMaxCursorChars) return BadCursor();
  std::string plain;
  if (!Base64UrlDecode(text, plain)) return BadCursor();
  size_t colon = plain.find(':');
  if (colon == std::string::npos || colon == 0 || colon + 1 == plain.size()) return BadCursor();
  int64_t micros = 0;
  const char* first = plain.data();
  const char* last = plain.data() + colon;
  auto [end, ec] = std::from_chars(first, last, micros);
  if (ec != std::errc() || end != last) return BadCursor();
  PageCursor cursor{Timestamp(std::chrono::microseconds(micros)), plain.substr(colon + 1)};
  // Only the exact text we would have issued is accepted: this rejects "+1", "007", stray
  // trailing bits and other spellings of the same position.
  if (EncodeCursor(cursor) != text) return BadCursor();
  return cursor;
}

Status ValidatePageLimit(int limit) {
  if (limit < kMinPageLimit || limit > kMaxPageLimit) {
    return Error::InvalidArgument("limit", "bad-limit",
                                  "the page limit must be between " +
                                      std::to_string(kMinPageLimit) + " and " +
                                      std::to_string(kMaxPageLimit));
  }
  return OkStatus();
}

Status RefuseClearSensitiveFilter(const DeclarationFilter& filter) {
  if (filter.sensitive.empty()) return OkStatus();
  Error error = Error::FailedPrecondition(
      "blind-index-unavailable", "look-ups by sensitive values need the blind-index key");
  error.field_path = "filter";
  return error;
}

Error DataKeyNotFound() {
  return Error::NotFound("data-key-not-found", "the declaration has no data key");
}

Error DeclarationPurged(const std::string& id) {
  return Error::NotFound("declaration-purged",
                         "declaration " + id + " was purged under the retention policy");
}

Error HoldNotFound(const std::string& id) {
  return Error::NotFound("hold-not-found", "there is no legal hold " + id);
}

Error LegalHoldBlocksPurge(const std::string& declaration_id) {
  return Error::FailedPrecondition(
      "legal-hold", "declaration " + declaration_id + " is under a legal hold and cannot be purged");
}

}  // namespace clearway::store
