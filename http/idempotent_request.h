// Idempotency-Key handling for the API (docs/api.md, "Idempotency-Key"): an authenticated POST
// that carries the header is handled once per key, and a retry gets the first answer, also
// after the server died while handling it. The rules of a key's life, and why a change records
// its key in its own transaction, are in store/idempotency_store.h; this is the HTTP side:
//  - the key must be 1 to 255 characters (else 400 invalid_idempotency_key);
//  - the request's fingerprint is a SHA-256 of its method, path, raw query string and body, so
//    the same key with any of them different is another request (422 idempotency_key_reused);
//  - the handler runs inside an IdempotentRequestScope, so every store change it makes records
//    the key; its answer is kept unless it is a server error (5xx) or a rate limit's 429, which
//    a retry after the wait may pass, nor an answer marked Cache-Control: no-store (it hands out
//    a secret kept nowhere, a payer session's token), which a retry runs again;
//  - a key whose first request made a change and died before its answer was kept (a crash)
//    gets an answer rendered from what the change made (RecoverAnswer), never a second run;
//    a route with no way to render one (an advance to a time, a reload) runs again, which is
//    safe because such a request sets a state rather than adding one;
//  - a key this server claimed but no request of it still handles (its answer could not be kept
//    or released: the database failed just then) is released again and claimed anew by the
//    next request with it, so a retry after the fault clears is not refused as in progress;
//  - a claim holds against other servers on a shared database for `claim_lease`, renewed every
//    third of it by a thread of its own for every key a request of this server still handles
//    (so a request may wait on the gateway as long as it must). Renewal rather than one long
//    lease: a request's length has no firm bound (pool waits, statement timeouts, the gateway),
//    while a dead node's keys should pass to another node soon. A server paused past its lease
//    (its renewals paused too) finds its change refused by the store's fence and answers 503
//    idempotency_claim_lapsed; a retry gets the answer of the server that took the key over;
//  - keys expire `retention` after their first claim: a keyed request that finds the last purge
//    `purge_every` old deletes a batch of expired keys before it is handled (the next one does
//    again while batches come back full); PurgeExpired deletes them all (at start).
// Thread-safe: requests are handled concurrently; the store serializes the claims of a key. The
// renewing thread is stopped and joined when the IdempotentRequests is destroyed.
#pragma once

#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <unordered_set>

#include "base/clock.h"
#include "base/error.h"
#include "http/api_handler.h"
#include "store/idempotency_store.h"

namespace recur {

// The answer to a keyed request whose change (`made`, idempotency_store.h) outlived its
// answer, rendered as the route answers it; none when the route runs again instead.
using RecoverAnswer = std::function<std::optional<Result<ApiResponse>>(
    std::string_view route_pattern, const ApiRequest& request, std::string_view made)>;

struct IdempotencyOptions {
  IdempotencyStore* store = nullptr;  // not owned; none: the header is ignored
  // This run of the server. On a backend of one server (SQLite), a claim made under another id
  // cannot be running any more; on a shared one (PostgreSQL), it holds while its lease runs.
  std::string instance_id;
  std::chrono::milliseconds retention = std::chrono::hours(24);
  // How long a claim holds against other servers unless renewed (every third of it).
  std::chrono::milliseconds claim_lease = std::chrono::seconds(30);
  std::chrono::milliseconds purge_every = std::chrono::minutes(10);
  int purge_batch = 1000;
  RecoverAnswer recover;  // none: every such key runs again
  // For tests only (the crash test): a keyed request whose key starts with this prefix ends
  // the process with SIGKILL after its handler returns and before its answer is kept, so that
  // the window between a change's commit and its answer is hit on purpose. Empty: never.
  std::string kill_before_answer_prefix;
};

class IdempotentRequests {
 public:
  IdempotentRequests(IdempotencyOptions options, const Clock& clock);

  bool enabled() const { return options_.store != nullptr; }

  // Handles the request that carries `key` once: `run` is its handler (its errors in the one
  // error format already), `route_pattern` the pattern of the route it matched.
  ApiResponse Handle(std::string_view key, std::string_view route_pattern,
                     const ApiRequest& request, const std::function<ApiResponse()>& run);

  // Deletes every expired key, in batches; returns how many.
  Result<int> PurgeExpired();

 private:
  // Runs one purge batch when the last full purge is `purge_every` old (at once after a batch
  // that was full); logs a failure.
  void PurgeIfDue();
  void Keep(const std::string& key, const ApiResponse& answer);
  // Claims `key` in the store, first noting it as handled here (false: a request of this
  // server handles it already, which answers in progress). A claim the store says is this
  // server's, though no request of it handles the key, is released and claimed again once.
  Result<IdempotencyClaim> Claim(const std::string& key, const ApiRequest& request);
  bool StartHandling(const std::string& key);
  void StopHandling(const std::string& key);
  // Renews the claims of the keys handled here every third of the lease, until stopped.
  void RenewClaims(std::stop_token stop);

  const IdempotencyOptions options_;
  const Clock& clock_;
  std::mutex purge_mutex_;
  bool purging_ = false;
  std::optional<Instant> last_purge_;
  std::mutex handling_mutex_;
  std::unordered_set<std::string> handling_;  // keys a request of this server is handling
  std::condition_variable_any renew_stopped_;
  std::jthread renewer_;  // last: stopped and joined before the members it uses go
};

}  // namespace recur
