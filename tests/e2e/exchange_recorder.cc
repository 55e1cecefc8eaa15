#include "tests/e2e/exchange_recorder.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace recur::testing {
namespace {

// "Suite.Name" of the running test, "" outside one.
std::string CurrentTest() {
  const ::testing::TestInfo* test = ::testing::UnitTest::GetInstance()->current_test_info();
  return test == nullptr ? "" : std::string(test->test_suite_name()) + "." + test->name();
}

void Append(const std::string& file, const std::string& line) {
  const int fd = open(file.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0644);
  if (fd < 0) return;
  for (std::size_t written = 0; written < line.size();) {
    const ssize_t n = write(fd, line.data() + written, line.size() - written);
    if (n <= 0) break;
    written += static_cast<std::size_t>(n);
  }
  close(fd);
}

}  // namespace

void RecordExchanges(httplib::Client& client) {
  const char* folder = std::getenv("RECUR_E2E_EXCHANGES");
  if (folder == nullptr || *folder == '\0') return;
  std::filesystem::create_directories(folder);
  const std::string file = std::string(folder) + "/" + std::to_string(getpid()) + ".jsonl";
  client.set_logger([file](const httplib::Request& request, const httplib::Response& response) {
    nlohmann::json headers = nlohmann::json::object();
    for (const auto& [name, value] : response.headers) headers[name] = value;
    const nlohmann::json exchange = {{"test", CurrentTest()},
                                     {"method", request.method},
                                     {"target", request.path},
                                     {"request_body", request.body},
                                     {"status", response.status},
                                     {"content_type", response.get_header_value("Content-Type")},
                                     {"response_headers", std::move(headers)},
                                     {"response_body", response.body}};
    Append(file, exchange.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n");
  });
}

}  // namespace recur::testing
