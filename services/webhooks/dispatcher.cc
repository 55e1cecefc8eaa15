#include "services/webhooks/dispatcher.h"

#include <httplib.h>

#include <algorithm>
#include <atomic>
#include <charconv>
#include <set>

#include "base/log.h"
#include "domain/webhooks/delivery_request.h"
#include "domain/webhooks/signing.h"
#include "services/webhooks/endpoints.h"

namespace recur {
namespace {

// Attempts made and not yet recorded, at most; past it the workers wait for the recorder.
constexpr std::size_t kMaxUnrecorded = 2000;
// Due deliveries read from the store at a time.
constexpr int kQueueRefill = 200;

std::vector<WebhookSecret> SigningSecrets(const WebhookEndpoint& endpoint, Instant now) {
  std::vector<WebhookSecret> secrets;
  if (auto current = DecodeWebhookSecret(endpoint.secret)) secrets.push_back(*current);
  if (endpoint.previous_secret && endpoint.previous_secret_expires_at &&
      now < *endpoint.previous_secret_expires_at) {
    if (auto previous = DecodeWebhookSecret(*endpoint.previous_secret)) {
      secrets.push_back(*previous);
    }
  }
  return secrets;
}

std::optional<std::chrono::seconds> RetryAfter(const httplib::Response& response) {
  if (!response.has_header("Retry-After")) return std::nullopt;
  const std::string value = response.get_header_value("Retry-After");
  long long seconds = 0;
  auto [end, error] = std::from_chars(value.data(), value.data() + value.size(), seconds);
  if (error != std::errc() || end != value.data() + value.size() || seconds < 0) {
    return std::nullopt;  // an HTTP date is not honoured; the schedule applies
  }
  return std::chrono::seconds(seconds);
}

}  // namespace

Result<std::vector<std::chrono::seconds>> ParseRetrySchedule(std::string_view text) {
  std::vector<std::chrono::seconds> schedule;
  while (!text.empty()) {
    const std::size_t comma = text.find(',');
    const std::string_view entry = text.substr(0, comma);
    long long seconds = -1;
    auto [end, error] = std::from_chars(entry.data(), entry.data() + entry.size(), seconds);
    if (error != std::errc() || end != entry.data() + entry.size() || seconds < 0 ||
        seconds > 7 * 86400) {
      schedule.clear();
      break;
    }
    schedule.emplace_back(seconds);
    if (comma == std::string_view::npos) break;
    text.remove_prefix(comma + 1);
  }
  if (schedule.empty()) {
    return MakeError(ErrorKind::kInvalidArgument, "invalid_retry_schedule",
                     "the webhook retry schedule must be comma-separated delays in seconds (0 to "
                     "604800) before each attempt, like 0,5,300,1800",
                     "retry_schedule");
  }
  return schedule;
}

Dispatcher::Dispatcher(WebhookDeliveryStore& deliveries, WebhookEndpointStore& endpoints,
                       const Clock& clock, DispatcherOptions options)
    : deliveries_(deliveries),
      endpoints_(endpoints),
      clock_(clock),
      options_(std::move(options)),
      connections_(options_.connections),
      jitter_(options_.jitter, options_.jitter_seed),
      poll_jitter_(options_.poll_jitter, options_.jitter_seed) {}

Dispatcher::~Dispatcher() { Stop(); }

std::chrono::milliseconds Dispatcher::NextPoll() {
  return std::max(poll_jitter_.Spread(options_.poll), std::chrono::milliseconds(1));
}

bool Dispatcher::Sending(httplib::ClientImpl* client) {
  std::lock_guard lock(sending_mutex_);
  if (cutting_) return false;
  sending_.insert(client);
  return true;
}

void Dispatcher::SentBy(httplib::ClientImpl* client) {
  std::lock_guard lock(sending_mutex_);
  sending_.erase(client);
}

void Dispatcher::CutSending() {
  std::lock_guard lock(sending_mutex_);
  cutting_ = true;
  // The library's stop() shuts the socket of a request in flight from another thread; the
  // request then fails at once instead of waiting out its timeouts.
  for (httplib::ClientImpl* client : sending_) client->stop();
}

bool Dispatcher::Send(const DueDelivery& delivery, const CheckedWebhookUrl& checked,
                      DeliveryAttempt& attempt, std::optional<std::chrono::seconds>& retry_after) {
  const WebhookUrl& url = checked.url;
  httplib::Request request =
      DeliveryRequest(url, delivery.msg_id, attempt.attempted_at,
                      SigningSecrets(delivery.endpoint, attempt.attempted_at), delivery.body);
  std::string answer;
  const std::size_t cap = options_.response_body_cap;
  request.content_receiver = [&answer, cap](const char* data, std::size_t length, std::uint64_t,
                                            std::uint64_t) {
    answer.append(data, std::min(length, cap - std::min(cap, answer.size())));
    return answer.size() < cap;  // stop reading past the cap
  };
  // Each checked address in turn until one takes the connection: a refused connection sent
  // nothing, so the next address cannot make a second delivery.
  for (std::size_t i = 0; i < checked.addresses.size(); ++i) {
    const IpAddress& address = checked.addresses[i];
    std::unique_ptr<httplib::ClientImpl> client = connections_.Take(url, address);
    if (!Sending(client.get())) return false;
    httplib::Result result = client->send(request);
    SentBy(client.get());
    if (!result && result.error() != httplib::Error::Canceled) {
      std::lock_guard lock(sending_mutex_);
      if (cutting_) return false;  // cut by Stop's deadline, not failed by the receiver
    }
    if (result) {
      attempt.http_status = result->status;
      retry_after = RetryAfter(*result);
      connections_.Give(url, address, std::move(client));
    } else if (result.error() == httplib::Error::Canceled) {
      attempt.error = "answer cut at " + std::to_string(cap) + " bytes";
    } else {
      attempt.error = httplib::to_string(result.error());
      if (checked.addresses.size() > 1) attempt.error += " (" + FormatIpAddress(address) + ")";
      if (result.error() == httplib::Error::Connection && i + 1 < checked.addresses.size()) {
        continue;
      }
    }
    break;
  }
  attempt.response_body = std::move(answer);
  return true;
}

std::optional<DeliveryAttempt> Dispatcher::Attempt(const DueDelivery& delivery) {
  DeliveryAttempt attempt;
  attempt.delivery_id = delivery.id;
  attempt.endpoint_id = delivery.endpoint.id;
  attempt.attempt = delivery.attempts + 1;
  attempt.lease = delivery.lease;
  attempt.attempted_at = clock_.Now();
  const auto started = std::chrono::steady_clock::now();

  std::optional<std::chrono::seconds> retry_after;
  // The addresses are checked again now: what a name resolves to may have changed since the
  // endpoint was made. The request goes to one of the addresses checked, never to what the name
  // resolves to a moment later.
  auto checked = CheckWebhookUrl(delivery.endpoint.url, options_.allow, options_.allow_entry_name,
                                 *options_.resolver);
  if (checked) {
    if (!Send(delivery, *checked, attempt, retry_after)) return std::nullopt;
  } else {
    attempt.error = checked.error().message;
  }
  attempt.latency_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                           std::chrono::steady_clock::now() - started)
                           .count();

