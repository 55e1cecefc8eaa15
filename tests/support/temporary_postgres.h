// For tests: a PostgreSQL database of its own on the test cluster, made when constructed and
// dropped when destroyed. Named per process and per use, so test processes may run side by side.
// The cluster is the one RECUR_TEST_POSTGRES names (a libpq connection string); without it, the
// one ctest started for the build (its conninfo file, RECUR_TEST_POSTGRES_FILE). Without either
// there is no PostgreSQL to test on, which is a failure, never a skip: ok() is false and error()
// says how to get one. Destroy what has the database open first.
#pragma once

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <fstream>
#include <memory>
#include <string>

#include "store/postgres/pg_connection.h"
#include "store/postgres/pg_pool.h"

namespace recur {

class TemporaryPostgresDatabase {
 public:
  TemporaryPostgresDatabase() {
    static std::atomic<int> next = 0;
    name_ = "recur_test_" + std::to_string(::getpid()) + "_" + std::to_string(next++);
    const std::string cluster = ClusterConninfo();
    if (cluster.empty()) {
      error_ =
          "no PostgreSQL to test on: set RECUR_TEST_POSTGRES to a cluster's connection string "
          "(tools/pg-cluster.sh start FOLDER starts one and prints it; tools/test.sh and ctest "
          "start one themselves)";
      return;
    }
    auto admin = PgConnection::Open({cluster});
    if (!admin) {
      error_ = "cannot reach the test cluster (" + cluster + "): " + admin.error().message;
      return;
    }
    admin_ = std::move(*admin);
    if (Status made = admin_->Script({"making a test database"},
                                     "CREATE DATABASE " + name_ + " TEMPLATE template0");
        !made) {
      error_ = made.error().message;
      admin_.reset();
      return;
    }
    conninfo_ = WithDatabase(cluster, name_);
  }
  ~TemporaryPostgresDatabase() {
    if (admin_ != nullptr) {
      (void)admin_->Script({"dropping a test database"},
                           "DROP DATABASE IF EXISTS " + name_ + " WITH (FORCE)");
    }
  }
  TemporaryPostgresDatabase(const TemporaryPostgresDatabase&) = delete;
  TemporaryPostgresDatabase& operator=(const TemporaryPostgresDatabase&) = delete;

  bool ok() const { return admin_ != nullptr; }
  const std::string& error() const { return error_; }
  const std::string& name() const { return name_; }
  const std::string& conninfo() const { return conninfo_; }
  PgPool::Settings settings(int max_connections = 4) const {
    PgPool::Settings settings;
    settings.connection.conninfo = conninfo_;
    settings.max_connections = max_connections;
    return settings;
  }

  // The test cluster's connection string; empty when there is none.
  static std::string ClusterConninfo() {
    if (const char* given = std::getenv("RECUR_TEST_POSTGRES"); given != nullptr && *given) {
      return given;
    }
#ifdef RECUR_TEST_POSTGRES_FILE
    std::ifstream file(RECUR_TEST_POSTGRES_FILE);
    std::string line;
    if (file && std::getline(file, line)) return line;
#endif
    return "";
  }

 private:
  // `conninfo` with its database replaced by `database`, as "key=value" words.
  static std::string WithDatabase(const std::string& conninfo, const std::string& database) {
    std::string words;
    PQconninfoOption* options = PQconninfoParse(conninfo.c_str(), nullptr);
    if (options == nullptr) return "dbname=" + database;
    for (PQconninfoOption* option = options; option->keyword != nullptr; ++option) {
      if (option->val == nullptr || std::string(option->keyword) == "dbname") continue;
      std::string value;
      for (const char c : std::string(option->val)) {
        if (c == '\\' || c == '\'') value += '\\';
        value += c;
      }
      words += std::string(option->keyword) + "='" + value + "' ";
    }
    PQconninfoFree(options);
    return words + "dbname=" + database;
  }

  std::string name_;
  std::string error_;
  std::string conninfo_;
  std::unique_ptr<PgConnection> admin_;
};

}  // namespace recur
