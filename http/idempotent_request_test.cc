// IdempotentRequests over the memory store on a manual clock: the key's checks, the fingerprint,
// what a retry after a change without an answer gets, and the purge of expired keys.
#include "http/idempotent_request.h"

#include <gtest/gtest.h>

#include "http/billing_api.h"
#include "http/recovered_answers.h"
#include "store/idempotent_request_scope.h"
#include "store/memory/memory_idempotency_store.h"

namespace recur::idempotent_request_test {
namespace {

using std::chrono::hours;
using std::chrono::minutes;

const Instant kT0 = FromUnixMillis(1'700'000'000'000);
const ApiRequest::QueryParams kNoQuery;
const ApiRequest::QueryParams kQueryA1{{"a", "1"}};
const ApiRequest::QueryParams kQueryA2{{"a", "2"}};

ApiRequest Post(std::string_view path, std::string_view body,
                const ApiRequest::QueryParams& query = kNoQuery) {
  return {"POST", path, {}, query, body, "127.0.0.1", ""};
}

class IdempotentRequestsTest : public ::testing::Test {
 protected:
  IdempotentRequests& Requests(RecoverAnswer recover = nullptr) {
    IdempotencyOptions options;
    options.store = &store_;
    options.instance_id = "run_1";
    options.purge_every = minutes(10);
    options.purge_batch = 2;
    options.recover = std::move(recover);
    requests_ = std::make_unique<IdempotentRequests>(std::move(options), clock_);
    return *requests_;
  }

  // Handles `request` with `key`; the handler counts its runs and answers 200 "run N".
  ApiResponse Handle(IdempotentRequests& requests, std::string_view key, const ApiRequest& request,
                     std::string_view pattern = "/v1/things") {
    return requests.Handle(key, pattern, request, [&] {
      ++runs_;
      return ApiResponse{200, "run " + std::to_string(runs_)};
    });
  }

  static std::string Header(const ApiResponse& answer, std::string_view name) {
    for (const auto& [key, value] : answer.headers) {
      if (key == name) return value;
    }
    return "";
  }

