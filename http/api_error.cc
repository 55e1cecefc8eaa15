#include "http/api_error.h"

#include "base/log.h"
#include "http/clerk_errors.h"

namespace recur {
namespace {

nlohmann::json ErrorBody(const Error& error, nlohmann::json details) {
  nlohmann::json body = {{"code", error.code}, {"message", error.message}};
  if (!error.param.empty()) body["param"] = error.param;
  if (!details.is_null()) body["details"] = std::move(details);
  return {{"error", std::move(body)}};
}

}  // namespace

int HttpStatusFor(ErrorKind kind) {
  switch (kind) {
    case ErrorKind::kInvalidArgument:
      return 400;
    case ErrorKind::kNotFound:
      return 404;
    case ErrorKind::kAlreadyExists:
    case ErrorKind::kAborted:
      return 409;
    case ErrorKind::kFailedPrecondition:
      return 422;
    case ErrorKind::kUnauthenticated:
      return 401;
    case ErrorKind::kPaymentFailed:
      return 402;
    case ErrorKind::kUnavailable:
      return 503;
    case ErrorKind::kRateLimited:
      return 429;
    case ErrorKind::kInternal:
      return 500;
  }
  return 500;
}

ApiResponse ErrorResponse(const Error& error, nlohmann::json details, ErrorFormat format) {
  nlohmann::json body;
  if (format == ErrorFormat::kClerk) {
    body = ClerkErrorsBody(error);
    if (!details.is_null()) body["errors"][0]["meta"]["details"] = std::move(details);
  } else {
    body = ErrorBody(error, std::move(details));
  }
  ApiResponse answer = JsonResponse(body, HttpStatusFor(error.kind));
  if (error.retry_after.count() > 0) {
    answer.headers.emplace_back("Retry-After", std::to_string(error.retry_after.count()));
  }
  return answer;
}

ApiResponse ErrorResponse(const Error& error, ErrorFormat format) {
  return ErrorResponse(error, nullptr, format);
}

void LogServerFailure(Instant now, const ApiRequest& request, const Error& error) {
  if (error.kind != ErrorKind::kUnavailable && error.kind != ErrorKind::kInternal) return;
  Log(now, "error", "request_failed",
      {{"method", request.method},
       {"path", request.path},
       {"code", error.code},
       {"error", error.message}});
}

}  // namespace recur
