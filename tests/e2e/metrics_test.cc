// GET /metrics of the real `recur serve`: Prometheus's text format behind the secret key (or
// without it on --metrics-addr), read back by Prometheus's own parser (Debian's
// python3-prometheus-client, which tools/install-deps.sh installs), and counters that move
// after real requests: HTTP requests by route pattern and status, gateway charges, database
// commits, the process's memory and files.
#include <regex>

#include <gmock/gmock.h>

#include "tests/e2e/fixture.h"

namespace recur::testing::metrics_test {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

// Reads a scrape with prometheus_client's parser: each sample as {"name", "labels", "value"}.
constexpr const char* kParse = R"(
import json, sys
from prometheus_client.parser import text_string_to_metric_families
samples = []
for family in text_string_to_metric_families(sys.stdin.read()):
    for sample in family.samples:
        samples.append({"family": family.name, "type": family.type, "name": sample.name,
                        "labels": sample.labels, "value": sample.value})
print(json.dumps(samples))
)";

// Debian's Python, where Debian's package puts the parser (a python3 earlier on PATH, such as
// pyenv's, would not see it).
constexpr const char* kPython = "/usr/bin/python3";

bool HaveParser() {
  return RunCommand({kPython, "-c", "import prometheus_client.parser"}).exit_code == 0;
}

class MetricsTest : public ServeTest {
 protected:
  // The samples of a scrape as the parser reads them; fails the test when it cannot.
  nlohmann::json Parsed(const std::string& text) {
    const std::string path = dir_ / ("scrape-" + std::to_string(scrapes_++) + ".txt");
    WriteFile(path, text);
    const CommandResult parsed = RunCommand({kPython, "-c", kParse}, path);
    EXPECT_EQ(parsed.exit_code, 0) << parsed.err << "\n" << text;
    return parsed.exit_code == 0 ? nlohmann::json::parse(parsed.out) : nlohmann::json::array();
  }

  nlohmann::json Scrape() {
    auto answer = server_->Client().Get("/metrics", Auth());
    if (!answer) throw std::runtime_error("no HTTP answer to GET /metrics");
    EXPECT_EQ(answer->status, 200) << answer->body;
    EXPECT_EQ(answer->get_header_value("Content-Type"), "text/plain; version=0.0.4; charset=utf-8");
    return Parsed(answer->body);
  }

  // The value of sample `name` with exactly `labels`; 0 when there is none.
  static double Value(const nlohmann::json& samples, const std::string& name,
                      const nlohmann::json& labels = nlohmann::json::object()) {
    for (const nlohmann::json& sample : samples) {
      if (sample["name"] == name && sample["labels"] == labels) return sample["value"];
    }
    return 0;
  }

  int scrapes_ = 0;
};

TEST_F(MetricsTest, MetricsNeedTheSecretKeyOnTheApisAddress) {
  Serve();
  auto without = server_->Client().Get("/metrics");
  ASSERT_TRUE(without);
  EXPECT_EQ(without->status, 401);
  auto with = server_->Client().Get("/metrics", Auth());
  ASSERT_TRUE(with);
  EXPECT_EQ(with->status, 200);
  EXPECT_THAT(with->body, HasSubstr("# TYPE recur_http_requests_total counter\n"));
}

TEST_F(MetricsTest, PrometheusReadsTheScrapeAndItsCountersMoveAfterRealRequests) {
  if (!HaveParser()) GTEST_SKIP() << "needs python3-prometheus-client (tools/install-deps.sh)";
  Serve();
  const nlohmann::json before = Scrape();
  const nlohmann::json plans_ok = {{"route", "GET /v1/plans"}, {"status", "200"}};
  const nlohmann::json payer_missing = {{"route", "GET /v1/payers/{id}"}, {"status", "404"}};

  auto client = server_->Client();
  for (int i = 0; i < 3; ++i) ASSERT_EQ(client.Get("/v1/plans")->status, 200);
  EXPECT_EQ(Call("GET", "/v1/payers/payer_that_is_not_there").status, 404);
  const std::string payer = NewPayer("metrics_1", "pm_card_visa");
  ASSERT_EQ(
      Call("POST", "/v1/payers/" + payer + "/subscription_items", {{"plan", "business"}}).status,
      200);
  const nlohmann::json after = Scrape();

  EXPECT_EQ(Value(after, "recur_http_requests_total", plans_ok),
            Value(before, "recur_http_requests_total", plans_ok) + 3);
  EXPECT_EQ(Value(after, "recur_http_requests_total", payer_missing),
            Value(before, "recur_http_requests_total", payer_missing) + 1);
  // The route's pattern names the series, never the path asked.
  EXPECT_THAT(after.dump(), Not(HasSubstr("payer_that_is_not_there")));
  EXPECT_GE(Value(after, "recur_http_request_duration_seconds_count", {{"route", "GET /v1/plans"}}),
            3);
  EXPECT_EQ(
      Value(after, "recur_http_request_duration_seconds_bucket",
            {{"route", "GET /v1/plans"}, {"le", "+Inf"}}),
      Value(after, "recur_http_request_duration_seconds_count", {{"route", "GET /v1/plans"}}));
  EXPECT_EQ(Value(after, "recur_gateway_charges_total", {{"outcome", "paid"}}),
            Value(before, "recur_gateway_charges_total", {{"outcome", "paid"}}) + 1);
  EXPECT_GT(Value(after, "recur_gateway_charge_duration_seconds_count"),
            Value(before, "recur_gateway_charge_duration_seconds_count"));
  EXPECT_GT(Value(after, "recur_database_commit_duration_seconds_count"),
            Value(before, "recur_database_commit_duration_seconds_count"));
  EXPECT_GT(Value(after, "process_resident_memory_bytes"), 1 << 20);
  EXPECT_GT(Value(after, "process_open_fds"), 3);
  EXPECT_EQ(Value(after, "recur_scheduler_running"), 1);
  EXPECT_EQ(Value(after, "recur_webhook_dispatcher_running"), 1);
  EXPECT_GE(Value(after, "recur_due_work_lag_seconds"), -1);
}

TEST_F(MetricsTest, MetricsAddrServesThemWithoutAKeyAndNothingElse) {
  if (!HaveParser()) GTEST_SKIP() << "needs python3-prometheus-client (tools/install-deps.sh)";
  RecurServer::Options options = Options();
  options.args = {"--metrics-addr", "0"};
  server_ = RecurServer::Start(options);
  ASSERT_NE(server_, nullptr);
  std::smatch match;
  const std::string err = server_->Stderr();
  static const std::regex kMetricsAddress(R"re("metrics_addr":"127\.0\.0\.1:(\d+)")re");
  ASSERT_TRUE(std::regex_search(err, match, kMetricsAddress)) << err;
  httplib::Client metrics("127.0.0.1", std::stoi(match[1]));
  auto scrape = metrics.Get("/metrics");
  ASSERT_TRUE(scrape);
  EXPECT_EQ(scrape->status, 200);
  EXPECT_GT(Value(Parsed(scrape->body), "process_open_fds"), 0);
  auto other = metrics.Get("/v1/plans");
  ASSERT_TRUE(other);
  EXPECT_EQ(other->status, 404);
}

}  // namespace
}  // namespace recur::testing::metrics_test
