//===- Status.h - Status and Expected<T> for the Tessel runtime -*- C++ -*-===//
//
// Errors cross the runtime's public API as values, never as exceptions: a
// Status is "ok" or a message, an Expected<T> is a T or a failed Status.
//
//===----------------------------------------------------------------------===//

#ifndef TESSEL_RUNTIME_STATUS_H
#define TESSEL_RUNTIME_STATUS_H

#include <cassert>
#include <optional>
#include <sstream>
#include <string>
#include <string_view>
#include <type_traits>
#include <utility>

namespace tessel::rt {

/// The result of an operation that returns nothing: success, or a failure
/// with a message that says what failed (kernel, shape, CUDA error name...).
class [[nodiscard]] Status {
public:
  /// A successful status.
  Status() = default;

  /// A successful status; reads better than `Status()` in a return statement.
  static Status success() { return Status(); }

  /// A failed status whose message is every argument streamed (`<<`) in
  /// order: `Status::error("kernel '", name, "' needs ", n, " bytes")`.
  template <class... Parts> static Status error(Parts &&...parts) {
    std::ostringstream os;
    (os << ... << std::forward<Parts>(parts));
    Status status;
    status.failed_ = true;
    status.message_ = os.str();
    if (status.message_.empty())
      status.message_ = "unknown error";
    return status;
  }

  /// True when the operation succeeded.
  bool ok() const { return !failed_; }

  /// The failure message; empty when ok().
  const std::string &message() const { return message_; }

  /// This status with "<context>: " put before the message (ok stays ok).
  Status withContext(std::string_view context) const {
    if (ok())
      return *this;
    return error(context, ": ", message_);
  }

  /// This status with " (<detail>)" put after the message (ok stays ok).
  Status withDetail(std::string_view detail) const {
    if (ok())
      return *this;
    return error(message_, " (", detail, ")");
  }

private:
  bool failed_ = false;
  std::string message_;
};

/// A value of type T, or the failed Status that explains why there is none.
/// Converts implicitly from a T (or anything a T is constructible from) and
/// from a failed Status, so a function returning Expected<T> can
/// `return value;` and `return Status::error(...);` alike.
///
/// Beware `Expected<bool>`: `if (e)` asks whether there is a value, not what
/// it is.
template <class T> class [[nodiscard]] Expected {
public:
  /// Holds a value built from `value`.
  template <class U = T,
            std::enable_if_t<std::is_constructible_v<T, U &&> &&
                                 !std::is_same_v<std::decay_t<U>, Status> &&
                                 !std::is_same_v<std::decay_t<U>, Expected>,
                             int> = 0>
  Expected(U &&value) : value_(std::in_place, std::forward<U>(value)) {}

  /// Holds a failure. An ok `status` is a bug in the caller; it is turned
  /// into a failure so that no Expected is ever empty without a reason.
  Expected(Status status) : status_(std::move(status)) {
    assert(!status_.ok() && "Expected<T> built from an ok Status");
    if (status_.ok())
      status_ = Status::error("internal error: Expected built from ok status");
  }

  /// True when a value is present.
  explicit operator bool() const { return value_.has_value(); }

  /// The value; only valid when `*this` is true.
  T &operator*() & { return checked(); }
  const T &operator*() const & { return checked(); }
  T &&operator*() && { return std::move(checked()); }
  T *operator->() { return &checked(); }
  const T *operator->() const { return &checked(); }

  /// Success when a value is present, otherwise the failure.
  const Status &status() const { return status_; }

  /// Moves the value out (leaving a moved-from value behind); only valid
  /// when `*this` is true.
  T take() { return std::move(checked()); }

private:
  T &checked() {
    assert(value_ && "Expected<T> has no value; check it first");
    return *value_;
  }
  const T &checked() const {
    assert(value_ && "Expected<T> has no value; check it first");
    return *value_;
  }

  std::optional<T> value_;
  Status status_;
};

} // namespace tessel::rt

/// Evaluates `expr` (a Status) and returns it from the enclosing function when
/// it failed. The enclosing function may return Status or any Expected<T>.
#define TESSEL_RETURN_IF_ERROR(expr)                                           \
  do {                                                                         \
    ::tessel::rt::Status tesselStatus_ = (expr);                               \
    if (!tesselStatus_.ok())                                                   \
      return tesselStatus_;                                                    \
  } while (0)

#endif // TESSEL_RUNTIME_STATUS_H
