// File: testing/matchers.h
//
// gMock matchers for Result and Error, so tests assert the specific error:
//   EXPECT_THAT(store.GetDeclaration("x", std::nullopt), HasCode(ErrorCode::kNotFound));
//   EXPECT_THAT(Money::Parse("1.5", "EUR"), IsOk());
//   EXPECT_THAT(Validate(d), HasReason("unknown-country"));
#pragma once

#include <gmock/gmock.h>

#include "common/result.h"

namespace clearway::testing {

template <class R>
const Error* ErrorOf(const R& r) {
  return r.ok() ? nullptr : &r.error();
}
inline const Error* ErrorOf(const Error& e) { return &e; }

MATCHER(IsOk, "is ok") {
  const Error* e = ErrorOf(arg);
  if (e != nullptr) *result_listener << "error: " << e->ToString();
  return e == nullptr;
}

MATCHER_P(HasCode, code, "has error code " + std::string(ErrorCodeName(code))) {
  const Error* e = ErrorOf(arg);
  if (e == nullptr) {
    *result_listener << "is ok";
    return false;
  }
  *result_listener << "error: " << e->ToString();
  return e->code == code;
}

// HasReason matches an Error (or error Result) whose reason, or any detail's reason, is `reason`.
MATCHER_P(HasReason, reason, "has error reason " + std::string(reason)) {
  const Error* e = ErrorOf(arg);
  if (e == nullptr) {
    *result_listener << "is ok";
    return false;
  }
  *result_listener << "error: " << e->ToString();
  if (e->reason == reason) return true;
  for (const auto& d : e->details) {
    if (d.reason == reason) return true;
  }
  return false;
}

// HasDetail matches an error one of whose details has this field path and reason.
MATCHER_P2(HasDetail, field_path, reason,
           "has detail " + std::string(field_path) + ": " + std::string(reason)) {
  const Error* e = ErrorOf(arg);
  if (e == nullptr) {
    *result_listener << "is ok";
    return false;
  }
  std::string seen;
  for (const auto& d : e->details) {
    if (d.field_path == field_path && d.reason == reason) return true;
    seen += " [" + d.field_path + ": " + d.reason + "]";
  }
  if (e->field_path == field_path && e->reason == reason) return true;
  *result_listener << "details:" << seen;
  return false;
}

}  // namespace clearway::testing
