// File: common/result.h
//
// Result<T> holds either a T or an Error (modelled on absl::StatusOr); Status is Result<void>.
// A Result may not be ignored. Propagate with CW_RETURN_IF_ERROR and CW_ASSIGN_OR_RETURN:
//
//   Result<Receipt> Commit(const UnitOfWork& work) {
//     CW_ASSIGN_OR_RETURN(auto leaf, MakeLeaf(work));
//     CW_RETURN_IF_ERROR(store.Write(work, leaf));
//     return Receipt{leaf.index};
//   }
//
// Accessing value() of an error Result, or error() of an ok one, is a programmer error and
// aborts (CW_CHECK): test ok() first.
#pragma once

#include <cstdio>
#include <cstdlib>
#include <optional>
#include <type_traits>
#include <utility>
#include <variant>

#include "common/error.h"

// CW_CHECK(cond): an invariant of the program, never something input can break.
#define CW_CHECK(cond)                                                                    \
  do {                                                                                    \
    if (!(cond)) {                                                                        \
      std::fprintf(stderr, "%s:%d: CW_CHECK failed: %s\n", __FILE__, __LINE__, #cond);   \
      std::abort();                                                                       \
    }                                                                                     \
  } while (false)

namespace clearway {

template <class T>
class [[nodiscard]] Result {
 public:
  using value_type = T;

  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT: implicit
  Result(Error error) : state_(std::in_place_index<1>, std::move(error)) {}  // NOLINT: implicit
  template <class U>
    requires(std::is_constructible_v<T, U &&> && !std::is_same_v<std::decay_t<U>, T> &&
             !std::is_same_v<std::decay_t<U>, Error> &&
             !std::is_same_v<std::decay_t<U>, Result<T>>)
  Result(U&& value)  // NOLINT: implicit, like StatusOr
      : state_(std::in_place_index<0>, T(std::forward<U>(value))) {}

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  const T& value() const& {
    CW_CHECK(ok());
    return std::get<0>(state_);
  }
  T& value() & {
    CW_CHECK(ok());
    return std::get<0>(state_);
  }
  T&& value() && {
    CW_CHECK(ok());
    return std::get<0>(std::move(state_));
  }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

  const Error& error() const& {
    CW_CHECK(!ok());
    return std::get<1>(state_);
  }
  Error&& error() && {
    CW_CHECK(!ok());
    return std::get<1>(std::move(state_));
  }

  // IgnoreError() drops the outcome on purpose.
  void IgnoreError() const {}

 private:
  std::variant<T, Error> state_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)) {}  // NOLINT: implicit

  bool ok() const { return !error_.has_value(); }
  explicit operator bool() const { return ok(); }
  const Error& error() const& {
    CW_CHECK(!ok());
    return *error_;
  }
  Error&& error() && {
    CW_CHECK(!ok());
    return std::move(*error_);
  }
  void IgnoreError() const {}

 private:
  std::optional<Error> error_;
};

using Status = Result<void>;

inline Status OkStatus() { return Status(); }

}  // namespace clearway

#define CW_INTERNAL_CONCAT_(a, b) a##b
#define CW_INTERNAL_CONCAT(a, b) CW_INTERNAL_CONCAT_(a, b)

// CW_RETURN_IF_ERROR(expr): evaluates a Result/Status; on error returns its Error.
#define CW_RETURN_IF_ERROR(expr)                            \
  do {                                                      \
    auto cw_status_ = (expr);                               \
    if (!cw_status_.ok()) return std::move(cw_status_).error(); \
  } while (false)

// CW_ASSIGN_OR_RETURN(decl, expr): on success binds the value to decl, else returns the Error.
#define CW_ASSIGN_OR_RETURN(decl, expr) \
  CW_INTERNAL_ASSIGN_OR_RETURN(CW_INTERNAL_CONCAT(cw_result_, __LINE__), decl, expr)
#define CW_INTERNAL_ASSIGN_OR_RETURN(tmp, decl, expr) \
  auto tmp = (expr);                                  \
  if (!tmp.ok()) return std::move(tmp).error();       \
  decl = std::move(tmp).value()
