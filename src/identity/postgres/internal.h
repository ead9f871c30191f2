// File: identity/postgres/internal.h  (internal to the PostgreSQL identity backend)
//
// Helpers shared by the files of PostgresIdentityStore: mapping the libpq layer's errors to the
// identity store's, transactions on a borrowed connection, and the error values both files
// return. Thread safety: stateless functions; a PgConnection is used by one thread at a time.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "common/result.h"
#include "store/postgres/module_schema.h"
#include "store/postgres/pg_connection.h"

namespace clearway::identity::postgres::internal {

using store::postgres::internal::PgConnection;
using store::postgres::internal::PgParams;
using store::postgres::internal::PgRows;

// IdentityError() turns an error of the connection layer ("store-unavailable", "store-error",
// "store-busy", …) into the identity store's kUnavailable "identity-store-failed", keeping its
// message (which never holds row values or the URL's password); other errors pass unchanged.
inline Error IdentityError(Error error) {
  if (error.reason.rfind("store-", 0) == 0) {
    return Error::Unavailable("identity-store-failed", "identity store: " + error.message);
  }
  return error;
}

template <typename T>
Result<T> Mapped(Result<T> result) {
  if (result.ok()) return result;
  return IdentityError(std::move(result).error());
}

using store::postgres::internal::Transact;

// NotStorableAsNotFound() turns kInvalidArgument "unsupported-text" — a key PostgreSQL cannot
// hold (a NUL byte, invalid UTF-8), which therefore names no row — into `not_found`, so that a
// lookup answers as the other backends do (a sign-in with such a name is bad credentials).
template <typename T>
Result<T> NotStorableAsNotFound(Result<T> result, Error not_found) {
  if (!result.ok() && result.error().reason == "unsupported-text") return not_found;
  return result;
}

inline Error Corrupt(std::string_view what) {
  return Error::DataLoss("identity-store-corrupt",
                         "identity store: unreadable " + std::string(what));
}

inline Error OrganisationNotFound(std::string_view id) {
  return Error::NotFound("organisation-not-found", "no organisation " + std::string(id));
}

inline std::vector<uint8_t> BytesOf(const std::string& bytes) {
  return std::vector<uint8_t>(bytes.begin(), bytes.end());
}

}  // namespace clearway::identity::postgres::internal
