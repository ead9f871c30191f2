#include "ledger/internal/text.h"

#include <array>

namespace clearway::ledger::internal {
namespace {

constexpr std::string_view kAlphabet =
    "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

int Base64Value(char c) {
  const size_t pos = kAlphabet.find(c);
  return pos == std::string_view::npos ? -1 : static_cast<int>(pos);
}

// Decodes one UTF-8 code point at text[pos], advancing pos; nullopt if malformed.
std::optional<char32_t> NextCodePoint(std::string_view text, size_t& pos) {
  const auto lead = static_cast<unsigned char>(text[pos]);
  if (lead < 0x80) {
    ++pos;
    return lead;
  }
  // Sequence length, payload bits of the lead byte, and smallest code point it may encode.
  struct Form {
    unsigned char mask;
    unsigned char value;
    size_t length;
    char32_t minimum;
  };
  static constexpr Form kForms[] = {
      {0xE0, 0xC0, 2, 0x80}, {0xF0, 0xE0, 3, 0x800}, {0xF8, 0xF0, 4, 0x10000}};
  const Form* form = nullptr;
  for (const Form& candidate : kForms) {
    if ((lead & candidate.mask) == candidate.value) form = &candidate;
  }
  if (form == nullptr) return std::nullopt;
  const size_t length = form->length;
  const char32_t minimum = form->minimum;
  char32_t code_point = lead & static_cast<unsigned char>(~form->mask & 0xFF);
  if (pos + length > text.size()) return std::nullopt;
  for (size_t offset = 1; offset < length; ++offset) {
    const auto next = static_cast<unsigned char>(text[pos + offset]);
    if ((next & 0xC0) != 0x80) return std::nullopt;
    code_point = (code_point << 6) | (next & 0x3Fu);
  }
  if (code_point < minimum || code_point > 0x10FFFF ||
      (code_point >= 0xD800 && code_point <= 0xDFFF)) {
    return std::nullopt;
  }
  pos += length;
  return code_point;
}

// Go's unicode.IsSpace, which the reference signed-note implementation uses for key names.
bool IsUnicodeSpace(char32_t c) {
  return c == U'\t' || c == U'\n' || c == U'\v' || c == U'\f' || c == U'\r' || c == U' ' ||
         c == 0x85 || c == 0xA0 || c == 0x1680 || (c >= 0x2000 && c <= 0x200A) || c == 0x2028 ||
         c == 0x2029 || c == 0x202F || c == 0x205F || c == 0x3000;
}

}  // namespace

std::string Base64Encode(std::span<const uint8_t> bytes) {
  std::string out;
  out.reserve((bytes.size() + 2) / 3 * 4);
  size_t pos = 0;
  for (; pos + 3 <= bytes.size(); pos += 3) {
    const uint32_t group =
        uint32_t{bytes[pos]} << 16 | uint32_t{bytes[pos + 1]} << 8 | bytes[pos + 2];
    out += kAlphabet[group >> 18 & 63];
    out += kAlphabet[group >> 12 & 63];
    out += kAlphabet[group >> 6 & 63];
    out += kAlphabet[group & 63];
  }
  const size_t rest = bytes.size() - pos;
  if (rest == 1) {
    const uint32_t group = uint32_t{bytes[pos]} << 16;
    out += kAlphabet[group >> 18 & 63];
    out += kAlphabet[group >> 12 & 63];
    out += "==";
  } else if (rest == 2) {
    const uint32_t group = uint32_t{bytes[pos]} << 16 | uint32_t{bytes[pos + 1]} << 8;
    out += kAlphabet[group >> 18 & 63];
    out += kAlphabet[group >> 12 & 63];
    out += kAlphabet[group >> 6 & 63];
    out += '=';
  }
  return out;
}

std::optional<std::vector<uint8_t>> Base64Decode(std::string_view text) {
  if (text.size() % 4 != 0) return std::nullopt;
  size_t padding = 0;
  if (!text.empty() && text.back() == '=') ++padding;
  if (text.size() >= 2 && text[text.size() - 2] == '=') ++padding;
  std::vector<uint8_t> out;
  out.reserve(text.size() / 4 * 3);
  for (size_t pos = 0; pos < text.size(); pos += 4) {
    const bool last = pos + 4 == text.size();
    const size_t data_chars = last ? 4 - padding : 4;
    uint32_t group = 0;
    for (size_t offset = 0; offset < 4; ++offset) {
      int value = 0;
      if (offset < data_chars) {
        value = Base64Value(text[pos + offset]);
        if (value < 0) return std::nullopt;  // also refuses '=' in the middle
      }
      group = group << 6 | static_cast<uint32_t>(value);
    }
    out.push_back(static_cast<uint8_t>(group >> 16));
    if (data_chars >= 3) out.push_back(static_cast<uint8_t>(group >> 8));
    if (data_chars == 4) out.push_back(static_cast<uint8_t>(group));
    // Canonical form: the bits beyond the last byte must be zero.
    if (data_chars == 2 && (group & 0xFFFF) != 0) return std::nullopt;
    if (data_chars == 3 && (group & 0xFF) != 0) return std::nullopt;
  }
  return out;
}

bool IsValidUtf8(std::string_view text) {
  for (size_t pos = 0; pos < text.size();) {
    if (!NextCodePoint(text, pos)) return false;
  }
  return true;
}

bool IsValidNoteText(std::string_view text) {
  if (text.empty() || text.back() != '\n' || !IsValidUtf8(text)) return false;
  for (char c : text) {
    const auto byte = static_cast<unsigned char>(c);
    if ((byte < 0x20 && c != '\n') || byte == 0x7F) return false;
  }
  return true;
}

bool IsValidKeyName(std::string_view name) {
  if (name.empty()) return false;
  for (size_t pos = 0; pos < name.size();) {
    const std::optional<char32_t> c = NextCodePoint(name, pos);
    if (!c || IsUnicodeSpace(*c) || *c < 0x20 || *c == 0x7F || *c == U'+') return false;
  }
  return true;
}

}  // namespace clearway::ledger::internal
