#include "common/error.h"

#include <utility>

namespace clearway {

std::string_view ErrorCodeName(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return "invalid-argument";
    case ErrorCode::kNotFound: return "not-found";
    case ErrorCode::kAlreadyExists: return "already-exists";
    case ErrorCode::kFailedPrecondition: return "failed-precondition";
    case ErrorCode::kAborted: return "aborted";
    case ErrorCode::kPermissionDenied: return "permission-denied";
    case ErrorCode::kUnauthenticated: return "unauthenticated";
    case ErrorCode::kResourceExhausted: return "resource-exhausted";
    case ErrorCode::kUnavailable: return "unavailable";
    case ErrorCode::kDataLoss: return "data-loss";
    case ErrorCode::kInternal: return "internal";
  }
  return "internal";
}

namespace {
Error Make(ErrorCode code, std::string field, std::string reason, std::string message) {
  return Error{code, std::move(field), std::move(reason), std::move(message), {}};
}
}  // namespace

Error Error::InvalidArgument(std::string field, std::string reason, std::string message) {
  return Make(ErrorCode::kInvalidArgument, std::move(field), std::move(reason), std::move(message));
}
Error Error::NotFound(std::string reason, std::string message) {
  return Make(ErrorCode::kNotFound, "", std::move(reason), std::move(message));
}
Error Error::AlreadyExists(std::string reason, std::string message) {
  return Make(ErrorCode::kAlreadyExists, "", std::move(reason), std::move(message));
}
Error Error::FailedPrecondition(std::string reason, std::string message) {
  return Make(ErrorCode::kFailedPrecondition, "", std::move(reason), std::move(message));
}
Error Error::Aborted(std::string reason, std::string message) {
  return Make(ErrorCode::kAborted, "", std::move(reason), std::move(message));
}
Error Error::PermissionDenied(std::string reason, std::string message) {
  return Make(ErrorCode::kPermissionDenied, "", std::move(reason), std::move(message));
}
Error Error::Unauthenticated(std::string reason, std::string message) {
  return Make(ErrorCode::kUnauthenticated, "", std::move(reason), std::move(message));
}
Error Error::ResourceExhausted(std::string reason, std::string message) {
  return Make(ErrorCode::kResourceExhausted, "", std::move(reason), std::move(message));
}
Error Error::Unavailable(std::string reason, std::string message) {
  return Make(ErrorCode::kUnavailable, "", std::move(reason), std::move(message));
}
Error Error::DataLoss(std::string reason, std::string message) {
  return Make(ErrorCode::kDataLoss, "", std::move(reason), std::move(message));
}
Error Error::Internal(std::string reason, std::string message) {
  return Make(ErrorCode::kInternal, "", std::move(reason), std::move(message));
}

std::string Error::ToString() const {
  std::string out(ErrorCodeName(code));
  if (!field_path.empty()) {
    out += " ";
    out += field_path;
  }
  out += ": ";
  out += reason;
  if (!message.empty()) {
    out += ": ";
    out += message;
  }
  return out;
}

std::ostream& operator<<(std::ostream& os, const Error& error) { return os << error.ToString(); }

}  // namespace clearway
