#include "store/sqlite/sqlite_values.h"

#include <SQLiteCpp/Exception.h>
#include <sqlite3.h>

#include "store/store_errors.h"

namespace recur {

namespace {

// What a fault of the database's file means, in words naming the file; empty when the error is
// not such a fault.
std::string FileFault(int primary_code, std::string_view database) {
  const std::string file(database);
  switch (primary_code) {
    case SQLITE_BUSY:
    case SQLITE_LOCKED:
      return "the database " + file + " is locked: another process held a write transaction on " +
             "it for longer than the " + std::to_string(kSqliteBusyTimeoutMs / 1000) +
             " s this server waits; retry once it lets go";
    case SQLITE_FULL:
      return "the disk holding the database " + file + " is full; writes work again once " +
             "space is freed";
    case SQLITE_READONLY:
      return "the database " + file + " is read-only (the file, its -wal or -shm companion, " +
             "its folder or its filesystem); writes work again once it is writable";
    case SQLITE_IOERR:
      return "the disk failed to read or write the database " + file;
    case SQLITE_CANTOPEN:
      return "the database " + file + " cannot be opened";
    default:
      return "";
  }
}

}  // namespace

bool IsFileFault(const std::exception& error) {
  const auto* sqlite = dynamic_cast<const SQLite::Exception*>(&error);
  return sqlite != nullptr && !FileFault(sqlite->getErrorCode() & 0xff, "").empty();
}

Error SqliteFailure(const Doing& doing, const std::exception& error, std::string_view database) {
  std::string fault;
  if (const auto* sqlite = dynamic_cast<const SQLite::Exception*>(&error)) {
    const int code = sqlite->getExtendedErrorCode();
    if (code == SQLITE_CONSTRAINT_UNIQUE || code == SQLITE_CONSTRAINT_PRIMARYKEY) {
      return Conflict(error.what()).error();
    }
    fault = FileFault(sqlite->getErrorCode() & 0xff, database);
  }
  std::string message = doing.Text() + " failed: ";
  message += fault.empty() ? error.what() : fault + " (SQLite: " + error.what() + ")";
  return {ErrorKind::kUnavailable, "storage_error", std::move(message)};
}

}  // namespace recur