  const int status = attempt.http_status.value_or(0);
  attempt.delivered = Delivers(attempt.http_status);
  if (attempt.delivered || status == 410) return attempt;
  const std::size_t next = static_cast<std::size_t>(attempt.attempt - delivery.round_start);
  if (next < options_.retry_schedule.size()) {
    std::chrono::milliseconds delay = jitter_.Spread(options_.retry_schedule[next]);
    const bool throttled = status == 429 || status == 502 || status == 503 || status == 504;
    if (throttled && retry_after) {
      delay = std::max(delay,
                       std::chrono::milliseconds(std::min(*retry_after, options_.max_retry_after)));
    }
    attempt.next_attempt_at = attempt.attempted_at + delay;
  }
  return attempt;
}

void Dispatcher::Record(const std::vector<DeliveryAttempt>& attempts) {
  auto failing_since = deliveries_.RecordDeliveryAttempts(attempts);
  if (!failing_since) {
    // The deliveries stay pending as they were, and are sent again.
    Log(clock_.Now(), "error", "webhook_attempts_not_recorded",
        {{"attempts", attempts.size()}, {"error", failing_since.error().message}});
    return;
  }
  {
    std::lock_guard lock(failing_mutex_);
    for (std::size_t i = 0; i < attempts.size(); ++i) {
      const DeliveryAttempt& attempt = attempts[i];
      (attempt.delivered ? delivered_ : attempt.next_attempt_at ? retrying_ : given_up_).Add();
      if (attempt.delivered) {
        failing_endpoints_.erase(attempt.endpoint_id);
      } else {
        failing_endpoints_.insert(attempt.endpoint_id);
      }
    }
  }
  for (std::size_t i = 0; i < attempts.size(); ++i) DisableIfDue(attempts[i], (*failing_since)[i]);
}

