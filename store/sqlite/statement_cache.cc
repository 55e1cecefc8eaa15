#include "store/sqlite/statement_cache.h"

#include <exception>

namespace recur {
namespace {

thread_local StatementCache* current_cache = nullptr;

}  // namespace

StatementLease::StatementLease(SQLite::Statement* cached, bool* in_use)
    : statement_(cached), in_use_(in_use) {
  *in_use_ = true;
}

StatementLease::StatementLease(std::unique_ptr<SQLite::Statement> own)
    : own_(std::move(own)), statement_(own_.get()), in_use_(nullptr) {}

StatementLease::StatementLease(StatementLease&& other) noexcept
    : own_(std::move(other.own_)), statement_(other.statement_), in_use_(other.in_use_) {
  other.statement_ = nullptr;
  other.in_use_ = nullptr;
}

StatementLease::~StatementLease() {
  if (in_use_ == nullptr) return;  // an own statement (or moved from): finalized with own_
  // tryReset reports the last step's error again, which its user has handled already.
  statement_->tryReset();
  try {
    statement_->clearBindings();  // sqlite3_clear_bindings always succeeds
  } catch (const std::exception&) {
    // Unreachable; a destructor must not throw.
  }
  *in_use_ = false;
}

StatementLease StatementCache::Take(const std::string& sql) {
  Entry& entry = entries_[sql];
  if (entry.in_use) return StatementLease(std::make_unique<SQLite::Statement>(db_, sql));
  if (!entry.statement) entry.statement = std::make_unique<SQLite::Statement>(db_, sql);
  return StatementLease(entry.statement.get(), &entry.in_use);
}

CurrentStatementCache::CurrentStatementCache(StatementCache& cache) : previous_(current_cache) {
  current_cache = &cache;
}

CurrentStatementCache::~CurrentStatementCache() { current_cache = previous_; }

StatementLease Prepared(SQLite::Database& db, const std::string& sql) {
  if (current_cache != nullptr && &current_cache->db() == &db) return current_cache->Take(sql);
  return StatementLease(std::make_unique<SQLite::Statement>(db, sql));
}

}  // namespace recur
