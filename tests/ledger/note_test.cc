#include "ledger/note.h"

#include <gtest/gtest.h>

#include "crypto/crypto.h"
#include "crypto/signature.h"
#include "ledger/internal/text.h"
#include "testing/matchers.h"

namespace clearway::ledger {
namespace {

using clearway::testing::HasCode;
using clearway::testing::HasReason;
using clearway::testing::IsOk;

// The example of golang.org/x/mod/sumdb/note, the reference implementation of signed notes
// (checked with Python's `cryptography` Ed25519 and hashlib before use here).
constexpr std::string_view kGoVerifierKey =
    "PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW";
constexpr std::string_view kGoText =
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n";
constexpr std::string_view kGoNote =
    "If you think cryptography is the answer to your problem,\n"
    "then you don't know what your problem is.\n"
    "\n"
    "\xE2\x80\x94 PeterNeumann "
    "x08go/ZJkuBS9UG/"
    "SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n";

crypto::Ed25519Seed SeedFromHex(std::string_view hex) {
  return crypto::Ed25519Seed::FromBytes(crypto::FromHex(hex).value()).value();
}

TEST(NoteTest, ReferenceExampleVerifies) {
  auto key = ParseVerifierKey(kGoVerifierKey);
  ASSERT_THAT(key, IsOk());
  EXPECT_EQ(key->name, "PeterNeumann");
  EXPECT_EQ(key->type, NoteKeyType::kEd25519);
  EXPECT_EQ(key->KeyId(), 0xc74f20a3u);
  EXPECT_EQ(FormatVerifierKey(*key), kGoVerifierKey);

  auto note = ParseNote(kGoNote);
  ASSERT_THAT(note, IsOk());
  EXPECT_EQ(note->text, kGoText);
  ASSERT_EQ(note->signatures.size(), 1u);
  EXPECT_EQ(note->signatures[0].key_id, 0xc74f20a3u);
  EXPECT_EQ(FormatNote(*note), kGoNote);
  auto verified = VerifyNote(*note, {*key});
  ASSERT_THAT(verified, IsOk());
  ASSERT_EQ(verified->size(), 1u);
  EXPECT_EQ((*verified)[0].key, *key);
  EXPECT_FALSE((*verified)[0].timestamp.has_value());
}

TEST(NoteTest, TamperedTextOrSignatureIsRefused) {
  const VerifierKey key = ParseVerifierKey(kGoVerifierKey).value();
  SignedNote note = ParseNote(kGoNote).value();
  SignedNote altered_text = note;
  altered_text.text[3] = 'Y';
  EXPECT_THAT(VerifyNote(altered_text, {key}), HasReason("bad-signature"));
  for (size_t bit = 0; bit < note.signatures[0].payload.size() * 8; ++bit) {
    SignedNote altered = note;
    altered.signatures[0].payload[bit / 8] ^= static_cast<uint8_t>(1u << (bit % 8));
    ASSERT_THAT(VerifyNote(altered, {key}), HasReason("bad-signature")) << bit;
  }
  SignedNote short_signature = note;
  short_signature.signatures[0].payload.pop_back();
  EXPECT_THAT(VerifyNote(short_signature, {key}), HasReason("bad-signature"));
}

TEST(NoteTest, WrongKeyIsRefused) {
  auto other = crypto::Ed25519Signer::Generate();
  const VerifierKey same_name =
      MakeVerifierKey("PeterNeumann", NoteKeyType::kEd25519, other->public_key()).value();
  const SignedNote note = ParseNote(kGoNote).value();
  EXPECT_THAT(VerifyNote(note, {same_name}), HasReason("no-known-signature"));
  EXPECT_THAT(VerifyNote(note, {}), HasReason("no-known-signature"));
  VerifierKey renamed = ParseVerifierKey(kGoVerifierKey).value();
  renamed.name = "PeterNeumann2";
  EXPECT_THAT(VerifyNote(note, {renamed}), HasCode(ErrorCode::kUnauthenticated));
}

TEST(NoteTest, SignAndVerifyRoundTripWithUnknownSignaturesIgnored) {
  auto log_key = crypto::Ed25519Signer::Generate();
  auto stranger_key = crypto::Ed25519Signer::Generate();
  auto signer = NoteSigner::New("log.example", log_key.get()).value();
  auto stranger = NoteSigner::New("stranger.example", stranger_key.get()).value();
  const std::string text = "hello\nworld\n";
  SignedNote note{text, {stranger.Sign(text).value(), signer.Sign(text).value()}};
  auto parsed = ParseNote(FormatNote(note));
  ASSERT_THAT(parsed, IsOk());
  ASSERT_EQ(parsed->signatures.size(), 2u);
  auto verified = VerifyNote(*parsed, {signer.verifier_key()});
  ASSERT_THAT(verified, IsOk());
  ASSERT_EQ(verified->size(), 1u);
  EXPECT_EQ((*verified)[0].key, signer.verifier_key());
  // Both keys known: both reported.
  EXPECT_EQ(VerifyNote(*parsed, {signer.verifier_key(), stranger.verifier_key()})->size(), 2u);
  // A known key's second line is ignored, as in the reference implementation; a bad line of
  // a known key is refused even when another known key signed.
  SignedNote repeated = *parsed;
  NoteSignature garbage = repeated.signatures[1];
  garbage.payload[0] ^= 1;
  repeated.signatures.push_back(garbage);
  EXPECT_THAT(VerifyNote(repeated, {signer.verifier_key()}), IsOk());
  SignedNote bad_first = *parsed;
  bad_first.signatures[0].payload[5] ^= 1;
  EXPECT_THAT(VerifyNote(bad_first, {signer.verifier_key(), stranger.verifier_key()}),
              HasReason("bad-signature"));
}

TEST(NoteTest, SignerRefusesBadTextAndNames) {
  auto key = crypto::Ed25519Signer::Generate();
  auto signer = NoteSigner::New("log.example", key.get()).value();
  EXPECT_THAT(signer.Sign("no newline"), HasReason("bad-note-text"));
  EXPECT_THAT(signer.Sign("tab\there\n"), HasReason("bad-note-text"));
  EXPECT_THAT(signer.Sign("bad utf-8 \xC3\x28\n"), HasReason("bad-note-text"));
  EXPECT_THAT(signer.Sign("caf\xC3\xA9 \xE2\x80\x94 ok\n"), IsOk());
  for (std::string_view name :
       {"", "a b", "a+b", "a\tb", "a\nb", "nb\xC2\xA0sp", "em\xE2\x80\x83sp", "bad\xFFutf8"}) {
    EXPECT_THAT(NoteSigner::New(std::string(name), key.get()), HasReason("bad-key-name")) << name;
  }
  EXPECT_THAT(NoteSigner::New("caf\xC3\xA9.example/log", key.get()), IsOk());
}

TEST(NoteTest, MalformedNotesAreRefused) {
  const std::string sig_line = std::string(kGoNote.substr(kGoNote.rfind("\n\n") + 2));
  const std::string text(kGoText);
  const std::string em_dash = "\xE2\x80\x94 ";
  for (const std::string& bad : std::vector<std::string>{
           text,                                                   // no blank line, no signatures
           text + "\n",                                            // no signature lines
           text + "\n" + sig_line.substr(0, sig_line.size() - 1),  // no final newline
           text + "\n" + "- PeterNeumann AAAAAAAA\n",              // hyphen, not em dash
           text + "\n" + em_dash + "PeterNeumann\n",               // no signature
           text + "\n" + em_dash + "PeterNeumann AAAA\n",          // 3 bytes: shorter than a key id
           text + "\n" + em_dash + "PeterNeumann AAAAAAB=\n",      // non-canonical base64
           text + "\n" + em_dash + "PeterNeumann AAAAAAAA \n",     // trailing space
           text + "\n" + em_dash + "Peter+Neumann AAAAAAAA\n",     // '+' in the name
           text + "\n" + sig_line + "\n",                          // a blank line among signatures
           "tab\there\n\n" + sig_line,                             // control character in the text
       }) {
    EXPECT_THAT(ParseNote(bad), HasReason("malformed-note")) << bad;
  }
  std::string many = text + "\n";
  for (int count = 0; count < 101; ++count) many += sig_line;
  EXPECT_THAT(ParseNote(many), HasReason("too-many-signatures"));
}

TEST(NoteTest, VerifierKeyStringsAreChecked) {
  EXPECT_THAT(ParseVerifierKey("PeterNeumann+c74f20a3"), HasReason("bad-verifier-key"));
  EXPECT_THAT(ParseVerifierKey("PeterNeumann+c74f20a+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"),
              HasReason("bad-verifier-key"));
  EXPECT_THAT(
      ParseVerifierKey("PeterNeumann+c74f20zz+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"),
      HasReason("bad-verifier-key"));
  EXPECT_THAT(
      ParseVerifierKey("PeterNeumann+c74f20a4+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"),
      HasReason("key-id-mismatch"));
  EXPECT_THAT(ParseVerifierKey("PeterNeuman+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"),
              HasReason("key-id-mismatch"));
  EXPECT_THAT(ParseVerifierKey("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10T"),
              HasReason("bad-verifier-key"));
  EXPECT_THAT(ParseVerifierKey("PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy"),
              HasReason("bad-verifier-key"));
  // Type 0x02 in place of 0x01.
  EXPECT_THAT(
      ParseVerifierKey("PeterNeumann+c74f20a3+Ahpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"),
      HasReason("unsupported-key-type"));
  EXPECT_THAT(
      ParseVerifierKey("Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"),
      HasReason("bad-verifier-key"));
}

// Cosignature known answer: key = RFC 8032 test 2 seed, computed independently with Python's
// `cryptography` from the c2sp.org/tlog-cosignature description.
TEST(NoteTest, CosignatureKnownAnswerAndRoundTrip) {
  const std::string checkpoint =
      "example.com/clearway\n8\nXcnaeacGWamtVZy3Ad7ZoqudgjqtL0lgz+Nw7/RgQyg=\n";
  auto key = crypto::Ed25519Signer::FromSeed(
      SeedFromHex("4ccd089b28ff96da9db6c346ec114e0f5b8a319f35aba624da8cf6ed4fb8a6fb"));
  auto cosigner = Cosigner::New("witness.example", key.get()).value();
  EXPECT_EQ(FormatVerifierKey(cosigner.verifier_key()),
            "witness.example+67550f4e+BD1AF8PoQ4lakrcKp00bfrycmCzPLsSWjMDNVfEq9GYM");
  const Timestamp time{std::chrono::seconds(1'700'000'000) + std::chrono::microseconds(999'999)};
  auto cosignature = cosigner.Cosign(checkpoint, time);
  ASSERT_THAT(cosignature, IsOk());
  EXPECT_EQ(
      FormatSignatureLine(*cosignature),
      "\xE2\x80\x94 witness.example Z1UPTgAAAABlU/EAf8OEelel19Mycj8X3zWfnyPwAQRkvUZvFEzjHkvS5DQ8"
      "Gg0LN5UZQJYesNQLJltBsJWGT6l8v880u01XwvxIAw==\n");
  SignedNote note{checkpoint, {*cosignature}};
  auto verified = VerifyNote(note, {cosigner.verifier_key()});
  ASSERT_THAT(verified, IsOk());
  EXPECT_EQ((*verified)[0].timestamp, 1'700'000'000u);
  // The time is signed: changing it breaks the signature.
  SignedNote moved = note;
  moved.signatures[0].payload[7] ^= 1;
  EXPECT_THAT(VerifyNote(moved, {cosigner.verifier_key()}), HasReason("bad-signature"));
  // A cosignature key is a different key id from the same public key as an Ed25519 note key.
  const VerifierKey as_plain =
      MakeVerifierKey("witness.example", NoteKeyType::kEd25519, key->public_key()).value();
  EXPECT_NE(as_plain.KeyId(), cosigner.verifier_key().KeyId());
  EXPECT_THAT(VerifyNote(note, {as_plain}), HasReason("no-known-signature"));
  EXPECT_THAT(cosigner.Cosign(checkpoint, Timestamp{std::chrono::seconds(-1)}),
              HasReason("bad-timestamp"));
}

TEST(NoteTest, Base64IsStrict) {
  using internal::Base64Decode;
  using internal::Base64Encode;
  for (std::string_view text : {"", "f", "fo", "foo", "foob", "fooba", "foobar"}) {
    const std::string encoded = Base64Encode(internal::AsBytes(text));
    auto decoded = Base64Decode(encoded);
    ASSERT_TRUE(decoded.has_value()) << encoded;
    EXPECT_EQ(std::string(decoded->begin(), decoded->end()), text);
  }
  EXPECT_EQ(Base64Encode(internal::AsBytes("foobar")), "Zm9vYmFy");  // RFC 4648 §10
  EXPECT_EQ(Base64Encode(internal::AsBytes("fo")), "Zm8=");
  for (std::string_view bad : {"Zm8", "Zm9=", "Zg=", "Z===", "====", "Zm 8", "Zm8=\n", "Zm=8",
                               "Zh==", "Zm9vY-Fy", "Zm9vY_Fy"}) {
    EXPECT_FALSE(Base64Decode(bad).has_value()) << bad;
  }
}

}  // namespace
}  // namespace clearway::ledger
