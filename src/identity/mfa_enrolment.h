// File: identity/mfa_enrolment.h
//
// What a user needs to enrol an authenticator app: the otpauth:// URI (Google Authenticator
// "Key Uri Format") carrying the TOTP secret, and a QR code of that URI rendered as SVG with
// libqrencode. ParseOtpauthUri() reads the URI back (for `clearway mfa enroll` and tests).
//
//   TotpEnrolment enrolment{"Clearway", "alice@example.org", secret, {}};
//   std::string uri = MakeOtpauthUri(enrolment);
//   //
//   "otpauth://totp/Clearway:alice%40example.org?secret=...&issuer=Clearway&algorithm=SHA1&digits=6&period=30"
//   Result<QrCode> qr = EncodeQrCode(uri);
//   std::string svg = RenderQrSvg(*qr);                        // serve as image/svg+xml
//
// The URI and the SVG contain the secret: send them only to the enrolling user, over TLS,
// never log them, and do not cache them (Cache-Control: no-store).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "common/result.h"
#include "identity/totp.h"

namespace clearway::identity {

// TotpEnrolment is everything an otpauth URI carries. The period is always 30 s.
struct TotpEnrolment {
  std::string issuer;           // e.g. "Clearway" or "Clearway (staging)"; no ':'
  std::string account;          // the user name shown in the app; no ':'
  std::vector<uint8_t> secret;  // raw bytes; Base32 in the URI
  TotpParams params;

  friend bool operator==(const TotpEnrolment&, const TotpEnrolment&) = default;
};

// MakeOtpauthUri()
//
// Returns otpauth://totp/<issuer>:<account>?secret=<Base32, no padding>&issuer=<issuer>
// &algorithm=SHA1|SHA256&digits=6|8&period=30, every part outside RFC 3986 "unreserved"
// percent-encoded as UTF-8 (space as %20, never '+'). Errors kInvalidArgument:
// "otpauth-bad-label" (issuer or account empty, or containing ':'), "totp-bad-secret" and
// "totp-bad-digits" as Totp::New().
Result<std::string> MakeOtpauthUri(const TotpEnrolment& enrolment);

// ParseOtpauthUri()
//
// Reads a URI written by MakeOtpauthUri() or an equivalent one (parameters in any order,
// algorithm/digits/period optional with the defaults SHA1/6/30, unknown parameters such as
// "image" ignored). Errors kInvalidArgument "otpauth-malformed" (not otpauth://totp/, bad
// percent-encoding, missing or repeated secret, an issuer parameter that differs from the
// label's, a period other than 30, a bad digit count), "bad-base32" for the secret and
// "totp-bad-secret" for a secret shorter than 16 bytes. A URI with no issuer at all parses
// with an empty issuer.
Result<TotpEnrolment> ParseOtpauthUri(std::string_view uri);

// QrCode is a square matrix of modules, row-major, true = dark. width = 17 + 4 * version.
struct QrCode {
  int version = 0;
  int width = 0;
  std::vector<bool> modules;

  bool dark(int x, int y) const {
    return modules[static_cast<size_t>(y) * static_cast<size_t>(width) + static_cast<size_t>(x)];
  }
};

// EncodeQrCode() encodes `text` as 8-bit data with error correction level M, letting
// libqrencode choose the smallest version. Errors kInvalidArgument "qr-too-long" (more than a
// version 40 symbol holds), "qr-bad-text" (contains a NUL byte), kResourceExhausted "qr-failed"
// (libqrencode out of memory).
Result<QrCode> EncodeQrCode(std::string_view text);

// RenderQrSvg() returns a standalone SVG document: viewBox 0 0 (width+8) (width+8) (a 4-module
// quiet zone, ISO/IEC 18004 §6.3.8), a white background and one black path made of one
// rectangle per horizontal run of dark modules ("M<x> <y>h<n>v1h-<n>z", coordinates in modules
// including the quiet zone), with width/height attributes of (width+8) * pixels_per_module.
// pixels_per_module below 1 is treated as 1.
std::string RenderQrSvg(const QrCode& qr, int pixels_per_module = 4);

}  // namespace clearway::identity
