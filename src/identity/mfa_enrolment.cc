#include "identity/mfa_enrolment.h"

#include <cerrno>
#include <map>
#include <memory>

#include <qrencode.h>

namespace clearway::identity {
namespace {

constexpr std::string_view kPrefix = "otpauth://totp/";
constexpr int kQuietZone = 4;

struct QrcodeDeleter {
  void operator()(QRcode* code) const { QRcode_free(code); }
};
using QrcodePtr = std::unique_ptr<QRcode, QrcodeDeleter>;

bool IsUnreserved(char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
         c == '.' || c == '_' || c == '~';
}

// PercentEncode() is RFC 3986 §2.1 over the UTF-8 bytes; only unreserved characters stay.
std::string PercentEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : text) {
    if (IsUnreserved(c)) {
      out += c;
      continue;
    }
    const auto byte = static_cast<unsigned char>(c);
    out += '%';
    out += kHex[byte >> 4];
    out += kHex[byte & 15];
  }
  return out;
}

Error Malformed(std::string message) {
  return Error::InvalidArgument("uri", "otpauth-malformed", std::move(message));
}

Result<std::string> PercentDecode(std::string_view text) {
  auto hex = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  std::string out;
  for (size_t pos = 0; pos < text.size(); ++pos) {
    if (text[pos] != '%') {
      out += text[pos];
      continue;
    }
    if (pos + 2 >= text.size()) return Malformed("truncated %-escape");
    const int high = hex(text[pos + 1]);
    const int low = hex(text[pos + 2]);
    if (high < 0 || low < 0) return Malformed("bad %-escape");
    out += static_cast<char>(high << 4 | low);
    pos += 2;
  }
  return out;
}

Status CheckLabelPart(std::string_view part, std::string_view field) {
  if (part.empty() || part.find(':') != std::string_view::npos) {
    return Error::InvalidArgument(std::string(field), "otpauth-bad-label",
                                  "issuer and account must be non-empty and contain no ':'");
  }
  return OkStatus();
}

Result<std::map<std::string, std::string>> ParseQuery(std::string_view query) {
  std::map<std::string, std::string> params;
  while (!query.empty()) {
    const size_t amp = query.find('&');
    std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
    if (pair.empty()) continue;
    const size_t eq = pair.find('=');
    if (eq == std::string_view::npos) return Malformed("query parameter without '='");
    CW_ASSIGN_OR_RETURN(std::string key, PercentDecode(pair.substr(0, eq)));
    CW_ASSIGN_OR_RETURN(std::string value, PercentDecode(pair.substr(eq + 1)));
    if (!params.emplace(std::move(key), std::move(value)).second) {
      return Malformed("repeated query parameter");
    }
  }
  return params;
}

}  // namespace

Result<std::string> MakeOtpauthUri(const TotpEnrolment& enrolment) {
  CW_RETURN_IF_ERROR(CheckLabelPart(enrolment.issuer, "issuer"));
  CW_RETURN_IF_ERROR(CheckLabelPart(enrolment.account, "account"));
  CW_RETURN_IF_ERROR(Totp::New(enrolment.secret, enrolment.params));
  std::string uri(kPrefix);
  uri += PercentEncode(enrolment.issuer) + ":" + PercentEncode(enrolment.account);
  uri += "?secret=" + Base32Encode(enrolment.secret);
  uri += "&issuer=" + PercentEncode(enrolment.issuer);
  uri += "&algorithm=" + std::string(TotpAlgorithmName(enrolment.params.algorithm));
  uri += "&digits=" + std::to_string(enrolment.params.digits);
  uri += "&period=" + std::to_string(kTotpPeriod.count());
  return uri;
}

