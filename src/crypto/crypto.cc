#include "crypto/crypto.h"

#include <openssl/evp.h>
#include <sodium.h>

#include <cstdlib>
#include <memory>
#include <mutex>

namespace clearway::crypto {

void Initialise() {
  static std::once_flag once;
  std::call_once(once, [] {
    // sodium_init() fails only if the OS has no usable randomness: nothing safe can follow.
    CW_CHECK(sodium_init() >= 0);
  });
}

void RandomBytes(std::span<uint8_t> out) {
  Initialise();
  randombytes_buf(out.data(), out.size());
}

std::string RandomToken(size_t bytes) {
  std::vector<uint8_t> raw(bytes);
  RandomBytes(raw);
  std::string out(sodium_base64_ENCODED_LEN(bytes, sodium_base64_VARIANT_URLSAFE_NO_PADDING), '\0');
  sodium_bin2base64(out.data(), out.size(), raw.data(), raw.size(),
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(std::char_traits<char>::length(out.c_str()));
  sodium_memzero(raw.data(), raw.size());
  return out;
}

// SHA-256 runs through OpenSSL, whose implementation uses the CPU's SHA extensions or vector
// units (libsodium's crypto_hash_sha256 is portable C, about four times slower on this
// machine, and the ledger hashes every leaf and node with it: issue 9). The algorithm is
// fetched once for the process (an implicit fetch per call costs more than hashing a leaf),
// and each thread reuses its own digest context.
namespace {
const EVP_MD* Sha256Algorithm() {
  // Lives as long as the process: never freed, so no thread can use it after teardown.
  static const EVP_MD* const algorithm = EVP_MD_fetch(nullptr, "SHA256", nullptr);
  CW_CHECK(algorithm != nullptr);
  return algorithm;
}

struct DigestContextFree {
  void operator()(EVP_MD_CTX* ctx) const { EVP_MD_CTX_free(ctx); }
};
}  // namespace

Sha256Digest Sha256(std::span<const uint8_t> data) {
  thread_local std::unique_ptr<EVP_MD_CTX, DigestContextFree> ctx(EVP_MD_CTX_new());
  Sha256Digest digest;
  unsigned int length = 0;
  // Failure here means OpenSSL could not run SHA-256 at all: nothing safe can follow.
  CW_CHECK(ctx != nullptr && EVP_DigestInit_ex2(ctx.get(), Sha256Algorithm(), nullptr) == 1 &&
           EVP_DigestUpdate(ctx.get(), data.data(), data.size()) == 1 &&
           EVP_DigestFinal_ex(ctx.get(), digest.data(), &length) == 1 &&
           length == digest.size());
  return digest;
}

Sha256Digest Sha256(std::string_view data) {
  return Sha256(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(data.data()), data.size()));
}

std::string ToHex(std::span<const uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out;
  out.reserve(bytes.size() * 2);
  for (uint8_t b : bytes) {
    out += kDigits[b >> 4];
    out += kDigits[b & 15];
  }
  return out;
}

Result<std::vector<uint8_t>> FromHex(std::string_view hex) {
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  if (hex.size() % 2 != 0) return Error::InvalidArgument("", "bad-hex", "odd number of hex digits");
  std::vector<uint8_t> out(hex.size() / 2);
  for (size_t i = 0; i < out.size(); ++i) {
    int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return Error::InvalidArgument("", "bad-hex", "not a hex digit");
    out[i] = static_cast<uint8_t>(hi << 4 | lo);
  }
  return out;
}

std::string Base64Encode(std::string_view data) {
  Initialise();
  std::string out(sodium_base64_ENCODED_LEN(data.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(out.data(), out.size(), reinterpret_cast<const unsigned char*>(data.data()),
                    data.size(), sodium_base64_VARIANT_ORIGINAL);
  out.resize(out.size() - 1);   // the terminating NUL
  return out;
}

Result<std::string> Base64Decode(std::string_view text) {
  Initialise();
  std::string out(text.size() / 4 * 3 + 3, '\0');
  size_t length = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(),
                        text.size(), nullptr, &length, &end, sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != text.data() + text.size()) {
    return Error::InvalidArgument("", "bad-base64", "not standard padded base64");
  }
  out.resize(length);
  return out;
}

bool ConstantTimeEqual(std::span<const uint8_t> a, std::span<const uint8_t> b) {
  if (a.size() != b.size()) return false;
  if (a.empty()) return true;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

bool ConstantTimeEqual(std::string_view a, std::string_view b) {
  return ConstantTimeEqual(
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(a.data()), a.size()),
      std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(b.data()), b.size()));
}

Result<std::string> HashPassword(std::string_view password, PasswordHashParams params) {
  Initialise();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), params.ops_limit,
                            params.mem_limit_bytes, crypto_pwhash_ALG_ARGON2ID13) != 0) {
    return Error::ResourceExhausted("password-hash-failed", "not enough memory to hash password");
  }
  return std::string(out);
}

bool VerifyPassword(std::string_view hash, std::string_view password) {
  Initialise();
  std::string stored(hash);   // needs a NUL-terminated string
  return crypto_pwhash_str_verify(stored.c_str(), password.data(), password.size()) == 0;
}

}  // namespace clearway::crypto
