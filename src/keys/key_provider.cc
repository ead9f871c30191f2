#include "keys/key_provider.h"

#include "crypto/crypto.h"
#include "keys/internal/byte_order.h"

namespace clearway::keys {

namespace {

constexpr size_t kMaxNameBytes = 64;
constexpr size_t kBlindIndexBytes = 16;

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-';
}

bool IsName(std::string_view text) {
  if (text.empty() || text.size() > kMaxNameBytes) return false;
  if (!IsNameChar(text[0]) || text[0] == '.' || text[0] == '_' || text[0] == '-') return false;
  for (char c : text) {
    if (!IsNameChar(c)) return false;
  }
  return true;
}

}  // namespace

Status ValidateKeyId(std::string_view key_id) {
  if (IsName(key_id)) return OkStatus();
  return Error::InvalidArgument(
      "key_id", "bad-key-id",
      "a key id is 1 to 64 of a-z 0-9 . _ -, starting with a letter or digit");
}

namespace internal {

std::vector<uint8_t> KekAssociatedData(const KekRef& kek) {
  static constexpr std::string_view kLabel{"clearway-kek\0", 13};
  std::vector<uint8_t> out;
  out.reserve(kLabel.size() + 4 + kek.key_id.size() + 4);
  AppendText(out, kLabel);
  AppendPrefixed(out, kek.key_id);
  AppendUint32(out, kek.version);
  return out;
}

Result<std::vector<uint8_t>> BlindIndexMessage(std::string_view purpose, std::string_view value) {
  if (!IsName(purpose)) {
    return Error::InvalidArgument(
        "purpose", "bad-blind-index-purpose",
        "a blind-index purpose is 1 to 64 of a-z 0-9 . _ -, such as invoice-number");
  }
  if (value.empty()) {
    return Error::InvalidArgument("value", "empty-blind-index-value",
                                  "an empty value has no blind index");
  }
  std::vector<uint8_t> message;
  message.reserve(4 + purpose.size() + value.size());
  AppendPrefixed(message, purpose);
  AppendText(message, value);
  return message;
}

std::string BlindIndexText(std::span<const uint8_t> tag) {
  CW_CHECK(tag.size() >= kBlindIndexBytes);
  return crypto::ToHex(tag.first(kBlindIndexBytes));
}

}  // namespace internal

}  // namespace clearway::keys
