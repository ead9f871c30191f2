#include "identity/password_policy.h"

#include <algorithm>
#include <charconv>
#include <optional>
#include <vector>

namespace clearway::identity {
namespace {

Error PasswordError(std::string reason, std::string message) {
  return Error::InvalidArgument("password", std::move(reason), std::move(message));
}

std::string AsciiLower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// DecodeUtf8() splits well-formed UTF-8 (RFC 3629: no overlong forms, no surrogates, nothing
// above U+10FFFF) into code points; nullopt for anything else, and for NUL.
std::optional<std::vector<uint32_t>> DecodeUtf8(std::string_view text) {
  std::vector<uint32_t> code_points;
  size_t pos = 0;
  while (pos < text.size()) {
    const auto lead = static_cast<uint8_t>(text[pos]);
    size_t length = 0;
    uint32_t value = 0;
    uint32_t minimum = 0;
    if (lead == 0) return std::nullopt;
    if (lead < 0x80) {
      length = 1;
      value = lead;
    } else if ((lead & 0xE0) == 0xC0) {
      length = 2;
      value = lead & 0x1Fu;
      minimum = 0x80;
    } else if ((lead & 0xF0) == 0xE0) {
      length = 3;
      value = lead & 0x0Fu;
      minimum = 0x800;
    } else if ((lead & 0xF8) == 0xF0) {
      length = 4;
      value = lead & 0x07u;
      minimum = 0x10000;
    } else {
      return std::nullopt;
    }
    if (pos + length > text.size()) return std::nullopt;
    for (size_t extra = 1; extra < length; ++extra) {
      const auto next = static_cast<uint8_t>(text[pos + extra]);
      if ((next & 0xC0) != 0x80) return std::nullopt;
      value = (value << 6) | (next & 0x3Fu);
    }
    if (value < minimum || value > 0x10FFFF || (value >= 0xD800 && value <= 0xDFFF)) {
      return std::nullopt;
    }
    code_points.push_back(value);
    pos += length;
  }
  return code_points;
}

bool IsDigitOrPunct(char c) {
  return (c >= '0' && c <= '9') || (c >= '!' && c <= '/') || (c >= ':' && c <= '@') ||
         (c >= '[' && c <= '`') || (c >= '{' && c <= '~') || c == ' ';
}

bool OnList(std::string_view lowered) {
  const auto list = CommonPasswords();
  return std::binary_search(list.begin(), list.end(), lowered);
}

bool ParseUint(std::string_view text, uint32_t& out) {
  if (text.empty() || (text.size() > 1 && text[0] == '0')) return false;
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
  return error == std::errc() && end == text.data() + text.size();
}

std::vector<std::string_view> Split(std::string_view text, char separator) {
  std::vector<std::string_view> parts;
  while (true) {
    const size_t at = text.find(separator);
    parts.push_back(text.substr(0, at));
    if (at == std::string_view::npos) return parts;
    text.remove_prefix(at + 1);
  }
}

// B64Length() is the length of unpadded standard base64 (PHC strings omit padding); nullopt
// for text that is not base64 or has an impossible length.
std::optional<size_t> B64Length(std::string_view text) {
  for (char c : text) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                    c == '+' || c == '/';
    if (!ok) return std::nullopt;
  }
  if (text.size() % 4 == 1) return std::nullopt;
  return text.size() * 3 / 4;
}

}  // namespace

Status PasswordPolicy::Check(std::string_view password, std::string_view username) const {
  const std::optional<std::vector<uint32_t>> code_points = DecodeUtf8(password);
  if (!code_points.has_value()) {
    return PasswordError("password-not-utf8", "the password must be valid UTF-8 text");
  }
  if (code_points->size() < options_.min_code_points) {
    return PasswordError("password-too-short", "the password must have at least " +
                                                   std::to_string(options_.min_code_points) +
                                                   " characters");
  }
  if (code_points->size() > options_.max_code_points) {
    return PasswordError("password-too-long", "the password must have at most " +
                                                  std::to_string(options_.max_code_points) +
                                                  " characters");
  }
  const uint32_t first = code_points->front();
  if (std::all_of(code_points->begin(), code_points->end(),
                  [first](uint32_t cp) { return cp == first; })) {
    return PasswordError("password-repeated-character",
                         "the password must not be one character repeated");
  }
  const std::string lowered = AsciiLower(password);
  if (username.size() >= options_.min_username_match &&
      lowered.find(AsciiLower(username)) != std::string::npos) {
    return PasswordError("password-contains-username",
                         "the password must not contain the user name");
  }
  if (IsCommonPassword(password)) {
    return PasswordError("password-common",
                         "the password is too common; choose a longer passphrase");
  }
  return OkStatus();
}

bool IsCommonPassword(std::string_view password) {
  const std::string lowered = AsciiLower(password);
  if (OnList(lowered)) return true;
  std::string_view core = lowered;
  while (!core.empty() && IsDigitOrPunct(core.back())) core.remove_suffix(1);
  while (!core.empty() && IsDigitOrPunct(core.front())) core.remove_prefix(1);
  return core.size() >= 4 && OnList(core);
}

Result<Argon2idParams> ParseArgon2idPhc(std::string_view phc) {
  const Error malformed = Error::InvalidArgument("", "phc-malformed", "not an Argon2id PHC string");
  // "", "argon2id", "v=19", "m=..,t=..,p=..", salt, hash
  const std::vector<std::string_view> fields = Split(phc, '$');
  if (fields.size() != 6 || !fields[0].empty() || fields[1] != "argon2id") return malformed;
  Argon2idParams params;
  uint32_t version = 0;
  if (!fields[2].starts_with("v=") || !ParseUint(fields[2].substr(2), version)) return malformed;
  params.version = static_cast<int>(version);
  const std::vector<std::string_view> costs = Split(fields[3], ',');
  if (costs.size() != 3 || !costs[0].starts_with("m=") || !costs[1].starts_with("t=") ||
      !costs[2].starts_with("p=") || !ParseUint(costs[0].substr(2), params.memory_kib) ||
      !ParseUint(costs[1].substr(2), params.iterations) ||
      !ParseUint(costs[2].substr(2), params.parallelism)) {
    return malformed;
  }
  const std::optional<size_t> salt = B64Length(fields[4]);
  const std::optional<size_t> hash = B64Length(fields[5]);
  if (!salt.has_value() || !hash.has_value() || *salt == 0 || *hash == 0) return malformed;
  params.salt_bytes = *salt;
  params.hash_bytes = *hash;
  return params;
}

bool NeedsRehash(std::string_view phc, const Argon2idParams& wanted) {
  const Result<Argon2idParams> params = ParseArgon2idPhc(phc);
  if (!params.ok()) return true;
  return params->version != wanted.version || params->memory_kib < wanted.memory_kib ||
         params->iterations < wanted.iterations;
}

}  // namespace clearway::identity
