// The write-path load generator: many concurrent API clients, each a thread with its own
// kept-alive connection, that sign payers up the way a product's backend would: create the
// payer (on a test clock when given), attach the sandbox card pm_card_visa, and start the
// plan's free trial (POST /v1/payers, POST .../payment_methods, POST .../subscription_items).
// recur commits each request durably before answering, so this measures durable sign-ups.
//
// usage: bench_load --port PORT --key SECRET_KEY --payers N [--clients C] [--clock CLOCK_ID]
//                   [--prefix TEXT] [--plan SLUG] [--ids-out FILE] [--idempotency-keys]
// External ids are PREFIX_0 .. PREFIX_{N-1}, so each run needs its own prefix. With
// --idempotency-keys every POST carries an Idempotency-Key, as docs/api.md advises.
// The created payer ids are appended to FILE, one a line. Prints "name value" lines: payers,
// requests, errors, seconds, payers_per_s, requests_per_s, p50_ms, p99_ms. Exits 1 when any
// request failed (the first failure is printed on stderr).
#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include <httplib.h>
#include <nlohmann/json.hpp>

namespace {

struct Flags {
  int port = 0;
  std::string key;
  long long payers = 0;
  int clients = 32;
  std::string clock;
  std::string prefix = "bench";
  std::string plan = "pro";
  std::string ids_out;
  bool idempotency_keys = false;
};

[[noreturn]] void Usage() {
  std::fprintf(stderr,
               "usage: bench_load --port PORT --key SECRET_KEY --payers N [--clients C] "
               "[--clock CLOCK_ID] [--prefix TEXT] [--plan SLUG] [--ids-out FILE] "
               "[--idempotency-keys]\n");
  std::exit(2);
}

Flags ParseFlags(int argc, char** argv) {
  Flags flags;
  for (int i = 1; i < argc; ++i) {
    const std::string_view name = argv[i];
    if (name == "--idempotency-keys") {
      flags.idempotency_keys = true;
      continue;
    }
    if (i + 1 >= argc) Usage();
    const std::string value = argv[++i];
    if (name == "--port") {
      flags.port = std::atoi(value.c_str());
    } else if (name == "--key") {
      flags.key = value;
    } else if (name == "--payers") {
      flags.payers = std::atoll(value.c_str());
    } else if (name == "--clients") {
      flags.clients = std::atoi(value.c_str());
    } else if (name == "--clock") {
      flags.clock = value;
    } else if (name == "--prefix") {
      flags.prefix = value;
    } else if (name == "--plan") {
      flags.plan = value;
    } else if (name == "--ids-out") {
      flags.ids_out = value;
    } else {
      Usage();
    }
  }
  if (flags.port <= 0 || flags.key.empty() || flags.payers < 1 || flags.clients < 1) Usage();
  return flags;
}

using SteadyClock = std::chrono::steady_clock;

// What one client thread saw.
struct ClientTally {
  std::vector<float> latencies_ms;
  std::vector<std::string> payer_ids;
  long long requests = 0;
  long long errors = 0;
};

class SignUps {
 public:
  explicit SignUps(const Flags& flags) : flags_(flags) {}

  void RunClient(ClientTally& tally) {
    httplib::Client client("127.0.0.1", flags_.port);
    client.set_keep_alive(true);
    client.set_tcp_nodelay(true);
    client.set_read_timeout(std::chrono::seconds(120));
    for (long long i = next_++; i < flags_.payers; i = next_++) {
      const std::string external_id = flags_.prefix + "_" + std::to_string(i);
      nlohmann::json payer = {{"external_id", external_id},
                              {"type", "user"},
                              {"email", external_id + "@example.com"},
                              {"name", "Bench Payer"}};
      if (!flags_.clock.empty()) payer["test_clock"] = flags_.clock;
      auto created = Post(client, tally, "/v1/payers", payer.dump(), external_id + "-payer");
      if (!created) continue;
      const std::string id = nlohmann::json::parse(*created)["id"];
      if (!Post(client, tally, "/v1/payers/" + id + "/payment_methods",
                R"({"token":"pm_card_visa"})", external_id + "-card")) {
        continue;
      }
      if (!Post(client, tally, "/v1/payers/" + id + "/subscription_items",
                nlohmann::json{{"plan", flags_.plan}}.dump(), external_id + "-trial")) {
        continue;
      }
      tally.payer_ids.push_back(id);
    }
  }

