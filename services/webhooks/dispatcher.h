// Sends webhook deliveries (made by the outbox fan-out with their events) to their endpoints,
// at least once. Each attempt signs the stored envelope anew (Standard Webhooks headers plus
// the same values under svix-*, with the attempt's real time as timestamp and the same
// webhook-id every time; during a secret's rotation overlap both secrets sign). Only a 2xx
// answer delivers; a redirect is a failure and is not followed; 410 Gone disables the
// endpoint; 429/502/503/504 may set the next attempt with Retry-After, within bounds. Failures
// are retried on a schedule with jitter until it runs out (a recovery or a resend starts a new
// round of it). Each attempt is logged with its status or transport error, latency and the start
// of the answer's body. An endpoint whose every attempt has failed for `disable_after` is
// disabled, saying since when.
// Each attempt resolves the endpoint's host through the injected resolver, checks every address
// against the SSRF policy (endpoints.h) and connects only to those addresses, in order, with the
// URL's host as Host header, TLS server name and certificate name: nothing resolves it again.
// Workers send in parallel with at most `per_endpoint` attempts in flight per endpoint, so a
// slow or hung endpoint delays only itself; connections are kept open between attempts. A
// recorder thread writes the attempts made meanwhile in one transaction, so sending does not
// wait for each commit; a delivery is not sent again before its attempt is recorded, and one
// whose attempt was lost with a crash is sent again (the same webhook-id: at least once).
// Several nodes may share one store, each with its dispatcher: what it reads is leased to it
// (webhook_delivery_store.h) and renewed by each read while it holds it, the in-flight limit is
// the store's across nodes, and the reads are spread in time at random (`poll_jitter`) so that
// nodes started together do not read in step.
// Tests drive it step by step instead: RunOnce on a ManualClock, with the jitter seeded.
// Thread-safe.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "base/clock.h"
#include "base/jitter.h"
#include "base/metrics.h"
#include "domain/webhooks/url_policy.h"
#include "services/webhooks/connection_pool.h"
#include "services/webhooks/endpoints.h"
#include "services/webhooks/host_resolver.h"
#include "store/webhook_delivery_store.h"

namespace recur {

struct DispatcherOptions {
  // The delay before each attempt: the first at once, then as Svix does: 5 s, 5 min, 30 min,
  // 2 h, 5 h, 10 h, 10 h.
  std::vector<std::chrono::seconds> retry_schedule{
      std::chrono::seconds(0),     std::chrono::seconds(5),    std::chrono::seconds(300),
      std::chrono::seconds(1800),  std::chrono::seconds(7200), std::chrono::seconds(18000),
      std::chrono::seconds(36000), std::chrono::seconds(36000)};
  double jitter = 0.2;  // each delay is spread by up to ±20%
  // Seeds the jitter so that a run's instants repeat (tests); none: seeded from random bytes.
  std::optional<std::uint64_t> jitter_seed;
  ConnectionPoolOptions connections;  // timeouts (5 s connect, 15 s read), keep-alive, CA file
  // An endpoint whose attempts have all failed for this long is disabled (as Svix: 5 days).
  std::chrono::seconds disable_after{5 * 86400};
  std::chrono::seconds max_retry_after{3600};
  std::size_t response_body_cap = 1024;  // bytes of an answer read and kept
  int workers = 8;
  int per_endpoint = 2;
  // The wait between reads of what is due, each spread at random by up to ±`poll_jitter` of it
  // (from the same seed as the retries' jitter).
  std::chrono::milliseconds poll{200};
  double poll_jitter = 0.5;
  // How long what a read hands this dispatcher stays its own, unrecorded, before another node
  // may take it: well past an attempt's timeouts (connections) and the wait for its record.
  std::chrono::milliseconds lease{60'000};
  std::vector<Cidr> allow;  // checked again at send time, as at creation
  // What a refused address's message calls an entry of `allow` (url_policy.h).
  std::string allow_entry_name{kAllowListEntryName};
  // Asked once per attempt; the attempt connects only to an address it answered.
  std::shared_ptr<const HostResolver> resolver = SystemHostResolver();
};

class Dispatcher {
 public:
  Dispatcher(WebhookDeliveryStore& deliveries, WebhookEndpointStore& endpoints, const Clock& clock,
             DispatcherOptions options);
  ~Dispatcher();

  // Starts and stops the workers and the recorder. Stop waits for attempts in flight (at most
  // the timeouts), records them, and gives back what it read and did not attempt. With a
  // `deadline`, attempts still waiting for their answer then have their connections cut: they
  // are not recorded (the receiver's answer never came) and are given back with the rest, to be
  // sent again under the same webhook-id (at least once).
  void Start();
  void Stop();
  void Stop(std::chrono::steady_clock::time_point deadline);

  // Tells the dispatcher that deliveries may have been made due just now (an event was
  // stored): when its queue is empty, the next free worker reads the store at once instead of
  // at the next poll, so a new event is sent without waiting out the poll. Nudges that come
  // together make one read. Cheap; any thread.
  void Nudge();

  // One step on the calling thread, for tests that drive the dispatcher by the clock: sends the
  // deliveries due at the clock's now (at most 200, oldest first), one after another, records
  // their attempts and disables the endpoints due to be, as the workers would. Returns how many
  // attempts it made. Not to be called while started.
  std::size_t RunOnce();