void Dispatcher::WriteMetrics(MetricsText& text) const {
  text.Family("recur_webhook_attempts_total", "counter",
              "Webhook delivery attempts recorded by this node, by outcome: delivered, retrying "
              "(failed, another attempt is set) or given_up (failed, the schedule ran out)");
  text.Sample("recur_webhook_attempts_total", {{"outcome", "delivered"}}, delivered_.Value());
  text.Sample("recur_webhook_attempts_total", {{"outcome", "retrying"}}, retrying_.Value());
  text.Sample("recur_webhook_attempts_total", {{"outcome", "given_up"}}, given_up_.Value());
  const Progress progress = WorkProgress();
  text.Family("recur_webhook_queue_depth", "gauge",
              "Deliveries due that this node has read and not yet recorded an attempt of");
  text.Sample("recur_webhook_queue_depth", {},
              static_cast<std::uint64_t>(progress.queued + progress.in_flight));
  std::size_t failing = 0;
  {
    std::lock_guard lock(failing_mutex_);
    failing = failing_endpoints_.size();
  }
  text.Family("recur_webhook_failing_endpoints", "gauge",
              "Endpoints whose last attempt from this node failed");
  text.Sample("recur_webhook_failing_endpoints", {}, static_cast<std::uint64_t>(failing));
  text.Family("recur_webhook_dispatcher_running", "gauge", "1 while the dispatcher runs");
  text.Sample("recur_webhook_dispatcher_running", {}, std::uint64_t{progress.running ? 1u : 0u});
}

void Dispatcher::DisableIfDue(const DeliveryAttempt& attempt,
                              std::optional<Instant> failing_since) {
  std::string reason;
  std::optional<Instant> only_if_failing_since;
  if (attempt.http_status == 410) {
    reason = "the endpoint answered 410 Gone";
  } else if (failing_since && attempt.attempted_at - *failing_since >= options_.disable_after) {
    reason = "every delivery attempt has failed since " + FormatRfc3339(*failing_since) +
             " (more than " + std::to_string(options_.disable_after.count()) + " s)";
    only_if_failing_since = *failing_since;
  } else {
    return;
  }
  auto disabled = endpoints_.DisableWebhookEndpoint(attempt.endpoint_id, reason,
                                                    attempt.attempted_at, only_if_failing_since);
  if (!disabled) {
    Log(clock_.Now(), "error", "webhook_endpoint_not_disabled",
        {{"endpoint_id", attempt.endpoint_id}, {"error", disabled.error().message}});
  } else if (*disabled) {
    Log(clock_.Now(), "warn", "webhook_endpoint_disabled",
        {{"endpoint_id", attempt.endpoint_id}, {"reason", reason}});
  }
}

bool Dispatcher::HasRoom(const std::string& endpoint_id) const {
  auto in_flight = in_flight_per_endpoint_.find(endpoint_id);
  return in_flight == in_flight_per_endpoint_.end() || in_flight->second < options_.per_endpoint;
}

