// Self-signed certificates with OpenSSL 3 (EVP_EC_gen, X509 v3 extensions).
#include <openssl/bio.h>
#include <openssl/ec.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include <memory>

#include "crypto/crypto.h"

namespace clearway::crypto {

namespace {
struct EvpPkeyDeleter {
  void operator()(EVP_PKEY* p) const { EVP_PKEY_free(p); }
};
struct X509Deleter {
  void operator()(X509* p) const { X509_free(p); }
};
struct BioDeleter {
  void operator()(BIO* p) const { BIO_free(p); }
};
struct ExtDeleter {
  void operator()(X509_EXTENSION* p) const { X509_EXTENSION_free(p); }
};

Result<std::string> BioToString(BIO* bio) {
  char* data = nullptr;
  long len = BIO_get_mem_data(bio, &data);
  if (len <= 0 || data == nullptr) return Error::Internal("openssl", "empty PEM output");
  return std::string(data, static_cast<size_t>(len));
}

Status AddExtension(X509* cert, int nid, const char* value) {
  X509V3_CTX ctx;
  X509V3_set_ctx_nodb(&ctx);
  X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
  std::unique_ptr<X509_EXTENSION, ExtDeleter> ext(X509V3_EXT_conf_nid(nullptr, &ctx, nid, value));
  if (!ext || X509_add_ext(cert, ext.get(), -1) != 1) {
    return Error::Internal("openssl", "cannot add certificate extension");
  }
  return OkStatus();
}
}  // namespace

Result<SelfSignedCertificate> MakeSelfSignedCertificate(std::string_view common_name, int days) {
  std::unique_ptr<EVP_PKEY, EvpPkeyDeleter> key(EVP_EC_gen("P-256"));
  if (!key) return Error::Internal("openssl", "cannot generate an EC key");
  std::unique_ptr<X509, X509Deleter> cert(X509_new());
  if (!cert) return Error::Internal("openssl", "cannot allocate a certificate");
  X509_set_version(cert.get(), 2);
  std::array<uint8_t, 16> serial_bytes;
  RandomBytes(serial_bytes);
  serial_bytes[0] &= 0x7f;   // positive serial number (RFC 5280 §4.1.2.2)
  BIGNUM* serial_bn = BN_bin2bn(serial_bytes.data(), static_cast<int>(serial_bytes.size()), nullptr);
  ASN1_INTEGER* serial = X509_get_serialNumber(cert.get());
  BN_to_ASN1_INTEGER(serial_bn, serial);
  BN_free(serial_bn);
  X509_gmtime_adj(X509_getm_notBefore(cert.get()), -60);
  X509_gmtime_adj(X509_getm_notAfter(cert.get()), static_cast<long>(days) * 24 * 3600);
  X509_set_pubkey(cert.get(), key.get());
  X509_NAME* name = X509_get_subject_name(cert.get());
  std::string cn(common_name);
  X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>(cn.c_str()),
                             -1, -1, 0);
  X509_NAME_add_entry_by_txt(name, "O", MBSTRING_ASC,
                             reinterpret_cast<const unsigned char*>("Clearway"), -1, -1, 0);
  X509_set_issuer_name(cert.get(), name);
  CW_RETURN_IF_ERROR(AddExtension(cert.get(), NID_subject_alt_name,
                                  "DNS:localhost,IP:127.0.0.1,IP:0:0:0:0:0:0:0:1"));
  CW_RETURN_IF_ERROR(AddExtension(cert.get(), NID_basic_constraints, "critical,CA:FALSE"));
  CW_RETURN_IF_ERROR(AddExtension(cert.get(), NID_key_usage, "critical,digitalSignature"));
  CW_RETURN_IF_ERROR(AddExtension(cert.get(), NID_ext_key_usage, "serverAuth"));
  if (X509_sign(cert.get(), key.get(), EVP_sha256()) == 0) {
    return Error::Internal("openssl", "cannot sign the certificate");
  }
  std::unique_ptr<BIO, BioDeleter> cert_bio(BIO_new(BIO_s_mem()));
  std::unique_ptr<BIO, BioDeleter> key_bio(BIO_new(BIO_s_mem()));
  if (!cert_bio || !key_bio || PEM_write_bio_X509(cert_bio.get(), cert.get()) != 1 ||
      PEM_write_bio_PrivateKey(key_bio.get(), key.get(), nullptr, nullptr, 0, nullptr, nullptr) != 1) {
    return Error::Internal("openssl", "cannot write PEM");
  }
  SelfSignedCertificate out;
  CW_ASSIGN_OR_RETURN(out.certificate_pem, BioToString(cert_bio.get()));
  CW_ASSIGN_OR_RETURN(out.private_key_pem, BioToString(key_bio.get()));
  return out;
}

}  // namespace clearway::crypto