  std::optional<std::string> first_error() const {
    std::lock_guard lock(error_mutex_);
    return first_error_;
  }

 private:
  // One POST; the answer's body on 200, none (and a tallied error) otherwise.
  std::optional<std::string> Post(httplib::Client& client, ClientTally& tally,
                                  const std::string& path, const std::string& body,
                                  const std::string& idempotency_key) {
    httplib::Headers headers = {{"Authorization", "Bearer " + flags_.key}};
    if (flags_.idempotency_keys) headers.emplace("Idempotency-Key", idempotency_key);
    const auto start = SteadyClock::now();
    httplib::Result result = client.Post(path, headers, body, "application/json");
    tally.latencies_ms.push_back(
        std::chrono::duration<float, std::milli>(SteadyClock::now() - start).count());
    ++tally.requests;
    if (result && result->status == 200) return result->body;
    ++tally.errors;
    std::lock_guard lock(error_mutex_);
    if (!first_error_) {
      first_error_ = "POST " + path + ": " +
                     (result ? std::to_string(result->status) + " " + result->body
                             : "no answer (" + httplib::to_string(result.error()) + ")");
    }
    return std::nullopt;
  }

  const Flags& flags_;
  std::atomic<long long> next_ = 0;
  mutable std::mutex error_mutex_;
  std::optional<std::string> first_error_;
};

double Percentile(const std::vector<float>& sorted, double fraction) {
  if (sorted.empty()) return 0;
  const std::size_t index = std::min(
      sorted.size() - 1, static_cast<std::size_t>(fraction * static_cast<double>(sorted.size())));
  return sorted[index];
}

}  // namespace

int main(int argc, char** argv) {
  const Flags flags = ParseFlags(argc, argv);
  SignUps sign_ups(flags);
  std::vector<ClientTally> tallies(static_cast<std::size_t>(flags.clients));
  std::vector<std::thread> clients;
  const auto start = SteadyClock::now();
  for (ClientTally& tally : tallies) {
    clients.emplace_back([&sign_ups, &tally] { sign_ups.RunClient(tally); });
  }
  for (std::thread& client : clients) client.join();
  const double seconds = std::chrono::duration<double>(SteadyClock::now() - start).count();

  std::vector<float> latencies;
  long long requests = 0, errors = 0, payers = 0;
  std::ofstream ids;
  if (!flags.ids_out.empty()) ids.open(flags.ids_out, std::ios::app);
  for (const ClientTally& tally : tallies) {
    latencies.insert(latencies.end(), tally.latencies_ms.begin(), tally.latencies_ms.end());
    requests += tally.requests;
    errors += tally.errors;
    payers += static_cast<long long>(tally.payer_ids.size());
    for (const std::string& id : tally.payer_ids) ids << id << '\n';
  }
  std::sort(latencies.begin(), latencies.end());
  std::printf("payers %lld\nrequests %lld\nerrors %lld\nseconds %.3f\n", payers, requests, errors,
              seconds);
  std::printf("payers_per_s %.1f\nrequests_per_s %.1f\n", payers / seconds, requests / seconds);
  std::printf("p50_ms %.2f\np99_ms %.2f\n", Percentile(latencies, 0.50),
              Percentile(latencies, 0.99));
  if (auto error = sign_ups.first_error()) {
    std::fprintf(stderr, "bench_load: %lld failed requests; the first: %s\n", errors,
                 error->c_str());
    return 1;
  }
  return 0;
}