std::optional<DueDelivery> Dispatcher::Take(std::unique_lock<std::mutex>& lock) {
  const auto now = std::chrono::steady_clock::now();
  const bool store_failing = now - read_failed_at_ < options_.poll;
  // An emptied queue is read again at once only when more may be due than the last read found:
  // that read queued something (the store caps what it gives per read and per endpoint), an
  // attempt was recorded since (its endpoint has room again), or deliveries were made since
  // (Nudge). Else a store with nothing due would be read again by each worker the last read
  // woke, one after another, without end.
  const bool more_may_be_due = last_read_queued_ || recorded_since_read_ || nudged_;
  if (((queue_.empty() && more_may_be_due) || now - queue_read_at_ >= queue_kept_for_) &&
      !store_failing && !reading_) {
    // Read again what is due for the endpoints with room. Those without keep what is queued for
    // them: left in the read, their backlog would crowd out every other endpoint.
    std::vector<std::string> full;
    for (const auto& [endpoint_id, in_flight] : in_flight_per_endpoint_) {
      if (in_flight >= options_.per_endpoint) full.push_back(endpoint_id);
    }
    // What is in flight is still pending in the store: read past it. The read renews the
    // leases of what this dispatcher holds; what it no longer holds (its lease lapsed while
    // this node was paused, and another took it) is not in the read and leaves the queue.
    const int limit = kQueueRefill + static_cast<int>(in_flight_.size());
    // The read is a round trip to the store: made without the mutex, so that the other workers
    // take what is queued and the recorder records meanwhile.
    reading_ = true;
    recorded_since_read_ = false;
    nudged_ = false;
    recorded_during_read_.clear();
    lock.unlock();
    auto due = deliveries_.DueDeliveries(
        clock_.Now(), limit, full,
        {.per_endpoint = options_.per_endpoint, .duration = options_.lease});
    lock.lock();
    reading_ = false;
    wake_.notify_all();  // workers that found nothing while the read was out
    if (!due) {
      read_failed_at_ = now;
      Log(clock_.Now(), "error", "webhook_deliveries_unreadable", {{"error", due.error().message}});
      return std::nullopt;
    }
    // What the read covered (the endpoints not full when it began) is replaced by it; what is
    // queued for the others stays. A delivery taken from the queue meanwhile is in flight, and
    // one recorded meanwhile may have been read still pending: neither is queued again.
    std::erase_if(queue_, [&full](const DueDelivery& queued) {
      return std::ranges::find(full, queued.endpoint.id) == full.end();
    });
    last_read_queued_ = false;
    for (DueDelivery& delivery : *due) {
      if (!in_flight_.contains(delivery.id) && !recorded_during_read_.contains(delivery.id)) {
        queue_.push_back(std::move(delivery));
        last_read_queued_ = true;
      }
    }
    recorded_during_read_.clear();
    queue_read_at_ = now;
    queue_kept_for_ = NextPoll();
    last_read_ms_ = ToUnixMillis(clock_.Now());
  }
  auto ready = std::find_if(queue_.begin(), queue_.end(), [this](const DueDelivery& queued) {
    return HasRoom(queued.endpoint.id);
  });
  if (ready == queue_.end()) {
    queued_ = queue_.size();
    return std::nullopt;
  }
  DueDelivery delivery = std::move(*ready);
  queue_.erase(ready);
  queued_ = queue_.size();
  return delivery;
}

void Dispatcher::Nudge() {
  {
    std::lock_guard lock(mutex_);
    nudged_ = true;
  }
  wake_.notify_all();  // also the workers waiting for the recorder, which wait again
}

void Dispatcher::Work() {
  std::unique_lock lock(mutex_);
  struct Done {
    Dispatcher& dispatcher;
    ~Done() {
      --dispatcher.working_;
      dispatcher.workers_done_.notify_all();
    }
  } done{*this};
  while (!stopping_) {
    std::optional<DueDelivery> delivery = Take(lock);
    if (stopping_) {
      // Read while the stop was asked for: left queued, for Stop to give back.
      if (delivery) queue_.push_back(std::move(*delivery));
      break;
    }
    if (!delivery) {
      connections_.CloseIdle();
      wake_.wait_for(lock, NextPoll());
      continue;
    }
    in_flight_.insert(delivery->id);
    in_flight_count_ = in_flight_.size();
    ++in_flight_per_endpoint_[delivery->endpoint.id];
    lock.unlock();
    std::optional<DeliveryAttempt> attempt = Attempt(*delivery);
    lock.lock();
    // The endpoint has room again; the delivery stays in flight until its attempt is recorded.
    if (--in_flight_per_endpoint_[delivery->endpoint.id] == 0) {
      in_flight_per_endpoint_.erase(delivery->endpoint.id);
    }
    if (!attempt) {  // cut by Stop's deadline: given back unrecorded
      in_flight_.erase(delivery->id);
      in_flight_count_ = in_flight_.size();
      cut_.push_back(std::move(*delivery));
      continue;
    }
    unrecorded_.push_back(std::move(*attempt));
    recorder_wake_.notify_one();
    wake_.notify_one();  // a worker waiting for this endpoint's room
    // Bounded: while the recorder is far behind, sending waits for it.
    wake_.wait(lock, [this] { return unrecorded_.size() < kMaxUnrecorded || stopping_; });
  }
}

