#include "identity/mfa_enrolment.h"

#include <regex>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "testing/matchers.h"

namespace clearway::identity {
namespace {

using clearway::testing::HasCode;
using clearway::testing::HasReason;
using clearway::testing::IsOk;

std::vector<uint8_t> Seed(std::string_view ascii) { return {ascii.begin(), ascii.end()}; }

TotpEnrolment Alice() {
  return {"Clearway", "alice@example.org", Seed("12345678901234567890"), {}};
}

TEST(OtpauthUriTest, WritesTheKeyUriFormat) {
  auto uri = MakeOtpauthUri(Alice());
  ASSERT_THAT(uri, IsOk());
  // Base32 of "12345678901234567890" is the RFC 6238 secret as apps show it.
  EXPECT_EQ(*uri,
            "otpauth://totp/Clearway:alice%40example.org?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
            "&issuer=Clearway&algorithm=SHA1&digits=6&period=30");
}

TEST(OtpauthUriTest, PercentEncodesSpacesAndNonAscii) {
  TotpEnrolment enrolment{"Clearway (staging)",
                          "zoë müller+1/x?&=",
                          Seed("12345678901234567890123456789012"),
                          {TotpAlgorithm::kSha256, 8}};
  auto uri = MakeOtpauthUri(enrolment);
  ASSERT_THAT(uri, IsOk());
  EXPECT_EQ(*uri,
            "otpauth://totp/Clearway%20%28staging%29:zo%C3%AB%20m%C3%BCller%2B1%2Fx%3F%26%3D"
            "?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQGEZA"
            "&issuer=Clearway%20%28staging%29&algorithm=SHA256&digits=8&period=30");
  auto parsed = ParseOtpauthUri(*uri);
  ASSERT_THAT(parsed, IsOk());
  EXPECT_EQ(*parsed, enrolment);
}

TEST(OtpauthUriTest, RoundTripsGeneratedSecretsForBothAlgorithms) {
  for (TotpAlgorithm algorithm : {TotpAlgorithm::kSha1, TotpAlgorithm::kSha256}) {
    for (int digits : {6, 8}) {
      TotpEnrolment enrolment{
          "Clearway", "bob", GenerateTotpSecret(algorithm), {algorithm, digits}};
      auto uri = MakeOtpauthUri(enrolment);
      ASSERT_THAT(uri, IsOk());
      auto parsed = ParseOtpauthUri(*uri);
      ASSERT_THAT(parsed, IsOk());
      EXPECT_EQ(*parsed, enrolment);
    }
  }
}

TEST(OtpauthUriTest, RefusesLabelsWithColonsOrEmptyParts) {
  TotpEnrolment enrolment = Alice();
  enrolment.account = "alice:admin";
  EXPECT_THAT(MakeOtpauthUri(enrolment), HasReason("otpauth-bad-label"));
  enrolment = Alice();
  enrolment.issuer = "Evil:Clearway";
  EXPECT_THAT(MakeOtpauthUri(enrolment), HasReason("otpauth-bad-label"));
  enrolment = Alice();
  enrolment.account = "";
  EXPECT_THAT(MakeOtpauthUri(enrolment), HasReason("otpauth-bad-label"));
  enrolment = Alice();
  enrolment.issuer = "";
  EXPECT_THAT(MakeOtpauthUri(enrolment), HasReason("otpauth-bad-label"));
}

TEST(OtpauthUriTest, RefusesWeakSecretsAndBadDigits) {
  TotpEnrolment enrolment = Alice();
  enrolment.secret = Seed("short");
  EXPECT_THAT(MakeOtpauthUri(enrolment), HasReason("totp-bad-secret"));
  enrolment = Alice();
  enrolment.params.digits = 7;
  EXPECT_THAT(MakeOtpauthUri(enrolment), HasReason("totp-bad-digits"));
}

TEST(OtpauthUriTest, ParsesDefaultsLiteralColonAndIgnoresUnknownParameters) {
  auto parsed = ParseOtpauthUri(
      "otpauth://totp/ACME%20Co%3Ajohn.doe@email.com?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"
      "&image=https%3A%2F%2Fexample.org%2Flogo.png");
  ASSERT_THAT(parsed, IsOk());
  EXPECT_EQ(parsed->issuer, "ACME Co");
  EXPECT_EQ(parsed->account, "john.doe@email.com");
  EXPECT_EQ(parsed->params.algorithm, TotpAlgorithm::kSha1);
  EXPECT_EQ(parsed->params.digits, 6);
  EXPECT_EQ(parsed->secret, Seed("12345678901234567890"));

  auto no_issuer = ParseOtpauthUri("otpauth://totp/bob?secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ");
  ASSERT_THAT(no_issuer, IsOk());
  EXPECT_EQ(no_issuer->issuer, "");
  EXPECT_EQ(no_issuer->account, "bob");
}

TEST(OtpauthUriTest, ParseRefusesMalformedUris) {
  const std::string secret = "secret=GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ";
  const std::vector<std::string> bad = {
      "otpauth://hotp/Clearway:bob?" + secret,
      "https://totp/Clearway:bob?" + secret,
      "otpauth://totp/Clearway:bob",
      "otpauth://totp/Clearway:bob?issuer=Clearway",
      "otpauth://totp/Clearway:bob?" + secret + "&" + secret,
      "otpauth://totp/Clearway:bob?" + secret + "&issuer=Other",
      "otpauth://totp/Clearway:bob?" + secret + "&period=60",
      "otpauth://totp/Clearway:bob?" + secret + "&digits=7",
      "otpauth://totp/Clearway:bob?" + secret + "&algorithm=SHA512",
      "otpauth://totp/Clearway:?" + secret,
      "otpauth://totp/Clearway:bob%2?" + secret,
      "otpauth://totp/Clearway:bob%zz?" + secret,
      "otpauth://totp/Clearway:bob?" + secret + "&digits",
  };
  for (const std::string& uri : bad) {
    auto parsed = ParseOtpauthUri(uri);
    EXPECT_THAT(parsed, HasCode(ErrorCode::kInvalidArgument)) << uri;
    EXPECT_THAT(parsed, HasReason("otpauth-malformed")) << uri;
  }
  EXPECT_THAT(ParseOtpauthUri("otpauth://totp/Clearway:bob?secret=GEZ1"), HasReason("bad-base32"));
  // Ten bytes ("1234567890") is below the 128-bit minimum.
  EXPECT_THAT(ParseOtpauthUri("otpauth://totp/Clearway:bob?secret=GEZDGNBVGY3TQOJQ"),
              HasReason("totp-bad-secret"));
}

// ParseSvgModules() reads back the dark modules of a RenderQrSvg() document (runs of the form
// M<x> <y>h<n>v1h-<n>z), undoing the quiet-zone offset.
std::vector<bool> ParseSvgModules(const std::string& svg, int width) {
  std::vector<bool> modules(static_cast<size_t>(width) * static_cast<size_t>(width), false);
  static const std::regex run(R"(M(\d+) (\d+)h(\d+)v1h-(\d+)z)");
  for (auto it = std::sregex_iterator(svg.begin(), svg.end(), run); it != std::sregex_iterator();
       ++it) {
    const int x = std::stoi((*it)[1]) - 4;
    const int y = std::stoi((*it)[2]) - 4;
    const int length = std::stoi((*it)[3]);
    EXPECT_EQ((*it)[3], (*it)[4]);
    for (int dx = 0; dx < length; ++dx) {
      EXPECT_TRUE(x + dx >= 0 && x + dx < width && y >= 0 && y < width);
      modules[static_cast<size_t>(y) * static_cast<size_t>(width) + static_cast<size_t>(x + dx)] =
          true;
    }
  }
  return modules;
}

// A finder pattern (ISO/IEC 18004 §6.3.3): 7x7 dark ring, light ring, 3x3 dark centre.
bool HasFinderAt(const QrCode& qr, int left, int top) {
  for (int dy = 0; dy < 7; ++dy) {
    for (int dx = 0; dx < 7; ++dx) {
      const bool ring = dx == 0 || dy == 0 || dx == 6 || dy == 6;
      const bool centre = dx >= 2 && dx <= 4 && dy >= 2 && dy <= 4;
      if (qr.dark(left + dx, top + dy) != (ring || centre)) return false;
    }
  }
  return true;
}

TEST(QrCodeTest, EncodesTheUriAsAWellFormedSymbol) {
  auto uri = MakeOtpauthUri(Alice());
  ASSERT_THAT(uri, IsOk());
  auto qr = EncodeQrCode(*uri);
  ASSERT_THAT(qr, IsOk());
  ASSERT_GE(qr->version, 1);
  ASSERT_LE(qr->version, 40);
  EXPECT_EQ(qr->width, 17 + 4 * qr->version);
  EXPECT_EQ(qr->modules.size(), static_cast<size_t>(qr->width * qr->width));
  EXPECT_TRUE(HasFinderAt(*qr, 0, 0));
  EXPECT_TRUE(HasFinderAt(*qr, qr->width - 7, 0));
  EXPECT_TRUE(HasFinderAt(*qr, 0, qr->width - 7));
  EXPECT_FALSE(HasFinderAt(*qr, qr->width - 7, qr->width - 7));
}

TEST(QrCodeTest, SvgIsWellFormedAndDrawsExactlyTheModules) {
  auto uri = MakeOtpauthUri(Alice());
  ASSERT_THAT(uri, IsOk());
  auto qr = EncodeQrCode(*uri);
  ASSERT_THAT(qr, IsOk());
  const std::string svg = RenderQrSvg(*qr, 5);
  const std::string side = std::to_string(qr->width + 8);
  const std::string pixels = std::to_string((qr->width + 8) * 5);
  EXPECT_TRUE(svg.starts_with("<svg xmlns=\"http://www.w3.org/2000/svg\""));
  EXPECT_TRUE(svg.ends_with("</svg>\n"));
  EXPECT_NE(svg.find("viewBox=\"0 0 " + side + " " + side + "\""), std::string::npos);
  EXPECT_NE(svg.find("width=\"" + pixels + "\" height=\"" + pixels + "\""), std::string::npos);
  // Exactly one opening and closing svg element, and nothing of the secret in clear text
  // besides the modules (the URI is not embedded as text).
  EXPECT_EQ(svg.find("<svg", 1), std::string::npos);
  EXPECT_EQ(svg.find("GEZDGNBV"), std::string::npos);
  EXPECT_EQ(ParseSvgModules(svg, qr->width), qr->modules);
}

TEST(QrCodeTest, VersionFollowsTheLevelMByteCapacity) {
  // ISO/IEC 18004 Table 7, error correction M, byte mode: version 1 holds 14 bytes, version 2
  // holds 26, version 40 holds 2331.
  auto v1 = EncodeQrCode(std::string(14, 'a'));
  ASSERT_THAT(v1, IsOk());
  EXPECT_EQ(v1->version, 1);
  EXPECT_EQ(v1->width, 21);
  auto v2 = EncodeQrCode(std::string(15, 'a'));
  ASSERT_THAT(v2, IsOk());
  EXPECT_EQ(v2->version, 2);
  EXPECT_EQ(v2->width, 25);
  auto v40 = EncodeQrCode(std::string(2331, 'a'));
  ASSERT_THAT(v40, IsOk());
  EXPECT_EQ(v40->version, 40);
  EXPECT_EQ(v40->width, 177);
}

TEST(QrCodeTest, RefusesTextThatDoesNotFit) {
  auto too_long = EncodeQrCode(std::string(2332, 'a'));
  EXPECT_THAT(too_long, HasCode(ErrorCode::kInvalidArgument));
  EXPECT_THAT(too_long, HasReason("qr-too-long"));
  EXPECT_THAT(EncodeQrCode(std::string("a\0b", 3)), HasReason("qr-bad-text"));
}

}  // namespace
}  // namespace clearway::identity
