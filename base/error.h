// Errors as values. Every fallible operation returns Result<T> (std::expected<T, Error>, which
// may not be ignored): the caller sees the failure in the type and decides; nothing throws
// across a module edge.
// An Error names a kind (how a caller or the HTTP edge should treat it), a stable machine
// `code` (snake_case, part of the public contract once shipped), a human `message`, and the
// offending parameter where there is one, and, when retrying later may work, how long to wait.
#pragma once

#include <chrono>
#include <expected>
#include <string>
#include <utility>

namespace recur {

enum class ErrorKind {
  kInvalidArgument,     // the caller's input is wrong; retrying the same input fails again
  kNotFound,            // the named thing does not exist
  kAlreadyExists,       // a unique key is taken
  kAborted,             // a concurrent writer changed the thing first; read again and retry
  kFailedPrecondition,  // the input is fine but the current state forbids it
  kUnauthenticated,     // missing or wrong credentials
  kPaymentFailed,       // a charge was declined
  kUnavailable,         // a dependency is down or the server is overloaded; retrying later may work
  kRateLimited,         // the caller used up a limit; retrying after `retry_after` may work
  kInternal,            // a bug or corrupt state
};

struct Error {
  ErrorKind kind = ErrorKind::kInternal;
  std::string code;                     // stable machine code, e.g. "catalog_invalid"
  std::string message;                  // for people: what, where, why
  std::string param;                    // the offending parameter, empty when none
  std::chrono::seconds retry_after{0};  // how long to wait before retrying; 0 when not known
};

// A value or the Error that stands in its place. It is std::expected in all but one thing: it
// is [[nodiscard]], so a caller that drops a Result (and so an error) does not compile (with
// -Werror, as the build has it). What is not a Result is not covered: a function that returns a
// bare std::unexpected<Error> (MakeError and the like) needs [[nodiscard]] of its own, and
// std::expected's monadic members (and_then, transform; not in g++ 12) return std::expected,
// whose and_then also refuses a callable that returns a Result.
template <typename T>
class [[nodiscard]] Result : public std::expected<T, Error> {
 public:
  using std::expected<T, Error>::expected;
  Result(std::expected<T, Error> other) : std::expected<T, Error>(std::move(other)) {}
};

// Result<void> reads better as Status where nothing is returned.
using Status = Result<void>;

namespace error_internal {
template <typename T>
struct AsResult {
  using type = Result<T>;
};
template <typename T>
struct AsResult<Result<T>> {
  using type = Result<T>;
};
}  // namespace error_internal

// T, or Result<T> when T is not a Result already: what a function that runs a job returning T
// returns, when it may also fail itself.
template <typename T>
using AsResult = typename error_internal::AsResult<T>::type;

[[nodiscard]] inline std::unexpected<Error> MakeError(ErrorKind kind, std::string code,
                                                      std::string message, std::string param = {}) {
  return std::unexpected(Error{kind, std::move(code), std::move(message), std::move(param)});
}

inline Status Ok() { return {}; }

}  // namespace recur
