#include "identity/recovery_codes.h"

#include <algorithm>
#include <optional>
#include <set>

#include "crypto/crypto.h"

namespace clearway::identity {
namespace {

// Crockford's Base32: digits and upper-case letters without I, L, O and U.
constexpr std::string_view kAlphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";
static_assert(kAlphabet.size() == 32);

constexpr std::string_view kDomain = "clearway recovery code v1";

std::optional<char> CanonicalSymbol(char c) {
  if (c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
  if (c == 'O') return '0';
  if (c == 'I' || c == 'L') return '1';
  if (kAlphabet.find(c) == std::string_view::npos) return std::nullopt;
  return c;
}

std::string Format(std::string_view symbols) {
  std::string out;
  for (size_t pos = 0; pos < symbols.size(); ++pos) {
    if (pos != 0 && pos % 4 == 0) out += '-';
    out += symbols[pos];
  }
  return out;
}

std::string RandomSymbols() {
  std::array<uint8_t, kRecoveryCodeSymbols> random{};
  crypto::RandomBytes(random);
  std::string symbols;
  // 256 is a multiple of 32, so the low five bits of a uniform byte are uniform: no bias.
  for (uint8_t byte : random) symbols += kAlphabet[byte & 31];
  return symbols;
}

}  // namespace

Result<RecoveryCodeSet> GenerateRecoveryCodes(std::string_view user_id, size_t count) {
  if (count == 0 || count > kMaxRecoveryCodeCount) {
    return Error::InvalidArgument("count", "recovery-code-count",
                                  "between 1 and 32 recovery codes can be generated");
  }
  RecoveryCodeSet set;
  std::set<std::string> seen;
  while (set.codes.size() < count) {
    std::string symbols = RandomSymbols();
    // A repeat has probability ~2^-60 per pair; skipping it keeps "single use" exact.
    if (!seen.insert(symbols).second) continue;
    set.stored.push_back({HashRecoveryCode(user_id, symbols), false});
    set.codes.push_back(Format(symbols));
  }
  return set;
}

Result<std::string> NormaliseRecoveryCode(std::string_view typed) {
  std::string symbols;
  for (char c : typed) {
    if (c == '-' || c == ' ') continue;
    std::optional<char> symbol = CanonicalSymbol(c);
    if (!symbol.has_value() || symbols.size() == kRecoveryCodeSymbols) {
      return Error::InvalidArgument("recovery_code", "recovery-code-malformed",
                                    "a recovery code is 12 letters and digits");
    }
    symbols += *symbol;
  }
  if (symbols.size() != kRecoveryCodeSymbols) {
    return Error::InvalidArgument("recovery_code", "recovery-code-malformed",
                                  "a recovery code is 12 letters and digits");
  }
  return symbols;
}

RecoveryCodeHash HashRecoveryCode(std::string_view user_id, std::string_view normalised_code) {
  std::string input(kDomain);
  input += '\0';
  input += user_id;
  input += '\0';
  input += normalised_code;
  return crypto::Sha256(input);
}

Result<size_t> MatchRecoveryCode(std::string_view user_id, std::string_view typed,
                                 std::span<const StoredRecoveryCode> stored) {
  CW_ASSIGN_OR_RETURN(std::string symbols, NormaliseRecoveryCode(typed));
  const RecoveryCodeHash presented = HashRecoveryCode(user_id, symbols);
  std::optional<size_t> unused_match;
  bool used_match = false;
  // No early exit: every entry is compared so timing does not reveal the position.
  for (size_t entry_idx = 0; entry_idx < stored.size(); ++entry_idx) {
    const bool equal = crypto::ConstantTimeEqual(presented, stored[entry_idx].hash);
    if (equal && !stored[entry_idx].used) unused_match = entry_idx;
    if (equal && stored[entry_idx].used) used_match = true;
  }
  if (unused_match.has_value()) return *unused_match;
  if (used_match) {
    return Error::Unauthenticated("recovery-code-used", "this recovery code was already used");
  }
  return Error::Unauthenticated("recovery-code-invalid", "the recovery code is not valid");
}

Result<size_t> ConsumeRecoveryCode(std::string_view user_id, std::string_view typed,
                                   std::span<StoredRecoveryCode> stored) {
  CW_ASSIGN_OR_RETURN(
      size_t index, MatchRecoveryCode(user_id, typed, std::span<const StoredRecoveryCode>(stored)));
  stored[index].used = true;
  return index;
}

size_t RemainingRecoveryCodes(std::span<const StoredRecoveryCode> stored) {
  return static_cast<size_t>(std::count_if(stored.begin(), stored.end(),
                                           [](const StoredRecoveryCode& s) { return !s.used; }));
}

}  // namespace clearway::identity