Result<TotpEnrolment> ParseOtpauthUri(std::string_view uri) {
  if (!uri.starts_with(kPrefix)) return Malformed("not an otpauth://totp/ URI");
  uri.remove_prefix(kPrefix.size());
  const size_t question = uri.find('?');
  if (question == std::string_view::npos) return Malformed("no query");
  CW_ASSIGN_OR_RETURN(std::string label, PercentDecode(uri.substr(0, question)));
  CW_ASSIGN_OR_RETURN(auto params, ParseQuery(uri.substr(question + 1)));

  TotpEnrolment enrolment;
  // Neither part may contain ':', so the first one (literal or %3A) separates them.
  const size_t colon = label.find(':');
  if (colon == std::string::npos) {
    enrolment.account = label;
  } else {
    enrolment.issuer = label.substr(0, colon);
    enrolment.account = label.substr(colon + 1);
  }
  if (auto it = params.find("issuer"); it != params.end()) {
    if (!enrolment.issuer.empty() && enrolment.issuer != it->second) {
      return Malformed("issuer parameter differs from the label");
    }
    enrolment.issuer = it->second;
  }
  if (enrolment.account.empty() || enrolment.account.find(':') != std::string::npos) {
    return Malformed("bad account in label");
  }
  auto secret = params.find("secret");
  if (secret == params.end()) return Malformed("no secret");
  CW_ASSIGN_OR_RETURN(enrolment.secret, Base32Decode(secret->second));
  if (auto it = params.find("algorithm"); it != params.end()) {
    auto algorithm = ParseTotpAlgorithm(it->second);
    if (!algorithm.ok()) return Malformed("unsupported algorithm");
    enrolment.params.algorithm = *algorithm;
  }
  if (auto it = params.find("digits"); it != params.end()) {
    if (it->second != "6" && it->second != "8") return Malformed("digits must be 6 or 8");
    enrolment.params.digits = it->second[0] - '0';
  }
  if (auto it = params.find("period"); it != params.end() && it->second != "30") {
    return Malformed("period must be 30");
  }
  CW_RETURN_IF_ERROR(Totp::New(enrolment.secret, enrolment.params));  // secret length
  return enrolment;
}

Result<QrCode> EncodeQrCode(std::string_view text) {
  const std::string terminated(text);  // libqrencode wants a NUL-terminated string
  if (terminated.find('\0') != std::string::npos) {
    return Error::InvalidArgument("", "qr-bad-text", "text with NUL bytes cannot be encoded");
  }
  errno = 0;
  QrcodePtr code(QRcode_encodeString(terminated.c_str(), 0, QR_ECLEVEL_M, QR_MODE_8, 1));
  if (code == nullptr) {
    if (errno == ERANGE) {
      return Error::InvalidArgument("", "qr-too-long", "text too long for a QR code");
    }
    return Error::ResourceExhausted("qr-failed", "could not encode the QR code");
  }
  QrCode qr;
  qr.version = code->version;
  qr.width = code->width;
  const size_t cells = static_cast<size_t>(code->width) * static_cast<size_t>(code->width);
  qr.modules.resize(cells);
  // Bit 0 of each byte is the module colour (qrencode.h, "struct QRcode").
  for (size_t cell = 0; cell < cells; ++cell) qr.modules[cell] = (code->data[cell] & 1) != 0;
  return qr;
}

std::string RenderQrSvg(const QrCode& qr, int pixels_per_module) {
  const int side = qr.width + 2 * kQuietZone;
  const int pixels = side * (pixels_per_module < 1 ? 1 : pixels_per_module);
  const std::string side_text = std::to_string(side);
  std::string svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" version=\"1.1\" width=\"" +
                    std::to_string(pixels) + "\" height=\"" + std::to_string(pixels) +
                    "\" viewBox=\"0 0 " + side_text + " " + side_text +
                    "\" shape-rendering=\"crispEdges\">";
  svg += "<rect width=\"" + side_text + "\" height=\"" + side_text + "\" fill=\"#fff\"/>";
  svg += "<path fill=\"#000\" d=\"";
  for (int y = 0; y < qr.width; ++y) {
    int x = 0;
    while (x < qr.width) {
      if (!qr.dark(x, y)) {
        ++x;
        continue;
      }
      const int run_start = x;
      while (x < qr.width && qr.dark(x, y)) ++x;
      const std::string run = std::to_string(x - run_start);
      svg += "M" + std::to_string(run_start + kQuietZone) + " " + std::to_string(y + kQuietZone) +
             "h" + run + "v1h-" + run + "z";
    }
  }
  svg += "\"/></svg>\n";
  return svg;
}

}  // namespace clearway::identity
