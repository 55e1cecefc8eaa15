// One server per SQLite database: DatabaseLock is an exclusive lock, held for as long as the
// object lives, on the file `<db>.lock` beside the database. `recur serve` takes it before it
// opens anything, so a second server on the same database refuses to start instead of serving
// beside the first with caches of its own. It covers everything named after the database: the
// file, its -wal/-shm companions and the sandbox gateway's `<db>.sandbox`.
//
// Why a file of its own and not a lock on the database file: SQLite locks the database with POSIX
// advisory locks, which the kernel drops for the whole process when any descriptor of that file
// is closed, and which on some network filesystems are the same locks flock() takes. A separate
// file keeps this lock and SQLite's from ever touching each other. The lock is an open file
// description lock (F_OFD_SETLK): the kernel releases it when the descriptor closes, so a
// crashed or SIGKILLed server leaves nothing to clean up, and a second lock conflicts even within
// one process. The holder writes its pid into the file, so a refused process can name it. The
// file is never removed: removing it would let a newcomer lock a fresh file while an old holder
// still holds the removed one.
//
// Two spellings of one database (relative and absolute, through `..` or through a symbolic link)
// meet at the same lock file: its name is made from the database's canonical path.
//
// The lock is taken by the program that serves, not by SqliteStore::Open: tools and tests may
// open a served database beside the server (WAL lets them read while it writes), and the lock
// says who serves it, not who reads it. Not thread-safe; one owner.
#pragma once

#include <string>

#include "base/error.h"

namespace recur {

class DatabaseLock {
 public:
  // Takes the lock of the database at `db_path` (which need not exist yet), creating the lock
  // file (mode 0600) when missing. When another process (or another DatabaseLock) holds it: a
  // kFailedPrecondition "database_in_use" error naming the database, the lock file and the
  // holder's pid when it wrote one. Any other failure (a folder that does not exist, no
  // permission): kUnavailable "database_lock_failed" naming the lock file and the system's reason.
  static Result<DatabaseLock> Acquire(const std::string& db_path);

  DatabaseLock(DatabaseLock&& other) noexcept;
  DatabaseLock& operator=(DatabaseLock&& other) noexcept;
  DatabaseLock(const DatabaseLock&) = delete;
  DatabaseLock& operator=(const DatabaseLock&) = delete;
  ~DatabaseLock();  // releases the lock

  // The lock file: the database's canonical path followed by ".lock".
  const std::string& path() const { return path_; }

 private:
  DatabaseLock(int fd, std::string path) : fd_(fd), path_(std::move(path)) {}

  int fd_ = -1;
  std::string path_;
};

}  // namespace recur