  MemoryIdempotencyStore store_;
  ManualClock clock_{kT0};
  std::unique_ptr<IdempotentRequests> requests_;
  int runs_ = 0;
};

TEST_F(IdempotentRequestsTest, AnEmptyOrOverlongKeyIsRefusedBeforeTheHandlerRuns) {
  IdempotentRequests& requests = Requests();
  for (const std::string& key : {std::string(), std::string(256, 'k')}) {
    const ApiResponse answer = Handle(requests, key, Post("/v1/things", "{}"));
    EXPECT_EQ(answer.status, 400);
    EXPECT_NE(answer.body.find("invalid_idempotency_key"), std::string::npos) << answer.body;
  }
  EXPECT_EQ(runs_, 0);
}

TEST_F(IdempotentRequestsTest, ARetryReplaysAndAnotherQueryPathOrBodyIsAnotherRequest) {
  IdempotentRequests& requests = Requests();
  EXPECT_EQ(Handle(requests, "k", Post("/v1/things", "{}", kQueryA1)).body, "run 1");
  const ApiResponse replay = Handle(requests, "k", Post("/v1/things", "{}", kQueryA1));
  EXPECT_EQ(replay.body, "run 1");
  EXPECT_EQ(Header(replay, "Idempotent-Replayed"), "true");
  EXPECT_EQ(Handle(requests, "k", Post("/v1/things", "{}", kQueryA2)).status, 422);
  EXPECT_EQ(Handle(requests, "k", Post("/v1/things", "{}")).status, 422);
  EXPECT_EQ(Handle(requests, "k", Post("/v1/other", "{}", kQueryA1)).status, 422);
  EXPECT_EQ(Handle(requests, "k", Post("/v1/things", "{ }", kQueryA1)).status, 422);
  EXPECT_EQ(runs_, 1);
}

TEST_F(IdempotentRequestsTest, ARequestRefusedByARateLimitIsNotKeptSoARetryRunsIt) {
  IdempotentRequests& requests = Requests();
  const ApiRequest request = Post("/v1/things", "{}");
  const ApiResponse limited = requests.Handle("k", "/v1/things", request, [&] {
    ++runs_;
    return ApiResponse{429, R"({"error": {"code": "rate_limited"}})"};
  });
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(Handle(requests, "k", request).body, "run 2");
  EXPECT_EQ(Handle(requests, "k", request).body, "run 2");  // kept from here on
}

// A change whose answer was not kept: here a server error after the change (a crash leaves
// the same, under an earlier instance's claim; the store contract tests show that part).
TEST_F(IdempotentRequestsTest, AKeyWhoseChangeLostItsAnswerIsAnsweredFromWhatItMade) {
  IdempotentRequests& requests =
      Requests([](std::string_view pattern, const ApiRequest&,
                  std::string_view made) -> std::optional<Result<ApiResponse>> {
        if (pattern != "/v1/things") return std::nullopt;
        return ApiResponse{201, "rendered " + std::string(made)};
      });
  const ApiRequest request = Post("/v1/things", "{}");
  auto change_then_fail = [&](const std::string& key, const std::string& made) {
    return [&, key, made] {
      ++runs_;
      EXPECT_EQ(IdempotentRequestScope::CurrentKey(), key);
      store_.RecordChange(key, made);  // as a store does inside the change's transaction
      return ApiResponse{500, "failed after the change"};
    };
  };
  EXPECT_EQ(requests.Handle("k", "/v1/things", request, change_then_fail("k", "thing_9")).status,
            500);
  const ApiResponse recovered = Handle(requests, "k", request);
  EXPECT_EQ(recovered.status, 201);
  EXPECT_EQ(recovered.body, "rendered thing_9");
  EXPECT_EQ(Header(recovered, "Idempotent-Replayed"), "true");
  EXPECT_EQ(Handle(requests, "k", request).body, "rendered thing_9");  // kept, replayed
  EXPECT_EQ(runs_, 1);

  // A route without a recovery sets a state, and runs again.
  EXPECT_EQ(
      requests.Handle("k2", "/v1/clock_advance", request, change_then_fail("k2", "clock_1")).status,
      500);
  EXPECT_EQ(Handle(requests, "k2", request, "/v1/clock_advance").body, "run 3");
}

// The memory store, except that giving up a claim fails while `release_fails` is set, as a
// database does while it is locked or its disk is full.
class StoreWhoseReleaseFails : public IdempotencyStore {
 public:
  Result<IdempotencyClaim> ClaimIdempotencyKey(const std::string& key,
                                               const std::string& request_hash,
                                               const std::string& instance_id, Instant now,
                                               std::chrono::milliseconds retention,
                                               std::chrono::milliseconds lease) override {
    return store.ClaimIdempotencyKey(key, request_hash, instance_id, now, retention, lease);
  }
  Status RenewIdempotencyClaims(const std::vector<std::string>& keys,
                                const std::string& instance_id,
                                std::chrono::milliseconds lease) override {
    return store.RenewIdempotencyClaims(keys, instance_id, lease);
  }
  Status CompleteIdempotencyKey(const std::string& key, const std::string& instance_id, int status,
                                const std::string& body) override {
    return store.CompleteIdempotencyKey(key, instance_id, status, body);
  }
  Status ReleaseIdempotencyKey(const std::string& key, const std::string& instance_id) override {
    if (release_fails) return MakeError(ErrorKind::kUnavailable, "storage_error", "disk full");
    return store.ReleaseIdempotencyKey(key, instance_id);
  }
  Result<int> PurgeIdempotencyKeys(Instant claimed_before, int limit) override {
    return store.PurgeIdempotencyKeys(claimed_before, limit);
  }

