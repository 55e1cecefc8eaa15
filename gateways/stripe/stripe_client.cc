#include "gateways/stripe/stripe_client.h"

#include <algorithm>
#include <thread>

#include <httplib.h>

#include "base/version.h"

namespace recur {
namespace {

bool Unreserved(unsigned char c) {
  return std::isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~';
}

std::string Encode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : text) {
    if (Unreserved(c)) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
  return out;
}

bool Retryable(int status) { return status == 429 || status >= 500; }

}  // namespace

std::string EncodeStripeForm(const StripeForm& form) {
  std::string body;
  for (const auto& [name, value] : form) {
    if (!body.empty()) body += '&';
    body += Encode(name) + "=" + Encode(value);
  }
  return body;
}

StripeClient::StripeClient(StripeClientOptions options)
    : options_(std::move(options)),
      user_agent_("Recur/" + std::string(kRecurVersion)),
      jitter_(0.5, options_.jitter_seed) {}

Result<StripeAnswer> StripeClient::Get(const std::string& path, const StripeForm& query) {
  return Send(false, path, query, "");
}

Result<StripeAnswer> StripeClient::Post(const std::string& path, const StripeForm& form,
                                        const std::string& idempotency_key) {
  return Send(true, path, form, idempotency_key);
}

Result<StripeAnswer> StripeClient::Send(bool post, const std::string& path, const StripeForm& form,
                                        const std::string& idempotency_key) {
  const bool repeatable = !post || !idempotency_key.empty();
  const std::string body = EncodeStripeForm(form);
  const std::string target = post || body.empty() ? path : path + "?" + body;
  httplib::Headers headers = {{"Authorization", "Bearer " + options_.secret_key},
                              {"Stripe-Version", std::string(kStripeApiVersion)},
                              {"User-Agent", user_agent_},
                              {"Accept", "application/json"}};
  if (!idempotency_key.empty()) headers.emplace("Idempotency-Key", idempotency_key);
  std::string last;  // what went wrong on the last try, for the error
  std::chrono::milliseconds backoff = options_.first_backoff;
  for (int attempt = 0;; ++attempt) {
    httplib::Client client(options_.api_base);
    client.set_connection_timeout(options_.timeout);
    client.set_read_timeout(options_.timeout);
    client.set_write_timeout(options_.timeout);
    client.set_follow_location(false);
    client.enable_server_certificate_verification(true);
    auto answer = post ? client.Post(target, headers, body, "application/x-www-form-urlencoded")
                       : client.Get(target, headers);
    bool retry_allowed = repeatable;
    if (!answer) {
      last = "no answer (" + httplib::to_string(answer.error()) + ")";
    } else {
      const int status = answer->status;
      if (!Retryable(status)) {
        StripeAnswer read{status, nlohmann::json::parse(answer->body, nullptr, false),
                          answer->get_header_value("Idempotent-Replayed") == "true"};
        if (read.body.is_discarded() || !read.body.is_object()) {
          return MakeError(ErrorKind::kUnavailable, "stripe_unreadable",
                           "Stripe answered " + path + " with status " + std::to_string(status) +
                               " and a body that is not a JSON object");
        }
        return read;
      }
      last = "status " + std::to_string(status);
      if (answer->get_header_value("Stripe-Should-Retry") == "false") retry_allowed = false;
    }
    if (!retry_allowed || attempt >= options_.retries) break;
    const std::chrono::milliseconds wait = jitter_.Spread(backoff);
    if (options_.sleep) {
      options_.sleep(wait);
    } else {
      std::this_thread::sleep_for(wait);
    }
    backoff = std::min(backoff * 2, options_.max_backoff);
  }
  return MakeError(ErrorKind::kUnavailable, "stripe_unavailable",
                   "Stripe did not answer " + std::string(post ? "POST " : "GET ") + path + " (" +
                       last + (repeatable ? ", after retries" : "") +
                       "); nothing is known to have happened");
}

}  // namespace recur
