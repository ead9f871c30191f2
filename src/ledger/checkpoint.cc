#include "ledger/checkpoint.h"

#include <charconv>

#include "ledger/internal/text.h"

namespace clearway::ledger {
namespace {

Error Malformed(std::string message) {
  return Error::InvalidArgument("", "malformed-checkpoint", std::move(message));
}

// A checkpoint line: non-empty note text without its newline.
bool IsValidLine(std::string_view line) {
  return !line.empty() && line.find('\n') == std::string_view::npos &&
         internal::IsValidNoteText(std::string(line) + "\n");
}

}  // namespace

Result<std::string> FormatCheckpoint(const Checkpoint& checkpoint) {
  if (!IsValidLine(checkpoint.origin)) {
    return Error::InvalidArgument("origin", "bad-checkpoint", "the origin must be one text line");
  }
  std::string out = checkpoint.origin + "\n" + std::to_string(checkpoint.size) + "\n" +
                    internal::Base64Encode(checkpoint.root) + "\n";
  for (const std::string& extension : checkpoint.extensions) {
    if (!IsValidLine(extension)) {
      return Error::InvalidArgument("extensions", "bad-checkpoint",
                                    "an extension must be one non-empty text line");
    }
    out += extension + "\n";
  }
  return out;
}

Result<Checkpoint> ParseCheckpoint(std::string_view text) {
  if (!internal::IsValidNoteText(text)) return Malformed("not UTF-8 text ending in a newline");
  std::vector<std::string_view> lines;
  for (size_t start = 0; start < text.size();) {
    const size_t end = text.find('\n', start);
    lines.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  if (lines.size() < 3) return Malformed("a checkpoint has at least three lines");
  Checkpoint out;
  if (lines[0].empty()) return Malformed("empty origin");
  out.origin = std::string(lines[0]);
  const std::string_view size = lines[1];
  // Decimal without sign or leading zeros, so that each size has exactly one spelling.
  if (size.empty() || (size.size() > 1 && size[0] == '0') ||
      size.find_first_not_of("0123456789") != std::string_view::npos) {
    return Malformed("tree size is not a canonical decimal");
  }
  const auto [end, ec] = std::from_chars(size.data(), size.data() + size.size(), out.size);
  if (ec != std::errc() || end != size.data() + size.size())
    return Malformed("tree size overflows");
  std::optional<std::vector<uint8_t>> root = internal::Base64Decode(lines[2]);
  if (!root || root->size() != out.root.size()) return Malformed("root is not a base64 SHA-256");
  std::copy(root->begin(), root->end(), out.root.begin());
  for (size_t line_idx = 3; line_idx < lines.size(); ++line_idx) {
    if (lines[line_idx].empty()) return Malformed("empty extension line");
    out.extensions.emplace_back(lines[line_idx]);
  }
  return out;
}

Result<std::string> SignCheckpoint(const Checkpoint& checkpoint, const NoteSigner& signer) {
  CW_ASSIGN_OR_RETURN(std::string text, FormatCheckpoint(checkpoint));
  CW_ASSIGN_OR_RETURN(NoteSignature signature, signer.Sign(text));
  return FormatNote(SignedNote{std::move(text), {std::move(signature)}});
}

Result<OpenedCheckpoint> OpenCheckpoint(std::string_view signed_note, const VerifierKey& log_key) {
  if (log_key.type != NoteKeyType::kEd25519) {
    return Error::InvalidArgument("", "wrong-key-type", "a log signs with an Ed25519 (0x01) key");
  }
  CW_ASSIGN_OR_RETURN(SignedNote note, ParseNote(signed_note));
  CW_RETURN_IF_ERROR(VerifyNote(note, {log_key}));
  CW_ASSIGN_OR_RETURN(Checkpoint checkpoint, ParseCheckpoint(note.text));
  return OpenedCheckpoint{std::move(checkpoint), std::move(note)};
}

Result<std::vector<VerifiedSignature>> VerifyCosignatures(
    const SignedNote& note, const std::vector<VerifierKey>& witness_keys) {
  std::vector<VerifierKey> cosigners;
  for (const VerifierKey& key : witness_keys) {
    if (key.type == NoteKeyType::kCosignatureV1) cosigners.push_back(key);
  }
  return VerifyNote(note, cosigners);
}

std::string AddSignature(const SignedNote& note, const NoteSignature& signature) {
  return FormatNote(note) + FormatSignatureLine(signature);
}

}  // namespace clearway::ledger