void Dispatcher::RecordWhileRunning() {
  std::unique_lock lock(mutex_);
  while (true) {
    recorder_wake_.wait(lock, [this] { return !unrecorded_.empty() || workers_stopped_; });
    if (unrecorded_.empty()) return;  // the workers have stopped and everything is recorded
    std::vector<DeliveryAttempt> batch;
    batch.swap(unrecorded_);
    lock.unlock();
    Record(batch);
    lock.lock();
    for (const DeliveryAttempt& attempt : batch) {
      in_flight_.erase(attempt.delivery_id);
      if (reading_) recorded_during_read_.insert(attempt.delivery_id);
    }
    recorded_since_read_ = true;
    in_flight_count_ = in_flight_.size();
    wake_.notify_all();
  }
}

std::size_t Dispatcher::RunOnce() {
  // One attempt after another: nothing bounds the step's deliveries per endpoint.
  auto due = deliveries_.DueDeliveries(clock_.Now(), kQueueRefill, {},
                                       {.per_endpoint = 0, .duration = options_.lease});
  if (!due) {
    Log(clock_.Now(), "error", "webhook_deliveries_unreadable", {{"error", due.error().message}});
    return 0;
  }
  std::vector<DeliveryAttempt> attempts;
  for (const DueDelivery& delivery : *due) {
    if (auto attempt = Attempt(delivery)) attempts.push_back(std::move(*attempt));
  }
  if (!attempts.empty()) Record(attempts);
  return attempts.size();
}

void Dispatcher::Start() {
  std::lock_guard lock(mutex_);
  if (!workers_.empty()) return;
  stopping_ = false;
  workers_stopped_ = false;
  {
    std::lock_guard sending(sending_mutex_);
    cutting_ = false;
  }
  working_ = options_.workers;
  for (int i = 0; i < options_.workers; ++i) workers_.emplace_back([this] { Work(); });
  recorder_ = std::thread([this] { RecordWhileRunning(); });
  running_ = true;
}

Dispatcher::Progress Dispatcher::WorkProgress() const {
  Progress progress;
  progress.running = running_;
  if (const std::int64_t ms = last_read_ms_; ms >= 0) progress.last_read = FromUnixMillis(ms);
  progress.queued = queued_;
  progress.in_flight = in_flight_count_;
  return progress;
}

void Dispatcher::Stop() { Stop(std::chrono::steady_clock::time_point::max()); }

void Dispatcher::Stop(std::chrono::steady_clock::time_point deadline) {
  running_ = false;
  std::size_t cut = 0;
  {
    std::unique_lock lock(mutex_);
    stopping_ = true;
    wake_.notify_all();
    if (!workers_done_.wait_until(lock, deadline, [this] { return working_ == 0; })) {
      // A worker may be between taking its client and sending on it when the cut comes: it is
      // cut again until every worker has returned.
      while (working_ > 0) {
        lock.unlock();
        CutSending();
        lock.lock();
        workers_done_.wait_for(lock, std::chrono::milliseconds(50),
                               [this] { return working_ == 0; });
      }
    }
    cut = cut_.size();
  }
  if (cut > 0) {
    Log(clock_.Now(), "warn", "webhook_attempts_cut",
        {{"attempts", cut}, {"reason", "the shutdown's deadline came before their answers"}});
  }
  for (std::thread& worker : workers_) worker.join();
  workers_.clear();
  {
    std::lock_guard lock(mutex_);
    workers_stopped_ = true;
  }
  recorder_wake_.notify_all();
  if (recorder_.joinable()) recorder_.join();
  // What was read and not attempted is given back, for another node to send at once rather
  // than after its lease.
  std::vector<DueDelivery> unsent;
  {
    std::lock_guard lock(mutex_);
    unsent.swap(queue_);
    unsent.insert(unsent.end(), std::make_move_iterator(cut_.begin()),
                  std::make_move_iterator(cut_.end()));
    cut_.clear();
  }
  if (Status released = deliveries_.ReleaseDeliveries(unsent); !released) {
    Log(clock_.Now(), "error", "webhook_leases_not_released",
        {{"deliveries", unsent.size()}, {"error", released.error().message}});
  }
}

}  // namespace recur
