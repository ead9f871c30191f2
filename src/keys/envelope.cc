#include "keys/envelope.h"

#include <string>

#include "keys/internal/byte_order.h"
#include "keys/internal/xchacha.h"

namespace clearway::keys {

static_assert(kEnvelopeOverheadBytes == internal::kXChaChaOverheadBytes);

std::vector<uint8_t> Seal(const DataKey& key, std::span<const uint8_t> plaintext,
                          std::span<const uint8_t> associated_data) {
  return internal::SealXChaCha(key.InsecureKeyBytes(), kEnvelopeFormatXChaCha20Poly1305,
                               plaintext, associated_data);
}

Result<std::vector<uint8_t>> Open(const DataKey& key, std::span<const uint8_t> ciphertext,
                                  std::span<const uint8_t> associated_data) {
  // The format byte is read before the length is judged, so a ciphertext of a future format
  // is named as such even when it is shorter than format 1's overhead.
  if (ciphertext.empty()) {
    return Error::DataLoss("ciphertext-truncated", "the ciphertext is empty");
  }
  if (ciphertext[0] != kEnvelopeFormatXChaCha20Poly1305) {
    return Error::InvalidArgument("ciphertext", "unknown-ciphertext-format",
                                  "ciphertext format " + std::to_string(ciphertext[0]) +
                                      " is not one this version reads (1)");
  }
  if (ciphertext.size() < kEnvelopeOverheadBytes) {
    return Error::DataLoss("ciphertext-truncated",
                           "the ciphertext is " + std::to_string(ciphertext.size()) +
                               " bytes, shorter than the " +
                               std::to_string(kEnvelopeOverheadBytes) + " every one has");
  }
  std::vector<uint8_t> plaintext(ciphertext.size() - kEnvelopeOverheadBytes);
  if (!internal::OpenXChaCha(key.InsecureKeyBytes(), ciphertext, associated_data, plaintext)) {
    return Error::DataLoss("decrypt-failed",
                           "the ciphertext does not open with this key and record");
  }
  return plaintext;
}

std::vector<uint8_t> AssociatedData(std::string_view record_id, uint32_t version) {
  static constexpr std::string_view kLabel{"clearway-record\0", 16};
  std::vector<uint8_t> out;
  out.reserve(kLabel.size() + 4 + record_id.size() + 4);
  internal::AppendText(out, kLabel);
  internal::AppendPrefixed(out, record_id);
  internal::AppendUint32(out, version);
  return out;
}

}  // namespace clearway::keys
