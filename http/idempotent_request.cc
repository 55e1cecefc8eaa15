#include "http/idempotent_request.h"

#include <signal.h>

#include <algorithm>
#include <vector>

#include "base/log.h"
#include "base/sha256.h"
#include "http/api_error.h"
#include "store/idempotent_request_scope.h"

namespace recur {
namespace {

constexpr std::size_t kMaxKeyLength = 255;

std::string Fingerprint(const ApiRequest& request) {
  std::string text(request.method);
  text.append("\n").append(request.path);
  // The decoded query, each name and value with its length, so no two queries read alike.
  for (const auto& [name, value] : request.query) {
    text.append("\n").append(std::to_string(name.size())).append(":").append(name);
    text.append(std::to_string(value.size())).append(":").append(value);
  }
  text.append("\n").append(request.body);
  return Sha256Hex(text);
}

ApiResponse InProgress() {
  return ErrorResponse({ErrorKind::kAlreadyExists, "idempotency_key_in_progress",
                        "a request with this Idempotency-Key is still being handled; retry "
                        "shortly",
                        "Idempotency-Key"});
}

ApiResponse Replayed(ApiResponse answer) {
  answer.headers.emplace_back("Idempotent-Replayed", "true");
  return answer;
}

}  // namespace

IdempotentRequests::IdempotentRequests(IdempotencyOptions options, const Clock& clock)
    : options_(std::move(options)), clock_(clock) {
  if (enabled()) renewer_ = std::jthread([this](std::stop_token stop) { RenewClaims(stop); });
}

ApiResponse IdempotentRequests::Handle(std::string_view key_view, std::string_view route_pattern,
                                       const ApiRequest& request,
                                       const std::function<ApiResponse()>& run) {
  if (key_view.empty() || key_view.size() > kMaxKeyLength) {
    return ErrorResponse({ErrorKind::kInvalidArgument, "invalid_idempotency_key",
                          "Idempotency-Key must be 1 to 255 characters; this one has " +
                              std::to_string(key_view.size()),
                          "Idempotency-Key"});
  }
  PurgeIfDue();
  const std::string key(key_view);
  if (!StartHandling(key)) return InProgress();
  auto claim = Claim(key, request);
  if (!claim) {
    StopHandling(key);
    LogServerFailure(clock_.Now(), request, claim.error());
    return ErrorResponse(claim.error());
  }
  if (claim->outcome != IdempotencyClaim::Outcome::kClaimed &&
      claim->outcome != IdempotencyClaim::Outcome::kRecover) {
    StopHandling(key);
  }
  switch (claim->outcome) {
    case IdempotencyClaim::Outcome::kReplay:
      return Replayed({claim->status, std::move(claim->body), "application/json", {}});
    case IdempotencyClaim::Outcome::kInProgress:
      return InProgress();
    case IdempotencyClaim::Outcome::kMismatch:
      return ErrorResponse({ErrorKind::kFailedPrecondition, "idempotency_key_reused",
                            "this Idempotency-Key was used with a different request (method, "
                            "path, query or body); use a new key for a new request",
                            "Idempotency-Key"});
    case IdempotencyClaim::Outcome::kRecover:
      if (options_.recover) {
        if (auto recovered = options_.recover(route_pattern, request, claim->made)) {
          Log(clock_.Now(), "info", "idempotency_key_recovered",
              {{"key", key}, {"made", claim->made}});
          ApiResponse answer =
              *recovered ? std::move(**recovered) : ErrorResponse(recovered->error());
          Keep(key, answer);
          StopHandling(key);
          return Replayed(std::move(answer));
        }
      }
      break;  // the route sets a state: running it again is safe
    case IdempotencyClaim::Outcome::kClaimed:
      break;
  }
  ApiResponse answer = [&] {
    IdempotentRequestScope scope(key, options_.instance_id);
    return run();
  }();
  if (!options_.kill_before_answer_prefix.empty() &&
      key.starts_with(options_.kill_before_answer_prefix)) {
    ::raise(SIGKILL);
  }
  Keep(key, answer);
  StopHandling(key);
  return answer;
}

Result<IdempotencyClaim> IdempotentRequests::Claim(const std::string& key,
                                                   const ApiRequest& request) {
  const std::string fingerprint = Fingerprint(request);
  auto claim =
      options_.store->ClaimIdempotencyKey(key, fingerprint, options_.instance_id, clock_.Now(),
                                          options_.retention, options_.claim_lease);
  if (!claim || claim->outcome != IdempotencyClaim::Outcome::kInProgress ||
      claim->held_by_another_instance) {
    return claim;
  }
  // Ours, yet no request of ours handles it (StartHandling noted this one only): an earlier
  // request could neither keep its answer nor release the key. Release it now.
  if (Status released = options_.store->ReleaseIdempotencyKey(key, options_.instance_id);
      !released) {
    return std::unexpected(released.error());
  }
  Log(clock_.Now(), "info", "idempotency_key_released_late", {{"key", key}});
  return options_.store->ClaimIdempotencyKey(key, fingerprint, options_.instance_id, clock_.Now(),
                                             options_.retention, options_.claim_lease);
}

bool IdempotentRequests::StartHandling(const std::string& key) {
  std::lock_guard lock(handling_mutex_);
  return handling_.insert(key).second;
}

void IdempotentRequests::StopHandling(const std::string& key) {
  std::lock_guard lock(handling_mutex_);
  handling_.erase(key);
}

void IdempotentRequests::RenewClaims(std::stop_token stop) {
  while (true) {
    std::unique_lock lock(handling_mutex_);
    renew_stopped_.wait_for(lock, stop,
                            std::max(options_.claim_lease / 3, std::chrono::milliseconds(1)),
                            [&stop] { return stop.stop_requested(); });
    if (stop.stop_requested()) return;
    const std::vector<std::string> keys(handling_.begin(), handling_.end());
    lock.unlock();
    if (keys.empty()) continue;
    // A renewal that fails is tried again a third of the lease later; should the lease lapse
    // meanwhile, another server may take a key over, and the fence refuses this one's change.
    if (Status renewed = options_.store->RenewIdempotencyClaims(keys, options_.instance_id,
                                                                options_.claim_lease);
        !renewed) {
      Log(clock_.Now(), "error", "idempotency_claims_not_renewed",
          {{"keys", static_cast<int>(keys.size())}, {"error", renewed.error().message}});
    }
  }
}

void IdempotentRequests::Keep(const std::string& key, const ApiResponse& answer) {
  // A server error may pass on retry, and a request refused by a rate limit (429) changed
  // nothing and passes once the limit allows it, so neither is kept.
  // An answer marked Cache-Control: no-store holds a secret handed out once (a payer session's
  // token), which no store keeps: a retry runs again.
  const bool no_store = std::any_of(answer.headers.begin(), answer.headers.end(), [](auto& h) {
    return h.first == "Cache-Control" && h.second.find("no-store") != std::string::npos;
  });
  auto kept = answer.status >= 500 || answer.status == 429 || no_store
                  ? options_.store->ReleaseIdempotencyKey(key, options_.instance_id)
                  : options_.store->CompleteIdempotencyKey(key, options_.instance_id, answer.status,
                                                           answer.body);
  if (!kept) {
    Log(clock_.Now(), "error", "idempotency_key_not_saved",
        {{"key", key}, {"error", kept.error().message}});
  }
}

Result<int> IdempotentRequests::PurgeExpired() {
  int total = 0;
  while (true) {
    auto purged = options_.store->PurgeIdempotencyKeys(clock_.Now() - options_.retention,
                                                       options_.purge_batch);
    if (!purged) return std::unexpected(purged.error());
    total += *purged;
    if (*purged < options_.purge_batch) return total;
  }
}

void IdempotentRequests::PurgeIfDue() {
  const Instant now = clock_.Now();
  {
    std::lock_guard lock(purge_mutex_);
    if (purging_ || (last_purge_ && now - *last_purge_ < options_.purge_every)) return;
    purging_ = true;
  }
  auto purged =
      options_.store->PurgeIdempotencyKeys(now - options_.retention, options_.purge_batch);
  if (!purged) {
    Log(now, "error", "idempotency_keys_not_purged", {{"error", purged.error().message}});
  } else if (*purged > 0) {
    Log(now, "info", "idempotency_keys_purged", {{"count", *purged}});
  }
  std::lock_guard lock(purge_mutex_);
  purging_ = false;
  // A full batch may have left more: the next request purges again.
  if (!purged || *purged < options_.purge_batch) last_purge_ = now;
}

}  // namespace recur
