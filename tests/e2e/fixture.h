// Shared set-up of the end-to-end tests: a temporary folder holding a copy of the shipped
// plan catalog and a database path, and a running `recur serve` on them with a known key.
#pragma once

#include <filesystem>
#include <memory>
#include <string>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "tests/e2e/recur_process.h"

namespace recur::testing {

inline constexpr const char* kTestSecretKey = "sk_test_0123456789abcdefghijklmnopqrstuvwxyzABCD";

class ServeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::copy(std::string(RECUR_SOURCE_DIR) + "/plans", plans_dir());
  }

  std::string plans_dir() const { return dir_ / "plans"; }
  std::string db_path() const { return dir_ / "recur.db"; }

  RecurServer::Options Options() const {
    return {db_path(), plans_dir(), {{"RECUR_SECRET_KEY", kTestSecretKey}}};
  }

  RecurServer& Serve() {
    server_ = RecurServer::Start(Options());
    if (!server_) throw std::runtime_error("recur serve did not start");
    return *server_;
  }

  static httplib::Headers Auth() {
    return {{"Authorization", std::string("Bearer ") + kTestSecretKey}};
  }

  static nlohmann::json Json(const httplib::Result& result) {
    if (!result) throw std::runtime_error("no HTTP answer");
    return nlohmann::json::parse(result->body);
  }

  TempDir dir_;
  std::unique_ptr<RecurServer> server_;
};

}  // namespace recur::testing
