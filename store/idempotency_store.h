// Remembers the answers to requests sent with an Idempotency-Key, so a retried request gets the
// first answer instead of repeating its effect. A key is claimed before the request is handled
// and completed with its answer afterwards; a claim that is never completed (a crash, a server
// error) stops blocking its key after a while. Implementations are thread-safe.
#pragma once

#include <chrono>
#include <optional>
#include <string>

#include "base/clock.h"
#include "base/error.h"

namespace recur {

struct IdempotencyClaim {
  enum class Outcome {
    kClaimed,     // first use (or an expired one): handle the request, then Complete()
    kReplay,      // answered before: send `status` and `body`
    kInProgress,  // the first request with this key is still being handled
    kMismatch,    // the key was used for a different request
  };
  Outcome outcome = Outcome::kClaimed;
  int status = 0;
  std::string body;
};

class IdempotencyStore {
 public:
  virtual ~IdempotencyStore() = default;
  // Keys older than `retention` are forgotten; unfinished claims older than `stale_claim` are
  // taken over.
  virtual Result<IdempotencyClaim> ClaimIdempotencyKey(const std::string& key,
                                                       const std::string& request_hash, Instant now,
                                                       std::chrono::milliseconds retention,
                                                       std::chrono::milliseconds stale_claim) = 0;
  virtual Status CompleteIdempotencyKey(const std::string& key, int status,
                                        const std::string& body) = 0;
  // Forgets a claim whose request failed in a way a retry may fix (a server error).
  virtual Status ReleaseIdempotencyKey(const std::string& key) = 0;
};

}  // namespace recur