  // Where the workers stand (readiness, metrics): whether they run, when (the injected clock)
  // they last read what is due from the store, and how many deliveries that read left queued
  // here and how many are being sent. A slow endpoint holds back only its own deliveries, so
  // the time since the last read, not the age of what is queued, tells whether the dispatcher
  // itself is stuck. None before the first read. Lock-free.
  struct Progress {
    bool running = false;
    std::optional<Instant> last_read;
    std::size_t queued = 0;
    std::size_t in_flight = 0;
  };
  Progress WorkProgress() const;

  // Attempts recorded by outcome (delivered; failed with a retry set; failed and given up),
  // what is queued or in flight here, and the endpoints whose last attempt here failed.
  void WriteMetrics(MetricsText& text) const;

 private:
  // None when Stop's deadline cut the attempt before its answer came.
  std::optional<DeliveryAttempt> Attempt(const DueDelivery& delivery);
  // Sends the signed request and fills in what came back; false when Stop's deadline cut it.
  bool Send(const DueDelivery& delivery, const CheckedWebhookUrl& checked, DeliveryAttempt& attempt,
            std::optional<std::chrono::seconds>& retry_after);
  // Records the attempts, then disables the endpoints that answered 410 or have failed for too
  // long.
  void Record(const std::vector<DeliveryAttempt>& attempts);
  // The recorder thread: records what the workers made, in batches, until stopped and drained.
  void RecordWhileRunning();
  // Disables the attempt's endpoint if it answered 410 or has failed for too long.
  void DisableIfDue(const DeliveryAttempt& attempt, std::optional<Instant> failing_since);
  // The next wait between reads: `poll` spread by `poll_jitter`, at least a millisecond.
  std::chrono::milliseconds NextPoll();
  void Work();
  // Under mutex_ (`lock` holds it): a queued delivery whose endpoint has room. The queue is read
  // again from the store when it is older than the (jittered) poll, or when it is empty and more
  // may be due (the last read found some, attempts were recorded since, or Nudge said that
  // deliveries were made), by one worker at a
  // time, with mutex_ released for the read's round trip, so that the other workers go on
  // sending and recording meanwhile.
  std::optional<DueDelivery> Take(std::unique_lock<std::mutex>& lock);
  // Under mutex_: whether the endpoint has fewer than `per_endpoint` attempts in flight.
  bool HasRoom(const std::string& endpoint_id) const;
  // The client sending an attempt, known while it sends so that Stop's deadline can cut it;
  // Sending is false once the cutting has begun (the attempt is then not sent).
  bool Sending(httplib::ClientImpl* client);
  void SentBy(httplib::ClientImpl* client);
  // Shuts down the sockets of the attempts being sent; they end at once with an error.
  void CutSending();

  WebhookDeliveryStore& deliveries_;
  WebhookEndpointStore& endpoints_;
  const Clock& clock_;
  const DispatcherOptions options_;
  ConnectionPool connections_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stopping_ = false;
  bool workers_stopped_ = false;
  std::vector<std::thread> workers_;
  int working_ = 0;  // workers not yet returned, under mutex_
  std::condition_variable workers_done_;
  std::thread recorder_;
  std::vector<DueDelivery> queue_;
  std::vector<DueDelivery> cut_;  // attempts cut by Stop's deadline, to be given back
  std::mutex sending_mutex_;
  std::unordered_set<httplib::ClientImpl*> sending_;  // under sending_mutex_
  bool cutting_ = false;                              // under sending_mutex_
  // WorkProgress's, written under mutex_ and read without it.
  std::atomic<bool> running_ = false;
  std::atomic<std::int64_t> last_read_ms_ = -1;  // Unix ms; -1: never read
  std::atomic<std::size_t> queued_ = 0;
  std::atomic<std::size_t> in_flight_count_ = 0;
  Counter delivered_;
  Counter retrying_;
  Counter given_up_;
  mutable std::mutex failing_mutex_;
  std::unordered_set<std::string> failing_endpoints_;  // under failing_mutex_
  std::chrono::steady_clock::time_point queue_read_at_;
  // When a read of what is due last failed: the store is not read again (by any worker) until
  // `poll` has passed, so a store that is down costs one failed read and one log line per poll.
  std::chrono::steady_clock::time_point read_failed_at_;
  std::chrono::milliseconds queue_kept_for_{0};  // how long the last read stands
  bool last_read_queued_ = false;                // the last read found deliveries not queued before
  bool recorded_since_read_ = false;             // attempts were recorded since the last read began
  bool nudged_ = false;                          // Nudge was called since the last read began
  // Whether a worker is reading what is due (outside mutex_); then, the deliveries whose attempt
  // was recorded meanwhile: the read may have seen them still pending, and they are not queued
  // again from it.
  bool reading_ = false;
  std::unordered_set<std::int64_t> recorded_during_read_;
  // Deliveries being sent or whose attempt is not recorded yet: not taken again meanwhile.
  std::unordered_set<std::int64_t> in_flight_;
  std::vector<DeliveryAttempt> unrecorded_;
  std::condition_variable recorder_wake_;
  std::unordered_map<std::string, int> in_flight_per_endpoint_;
  Jitter jitter_;       // of retry delays
  Jitter poll_jitter_;  // of the waits between reads
};

// "0,5,300" seconds -> delays; errors name the setting ("the webhook retry schedule"), param
// "retry_schedule".
Result<std::vector<std::chrono::seconds>> ParseRetrySchedule(std::string_view text);

}  // namespace recur
