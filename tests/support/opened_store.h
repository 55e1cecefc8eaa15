// For contract tests: the SQLite or PostgreSQL store a test runs on, opened on a SQLite file or
// a PostgreSQL database of the test cluster made for the test and gone with it. The memory
// backends differ by contract, so a test makes its own.
#pragma once

#include <memory>

#include <gtest/gtest.h>

#include "base/clock.h"
#include "base/ids.h"
#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"
#include "store/store.h"
#include "tests/support/store_backends.h"
#include "tests/support/temporary_database.h"
#include "tests/support/temporary_postgres.h"

namespace recur {

class OpenedStore {
 public:
  // Opens the store of `backend`, kSqlite or kPostgres, with its migrations applied at `now`.
  ::testing::AssertionResult Open(StoreBackend backend, IdGenerator& ids, Instant now) {
    if (backend == StoreBackend::kPostgres) {
      postgres_database_ = std::make_unique<TemporaryPostgresDatabase>();
      if (!postgres_database_->ok()) {
        return ::testing::AssertionFailure() << postgres_database_->error();
      }
      auto opened = PostgresStore::Open(postgres_database_->settings(), ids, now);
      if (!opened) return ::testing::AssertionFailure() << opened.error().message;
      store_ = std::move(*opened);
      return ::testing::AssertionSuccess();
    }
    if (backend != StoreBackend::kSqlite) {
      return ::testing::AssertionFailure() << "no store to open for the memory backend";
    }
    auto opened = SqliteStore::Open(sqlite_file_.path(), ids, now);
    if (!opened) return ::testing::AssertionFailure() << opened.error().message;
    store_ = std::move(*opened);
    return ::testing::AssertionSuccess();
  }

  Store& store() { return *store_; }

 private:
  TemporaryDatabase sqlite_file_;
  std::unique_ptr<TemporaryPostgresDatabase> postgres_database_;  // outlives store_
  std::unique_ptr<Store> store_;
};

}  // namespace recur
