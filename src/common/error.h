// File: common/error.h
//
// Error is the value every expected failure in Clearway returns: a canonical code, the JSON
// field path of the input that caused it (empty when none applies) and a human message.
// Codes are few and stable (modelled on absl::StatusCode); callers branch on the code, never
// on the message. The api module maps codes to HTTP statuses once.
//
//   Error e = Error::InvalidArgument("goodsItems[2].origin", "unknown-country", "…");
#pragma once

#include <ostream>
#include <string>
#include <string_view>
#include <vector>

namespace clearway {

enum class ErrorCode {
  kInvalidArgument,     // the input is wrong; fixing the input fixes it
  kNotFound,            // the thing named does not exist (or the caller may not know it does)
  kAlreadyExists,       // a create collided with something that exists
  kFailedPrecondition,  // the system is not in a state that allows this (illegal transition)
  kAborted,             // a concurrent change won; retrying may succeed
  kPermissionDenied,    // authenticated, but not allowed
  kUnauthenticated,     // no valid credentials
  kResourceExhausted,   // a limit was hit (size, rate, quota)
  kUnavailable,         // try again later
  kDataLoss,            // stored data is corrupt or was tampered with
  kInternal,            // a bug or an unexpected library failure
};

std::string_view ErrorCodeName(ErrorCode code);

// Error
//
// An expected failure. `reason` is a short stable kebab-case identifier of the specific rule
// (e.g. "unknown-country"), listed in docs/errors.md; `field_path` is the JSON path of the
// offending input, such as "goodsItems[2].origin".
struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string field_path;
  std::string reason;
  std::string message;
  // details lists every problem when one request has many (validation returns all at once);
  // each detail is itself an Error with its own field path and reason.
  std::vector<Error> details;

  static Error InvalidArgument(std::string field, std::string reason, std::string message);
  static Error NotFound(std::string reason, std::string message);
  static Error AlreadyExists(std::string reason, std::string message);
  static Error FailedPrecondition(std::string reason, std::string message);
  static Error Aborted(std::string reason, std::string message);
  static Error PermissionDenied(std::string reason, std::string message);
  static Error Unauthenticated(std::string reason, std::string message);
  static Error ResourceExhausted(std::string reason, std::string message);
  static Error Unavailable(std::string reason, std::string message);
  static Error DataLoss(std::string reason, std::string message);
  static Error Internal(std::string reason, std::string message);

  // ToString() gives "code field: reason: message" for logs and tests; its format is not an API.
  std::string ToString() const;

  friend bool operator==(const Error&, const Error&) = default;
};

std::ostream& operator<<(std::ostream& os, const Error& error);

}  // namespace clearway
