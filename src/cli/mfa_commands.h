// File: cli/mfa_commands.h
//
// `clearway mfa enroll USERNAME [--data-dir var | --store postgres://…] [--qr FILE]`: an
// administrator, on the server's machine (or, with --store or CLEARWAY_STORE naming the
// PostgreSQL database the nodes share, anywhere that reaches it), gives a user a confirmed TOTP second factor at once (for accounts that
// must use MFA and so cannot sign in to enrol themselves). Prints the secret and the otpauth://
// URI, writes the QR code as SVG to FILE, and prints ten single-use recovery codes: hand them
// to the user over a channel you trust; they are not shown again. A user who can sign in
// enrols through POST /v1/mfa/enrolment instead.
#pragma once

#include <string>

namespace clearway::cli {

struct MfaFlags {
  std::string username;
  std::string data_dir = "var";
  std::string store_url;  // postgres://…: the identity directory shared by the nodes
  std::string qr_file;
};

int MfaEnrollCommand(const MfaFlags& flags);

}  // namespace clearway::cli
