// A consistent copy of a SQLite database that a server may be writing meanwhile, made with
// SQLite's online backup API (sqlite3_backup, through SQLiteCpp's SQLite::Backup) in one step:
// the copy is the database as one read transaction saw it, every change committed before the
// copy began included, and in WAL mode it holds back no writer while it runs. The copy is made
// under a temporary name beside `destination` (mode 0600, as the database's own files are),
// checked with PRAGMA quick_check, synced, and only then linked under `destination`, so a copy
// interrupted half-way never stands under that name.
//
// Why the backup API and not VACUUM INTO: VACUUM INTO rebuilds every table and index into the new
// file (time and CPU proportional to the data, on the server's machine) and does not sync what it
// writes; the backup API copies pages as they are, through SQLite's own pager and journal.
// Functions only; safe from any thread.
#pragma once

#include <string>

#include "base/error.h"

namespace recur {

// Copies the database at `source` to `destination`. Refuses, changing nothing, when
// `destination` already exists (kAlreadyExists "backup_exists") or `source` is no database file
// (kNotFound "database_not_found"); a copy that fails on the way (no room, no permission, a
// source it cannot read) is kUnavailable "backup_failed" naming the file and the reason, and
// leaves nothing behind.
Status BackUpSqliteDatabase(const std::string& source, const std::string& destination);

}  // namespace recur