  MemoryIdempotencyStore store;
  bool release_fails = false;
};

TEST(IdempotentRequestsFaultTest, AKeyWhoseReleaseFailedRunsAgainOnceTheStoreRecovers) {
  StoreWhoseReleaseFails store;
  ManualClock clock{kT0};
  IdempotencyOptions options;
  options.store = &store;
  options.instance_id = "run_1";
  IdempotentRequests requests(std::move(options), clock);
  const ApiRequest request = Post("/v1/things", "{}");
  int runs = 0;
  auto failing = [&] {
    ++runs;
    return ApiResponse{503, "the database failed"};
  };
  store.release_fails = true;
  EXPECT_EQ(requests.Handle("k", "/v1/things", request, failing).status, 503);
  // The key stays claimed by this server in the store: a retry while the fault lasts fails too,
  // and does not run the handler.
  EXPECT_EQ(requests.Handle("k", "/v1/things", request, failing).status, 503);
  EXPECT_EQ(runs, 1);
  store.release_fails = false;
  const ApiResponse retried = requests.Handle("k", "/v1/things", request, [&] {
    ++runs;
    // Meanwhile the key is in progress for any other request with it.
    EXPECT_EQ(requests.Handle("k", "/v1/things", request, failing).status, 409);
    return ApiResponse{200, "done"};
  });
  EXPECT_EQ(retried.status, 200);
  EXPECT_EQ(retried.body, "done");
  EXPECT_EQ(runs, 2);
  EXPECT_EQ(requests.Handle("k", "/v1/things", request, failing).body, "done");  // kept
}

TEST_F(IdempotentRequestsTest, ExpiredKeysArePurgedByAKeyedRequestAtMostOncePerInterval) {
  IdempotentRequests& requests = Requests();
  for (const char* key : {"a", "b", "c", "d", "e"}) {
    Handle(requests, key, Post("/v1/things", key));  // the first purges nothing yet
  }
  clock_.Advance(hours(24) + minutes(1));  // a to e expired
  auto claim = [&](const std::string& key) {
    return store_.ClaimIdempotencyKey(key, "other request", "run_1", kT0, hours(24), minutes(1))
        ->outcome;
  };
  // Claims at kT0 see what is stored: a key still there is a mismatch, a purged one is new.
  Handle(requests, "f", Post("/v1/things", "f"));  // purges a batch of two: full, so ...
  Handle(requests, "g", Post("/v1/things", "g"));  // ... the next purges two more ...
  Handle(requests, "h", Post("/v1/things", "h"));  // ... and the next the last one
  clock_.Advance(minutes(1));
  for (const char* key : {"a", "b", "c", "d", "e"}) {
    EXPECT_EQ(claim(key), IdempotencyClaim::Outcome::kClaimed) << key << " was not purged";
  }
  EXPECT_EQ(claim("f"), IdempotencyClaim::Outcome::kMismatch) << "f is not expired";

  // The claims above stored a to e again, claimed at kT0: expired, but the last purge was not
  // full and is less than the interval old, so they stay until the interval has passed.
  Handle(requests, "i", Post("/v1/things", "i"));
  EXPECT_EQ(claim("a"), IdempotencyClaim::Outcome::kInProgress) << "a was purged too early";
  clock_.Advance(minutes(10));
  Handle(requests, "j", Post("/v1/things", "j"));
  EXPECT_EQ(claim("a"), IdempotencyClaim::Outcome::kClaimed) << "a was not purged";
}

TEST(RecoveredAnswersTest, EveryRecoveredRouteIsAnAuthenticatedPostOfTheApi) {
  for (const RecoveredRoute& recovered : kRecoveredRoutes) {
    bool found = false;
    for (const ApiRoute& route : kApiRoutes) {
      found |= route.method == "POST" && route.pattern == recovered.pattern &&
               NeedsCredential(route.access, {});
    }
    EXPECT_TRUE(found) << recovered.pattern;
  }
}

}  // namespace
}  // namespace recur::idempotent_request_test
