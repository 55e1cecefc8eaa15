#include "store/sqlite/sqlite_values.h"

#include <SQLiteCpp/Exception.h>
#include <sqlite3.h>

#include "store/store_errors.h"

namespace recur {

Error SqliteFailure(const Doing& doing, const std::exception& error) {
  if (const auto* sqlite = dynamic_cast<const SQLite::Exception*>(&error)) {
    const int code = sqlite->getExtendedErrorCode();
    if (code == SQLITE_CONSTRAINT_UNIQUE || code == SQLITE_CONSTRAINT_PRIMARYKEY) {
      return Conflict(error.what()).error();
    }
  }
  return {ErrorKind::kUnavailable, "storage_error", doing.Text() + " failed: " + error.what()};
}

}  // namespace recur
