#include "common/ids.h"

namespace clearway {

namespace {
constexpr std::string_view kCrockford = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
}

std::string MakeUlid(Timestamp at, const std::array<uint8_t, 10>& randomness) {
  auto ms = static_cast<uint64_t>(
      std::chrono::duration_cast<std::chrono::milliseconds>(at.time_since_epoch()).count());
  std::string out(26, '0');
  for (int i = 9; i >= 0; --i) {
    out[static_cast<size_t>(i)] = kCrockford[ms & 31U];
    ms >>= 5;
  }
  // 80 random bits as 16 base32 characters, most significant first.
  for (size_t i = 0; i < 16; ++i) {
    size_t bit = i * 5;
    unsigned window = (static_cast<unsigned>(randomness[bit / 8]) << 8) |
                      (bit / 8 + 1 < randomness.size() ? randomness[bit / 8 + 1] : 0U);
    out[10 + i] = kCrockford[(window >> (11 - bit % 8)) & 31U];
  }
  return out;
}

bool IsUlid(std::string_view text) {
  if (text.size() != 26) return false;
  for (char c : text) {
    if (kCrockford.find(c) == std::string_view::npos) return false;
  }
  return true;
}

}  // namespace clearway
