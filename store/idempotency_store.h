// Remembers what became of requests sent with an Idempotency-Key, so that a retried request gets
// the first answer and never repeats the change the first one made, even when the server died
// between making the change and answering. The contract every backend keeps; the contract tests
// (idempotency_store_contract_test.cc) run on each.
//
// A key's life:
//  1. Claim: the first request with a key claims it for the running server instance (a random
//     id per start of the server) and is handled.
//  2. While it is handled, every change a store makes on the handling thread (inside an
//     IdempotentRequestScope, idempotent_request_scope.h) records in its own transaction that
//     the key made a change and what it made (`made`: the id of the first thing it created or
//     changed, MadeByTransition for an account). So the change and the record of it commit
//     together: after any crash, a key either made its change and says so, or made none.
//  3. Complete: the answer is kept. Or Release, for an answer not worth keeping (a server error):
//     a key that made no change is forgotten, so a retry runs the request again; a key that made
//     one stays, unanswered and claimed by no one.
//
// Why a recorded change rather than the answer itself in the change's transaction: the answer
// is rendered by the HTTP layer after the service returns, and some requests commit more than
// once (a subscription with a charge commits the pending charge, asks the gateway, then commits
// the outcome). Recording "this key made X" in every one of those transactions needs no handler
// and no service to know about keys; a retry after a crash renders its answer from X as it
// stands (the HTTP layer knows how, per route).
//
// What a claim answers (kClaimed, kReplay, kInProgress, kMismatch, kRecover below):
//  - a key never seen, or seen more than `retention` before `now`: claimed (first use).
//  - the same key with another request fingerprint: kMismatch.
//  - answered: kReplay, the kept status and body.
//  - claimed by the instance asking: kInProgress (its request may still run: 409). The HTTP
//    layer knows which of its own claims a request still handles and releases the others.
//  - claimed by another instance that may still be handling it: kInProgress (below).
//  - claimed by another instance that cannot be handling it any more, or by no one (released),
//    without a change: claimed again. Its change would have committed with the record of it,
//    so no record means no change.
//  - the same with a recorded change: kRecover with `made`; the key is claimed for the asker,
//    who renders the answer from `made` and completes the key with it (or releases it).
// Complete and Release act only on a key the given instance still claims: for any other (taken
// over, answered, forgotten) they change nothing and succeed, since the answer that stands is
// the one to give.
//
// When another instance's claim is over: a claim carries a lease of `lease` from the moment it
// is made, which the claiming instance renews (RenewIdempotencyClaims) for as long as a request
// of it handles the key.
//  - A backend shared by several live servers (PostgreSQL behind several nodes) cannot tell a
//    dead instance from a paused one by its id alone, so it keeps the lease (and where the
//    instance id is a node's whose death the backend can see, PostgreSQL's node id under which
//    recur serve claims, a dead instance's claim is over at once: pg_lease_rule.h), timed by the
//    database's own clock (the nodes' clocks differ, and a test clock must not move it): another
//    instance's claim is kInProgress while its lease runs and taken over once it has lapsed. And it
//    fences: a change made inside the scope of a key commits only if, in its own transaction, the
//    key is still claimed by the scope's instance under a running lease and unanswered; otherwise
//    the change is refused (kUnavailable, "idempotency_claim_lapsed") and nothing of it is stored.
//    So a node paused past its lease (SIGSTOP, a long GC, a partition) cannot make a change
//    that the node which took the request over makes too. A claim taken over while the old
//    claimant's change commits waits for that commit (the key's row is locked by the change),
//    and then finds the change recorded: kRecover.
//  - Memory and SQLite serve one server at a time (SQLite's database by an OS lock held for the
//    process's life), so the lease is never contended there: they keep no lease, take another
//    instance's claim over at once (a process that no longer runs runs no request), and do not
//    fence; Renew does nothing.
//
// Expiry: a key is kept for `retention` from its claim; PurgeIdempotencyKeys deletes expired
// ones in batches, and a claim treats an expired key as never seen.
// Implementations are thread-safe.
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/error.h"
#include "domain/subscriptions/account.h"
#include "store/account_changes.h"

namespace recur {

struct IdempotencyClaim {
  enum class Outcome {
    kClaimed,     // first use (or after a claim that died without a change): handle the request
    kReplay,      // answered before: send `status` and `body`
    kInProgress,  // the first request with this key may still be handled (here or elsewhere)
    kMismatch,    // the key was used for a different request
    kRecover,     // the first request made a change (`made`) but its answer was never kept
  };
  Outcome outcome = Outcome::kClaimed;
  int status = 0;
  std::string body;
  std::string made;
  // kInProgress: the claim is another instance's, under a running lease (a shared backend).
  bool held_by_another_instance = false;
};

class IdempotencyStore {
 public:
  virtual ~IdempotencyStore() = default;
  // `request_hash` fingerprints the request (method, path, query, body); `instance_id` names the
  // running server instance, whose claim holds against other instances for `lease` unless
  // renewed. Keys claimed `retention` or longer before `now` count as unseen.
  virtual Result<IdempotencyClaim> ClaimIdempotencyKey(const std::string& key,
                                                       const std::string& request_hash,
                                                       const std::string& instance_id, Instant now,
                                                       std::chrono::milliseconds retention,
                                                       std::chrono::milliseconds lease) = 0;
  // Extends to `lease` from now the claims `instance_id` still holds on `keys` (those another
  // instance took over stay theirs).
  virtual Status RenewIdempotencyClaims(const std::vector<std::string>& keys,
                                        const std::string& instance_id,
                                        std::chrono::milliseconds lease) = 0;
  // Keeps the answer of a key `instance_id` claims.
  virtual Status CompleteIdempotencyKey(const std::string& key, const std::string& instance_id,
                                        int status, const std::string& body) = 0;
  // Gives up a claim of `instance_id` whose answer is not kept (a server error a retry may fix):
  // forgotten if the key made no change, else left unanswered and claimed by no one (see above).
  virtual Status ReleaseIdempotencyKey(const std::string& key, const std::string& instance_id) = 0;
  // Deletes up to `limit` keys claimed before `claimed_before`; returns how many it deleted.
  virtual Result<int> PurgeIdempotencyKeys(Instant claimed_before, int limit) = 0;
};

// What a SaveTransition from `before` (null: a new payer) to `after`, whose writes are
// `changes`, made, for the record of a keyed change: the new payer; else its first new item;
// else its first new payment method; else its first changed item; else the payer.
std::string MadeByTransition(const Account* before, const Account& after,
                             const AccountChanges& changes);

}  // namespace recur
