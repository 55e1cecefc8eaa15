#include "http/clerk_errors.h"

namespace recur {
namespace {

// Clerk's short message for each code it uses here.
std::string_view ShortMessage(std::string_view code) {
  if (code == "form_param_unknown") return "is unknown";
  if (code == "form_param_missing") return "is missing";
  if (code == "form_param_format_invalid") return "is invalid";
  if (code == "form_param_value_invalid") return "is invalid";
  if (code == "request_body_invalid") return "Request body invalid";
  if (code == "resource_not_found") return "not found";
  if (code == "authentication_invalid") return "Invalid authentication";
  if (code == "authorization_invalid") return "Unauthorized request";
  if (code == "conflict") return "Conflict";
  if (code == "unprocessable_entity") return "Unprocessable entity";
  if (code == "payment_failed") return "Payment failed";
  if (code == "too_many_requests") return "Too many requests";
  if (code == "service_unavailable") return "Service unavailable";
  return "Internal error";
}

}  // namespace

std::string_view ClerkErrorCode(const Error& error) {
  if (error.code == "unknown_parameter") return "form_param_unknown";
  if (error.code == "missing_parameter") return "form_param_missing";
  if (error.code == "invalid_json" || error.code == "invalid_body" ||
      error.code == "duplicate_key" || error.code == "body_too_large") {
    return "request_body_invalid";
  }
  if (error.code == "forbidden") return "authorization_invalid";
  switch (error.kind) {
    case ErrorKind::kInvalidArgument:
      return "form_param_format_invalid";
    case ErrorKind::kNotFound:
      return "resource_not_found";
    case ErrorKind::kAlreadyExists:
    case ErrorKind::kAborted:
      return "conflict";
    case ErrorKind::kFailedPrecondition:
      return "unprocessable_entity";
    case ErrorKind::kUnauthenticated:
      return "authentication_invalid";
    case ErrorKind::kPaymentFailed:
      return "payment_failed";
    case ErrorKind::kRateLimited:
      return "too_many_requests";
    case ErrorKind::kUnavailable:
      return "service_unavailable";
    case ErrorKind::kInternal:
      return "internal_error";
  }
  return "internal_error";
}

nlohmann::json ClerkErrorsBody(const Error& error) {
  const std::string_view code = ClerkErrorCode(error);
  nlohmann::json meta = {{"recur_code", error.code}};
  if (!error.param.empty()) meta["param_name"] = error.param;
  return {{"errors", nlohmann::json::array({{{"code", code},
                                             {"message", ShortMessage(code)},
                                             {"long_message", error.message},
                                             {"meta", std::move(meta)}}})}};
}

}  // namespace recur
