#include "identity/totp.h"

#include <array>

#include "crypto/crypto.h"
#include "crypto/hmac.h"

namespace clearway::identity {
namespace {

constexpr std::string_view kBase32Alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";

char AsciiUpper(char c) { return (c >= 'a' && c <= 'z') ? static_cast<char>(c - 'a' + 'A') : c; }

int Base32Value(char c) {
  c = AsciiUpper(c);
  if (c >= 'A' && c <= 'Z') return c - 'A';
  if (c >= '2' && c <= '7') return c - '2' + 26;
  return -1;
}

Error BadBase32(std::string message) {
  return Error::InvalidArgument("", "bad-base32", std::move(message));
}

uint32_t Pow10(int digits) {
  uint32_t out = 1;
  for (int digit_idx = 0; digit_idx < digits; ++digit_idx) out *= 10;
  return out;
}

// HotpValue() is RFC 4226 §5.3: HMAC over the 8-byte big-endian counter, then dynamic
// truncation to a 31-bit integer.
uint32_t HotpValue(std::span<const uint8_t> secret, TotpAlgorithm algorithm, uint64_t counter) {
  std::array<uint8_t, 8> message{};
  for (size_t byte_idx = 0; byte_idx < message.size(); ++byte_idx) {
    message[7 - byte_idx] = static_cast<uint8_t>(counter >> (8 * byte_idx));
  }
  auto truncate = [](std::span<const uint8_t> mac) {
    const size_t offset = mac.back() & 0x0f;
    return (static_cast<uint32_t>(mac[offset] & 0x7f) << 24) |
           (static_cast<uint32_t>(mac[offset + 1]) << 16) |
           (static_cast<uint32_t>(mac[offset + 2]) << 8) | static_cast<uint32_t>(mac[offset + 3]);
  };
  if (algorithm == TotpAlgorithm::kSha256) return truncate(crypto::HmacSha256(secret, message));
  return truncate(crypto::HmacSha1(secret, message));
}

}  // namespace

std::string_view TotpAlgorithmName(TotpAlgorithm algorithm) {
  return algorithm == TotpAlgorithm::kSha256 ? "SHA256" : "SHA1";
}

Result<TotpAlgorithm> ParseTotpAlgorithm(std::string_view name) {
  std::string upper;
  for (char c : name) upper += AsciiUpper(c);
  if (upper == "SHA1") return TotpAlgorithm::kSha1;
  if (upper == "SHA256") return TotpAlgorithm::kSha256;
  return Error::InvalidArgument("algorithm", "totp-bad-algorithm",
                                "TOTP algorithm must be SHA1 or SHA256");
}

TotpStep TotpStepAt(Timestamp t) {
  const auto seconds = std::chrono::floor<std::chrono::seconds>(t.time_since_epoch()).count();
  const long long period = kTotpPeriod.count();
  // Floor division, so the second before the epoch is step -1 and not step 0.
  long long step = seconds / period;
  if (seconds % period != 0 && seconds < 0) --step;
  return step;
}

std::vector<uint8_t> GenerateTotpSecret(TotpAlgorithm algorithm) {
  std::vector<uint8_t> secret(algorithm == TotpAlgorithm::kSha256 ? kTotpSha256SecretBytes
                                                                  : kTotpSha1SecretBytes);
  crypto::RandomBytes(secret);
  return secret;
}

Result<Totp> Totp::New(std::vector<uint8_t> secret, TotpParams params) {
  if (secret.size() < kTotpMinSecretBytes) {
    return Error::InvalidArgument("secret", "totp-bad-secret",
                                  "TOTP secret must be at least 16 bytes");
  }
  if (params.digits != 6 && params.digits != 8) {
    return Error::InvalidArgument("digits", "totp-bad-digits", "TOTP codes have 6 or 8 digits");
  }
  return Totp(std::move(secret), params);
}

std::string Totp::Generate(TotpStep step) const {
  if (step < 0) return "";
  uint32_t value =
      HotpValue(secret_, params_.algorithm, static_cast<uint64_t>(step)) % Pow10(params_.digits);
  std::string code(static_cast<size_t>(params_.digits), '0');
  for (size_t pos = code.size(); pos > 0; --pos) {
    code[pos - 1] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
  return code;
}

std::string Totp::GenerateAt(Timestamp t) const { return Generate(TotpStepAt(t)); }

Result<TotpStep> Totp::Verify(std::string_view code, Timestamp now,
                              std::optional<TotpStep> last_used_step) const {
  bool well_formed = code.size() == static_cast<size_t>(params_.digits);
  for (char c : code) well_formed = well_formed && c >= '0' && c <= '9';
  if (!well_formed) {
    return Error::InvalidArgument(
        "totp", "totp-malformed",
        "the one-time code must be " + std::to_string(params_.digits) + " digits");
  }
  const TotpStep current = TotpStepAt(now);
  // Every candidate is computed and compared, so timing does not reveal which step matched.
  // Preferring the newest fresh match means a (one in a million) code collision between an
  // old and a new step is never misreported as a replay.
  std::optional<TotpStep> fresh_match;
  bool stale_match = false;
  for (TotpStep step = current - 1; step <= current + 1; ++step) {
    const std::string expected = Generate(step);
    const bool equal = crypto::ConstantTimeEqual(expected, code);
    const bool fresh = !last_used_step.has_value() || step > *last_used_step;
    if (equal && fresh) fresh_match = step;
    if (equal && !fresh) stale_match = true;
  }
  if (fresh_match.has_value()) return *fresh_match;
  if (stale_match) {
    return Error::Unauthenticated("totp-replayed", "this one-time code was already used");
  }
  return Error::Unauthenticated("totp-invalid", "the one-time code is not valid");
}

std::string Base32Encode(std::span<const uint8_t> bytes) {
  std::string out;
  out.reserve((bytes.size() * 8 + 4) / 5);
  uint32_t buffer = 0;
  int bits = 0;
  for (uint8_t byte : bytes) {
    buffer = (buffer << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      bits -= 5;
      out += kBase32Alphabet[(buffer >> bits) & 31];
    }
  }
  if (bits > 0) out += kBase32Alphabet[(buffer << (5 - bits)) & 31];
  return out;
}

Result<std::vector<uint8_t>> Base32Decode(std::string_view text) {
  size_t data_length = text.size();
  while (data_length > 0 && text[data_length - 1] == '=') --data_length;
  const size_t padding = text.size() - data_length;
  // RFC 4648 §6: a final quantum has 2, 4, 5 or 7 characters; 1, 3 and 6 cannot occur.
  const size_t tail = data_length % 8;
  if (tail == 1 || tail == 3 || tail == 6) return BadBase32("impossible Base32 length");
  if (padding != 0 && (text.size() % 8 != 0 || padding >= 8)) {
    return BadBase32("wrong Base32 padding");
  }
  std::vector<uint8_t> out;
  out.reserve(data_length * 5 / 8);
  uint32_t buffer = 0;
  int bits = 0;
  for (size_t char_idx = 0; char_idx < data_length; ++char_idx) {
    const int value = Base32Value(text[char_idx]);
    if (value < 0) return BadBase32("not a Base32 character");
    buffer = (buffer << 5) | static_cast<uint32_t>(value);
    bits += 5;
    if (bits >= 8) {
      bits -= 8;
      out.push_back(static_cast<uint8_t>(buffer >> bits));
    }
  }
  if ((buffer & ((1u << bits) - 1)) != 0) return BadBase32("non-zero trailing Base32 bits");
  return out;
}

}  // namespace clearway::identity
