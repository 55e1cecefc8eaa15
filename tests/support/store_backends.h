// For contract tests that run on every store backend: which backend a test instance runs on, and
// its name in the test's name (".../Sqlite", ".../Memory", ".../Postgres"). Pure.
#pragma once

#include <string>

#include <gtest/gtest.h>

namespace recur {

enum class StoreBackend { kSqlite, kMemory, kPostgres };

// For INSTANTIATE_TEST_SUITE_P's name generator.
inline std::string StoreBackendName(const ::testing::TestParamInfo<StoreBackend>& info) {
  switch (info.param) {
    case StoreBackend::kSqlite:
      return "Sqlite";
    case StoreBackend::kMemory:
      return "Memory";
    case StoreBackend::kPostgres:
      return "Postgres";
  }
  return "Unknown";
}

}  // namespace recur
