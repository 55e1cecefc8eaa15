// The files of a SQLite database are the owner's alone (mode 0600): the database holds secrets in
// plain text (the entitlement signing key, every webhook endpoint's secret), and its -wal, -shm
// and -journal companions hold copies of its pages.
//
// CreatePrivateDatabaseFile makes a missing database file 0600 before SQLite opens it; SQLite
// then creates the companions with the database file's mode, so they are 0600 too.
// SqliteConnections::Open calls it, so every database file the store or the sandbox ledger makes
// is private. It creates only a file that does not exist: an existing one is not opened here,
// because closing a descriptor of a database file drops the POSIX locks SQLite holds on it in
// this process.
//
// MakeDatabaseFilesPrivate is for files made before that rule (or by hand): it takes group and
// other permissions away from each existing file of a database and reports each change, for the
// caller to tell the operator. Functions only; safe from any thread.
#pragma once

#include <sys/types.h>
#include <string>
#include <vector>

#include "base/error.h"

namespace recur {

// The database file at `path` and the companions SQLite may keep beside it, in that order.
std::vector<std::string> DatabaseFiles(const std::string& path);

// Creates the database file at `path` (through a symbolic link, its target), empty and mode 0600,
// when it does not exist; nothing otherwise, and nothing for SQLite's special names (":memory:",
// ""). A file that cannot be created is kUnavailable "storage_error" naming it.
Status CreatePrivateDatabaseFile(const std::string& path);

struct ModeChange {
  std::string path;
  mode_t old_mode = 0;  // permission bits before the change
  mode_t new_mode = 0;  // permission bits after it
};

// Removes group and other permissions from each existing file of DatabaseFiles(path); returns the
// files changed. A file whose mode cannot be read or changed (owned by another user, say) is
// kFailedPrecondition "database_file_not_private" naming it, its mode and the reason; files
// before it in DatabaseFiles order stay changed.
Result<std::vector<ModeChange>> MakeDatabaseFilesPrivate(const std::string& path);

// "0644": permission bits as chmod takes them.
std::string ModeText(mode_t mode);

}  // namespace recur
