#include "store/sqlite/sqlite_backup.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>

#include <SQLiteCpp/Backup.h>
#include <SQLiteCpp/Database.h>

#include "store/sqlite/private_files.h"
#include "store/sqlite/sqlite_values.h"

namespace recur {
namespace {

Error Failed(const std::string& what, const std::string& why) {
  return {ErrorKind::kUnavailable, "backup_failed", what + ": " + why};
}

// Writes `path`'s data (a file, or a folder's entries) to the disk.
Status Sync(const std::string& path, int flags) {
  const int fd = ::open(path.c_str(), flags | O_CLOEXEC);
  if (fd < 0) return std::unexpected(Failed("cannot open " + path, std::strerror(errno)));
  const bool synced = ::fsync(fd) == 0;
  const int error = errno;
  ::close(fd);
  if (!synced) return std::unexpected(Failed("cannot sync " + path, std::strerror(error)));
  return Ok();
}

void RemoveCopy(const std::string& path) {
  for (const std::string& file : DatabaseFiles(path)) ::unlink(file.c_str());
}

// Copies `source` into the new file `copy`, and checks the copy.
Status Copy(const std::string& source, const std::string& copy) {
  try {
    SQLite::Database from(source, SQLite::OPEN_READONLY);
    from.setBusyTimeout(kSqliteBusyTimeoutMs);
    SQLite::Database to(copy, SQLite::OPEN_READWRITE);
    SQLite::Backup backup(to, from);
    // All pages in one step, so in one read transaction of the source: a copy made in steps
    // starts again whenever the server commits meanwhile, and under steady writes never ends.
    backup.executeStep(-1);
    const std::string check = to.execAndGet("PRAGMA quick_check").getString();
    if (check != "ok") {
      return std::unexpected(Failed("the copy of " + source + " fails its check", check));
    }
  } catch (const std::exception& error) {
    return std::unexpected(Failed("cannot copy " + source + " to " + copy, error.what()));
  }
  return Ok();
}

}  // namespace

Status BackUpSqliteDatabase(const std::string& source, const std::string& destination) {
  struct stat status = {};
  if (::lstat(destination.c_str(), &status) == 0) {
    return MakeError(ErrorKind::kAlreadyExists, "backup_exists",
                     destination +
                         " already exists; a backup never overwrites a file, so name "
                         "a new one (or remove the old one first)");
  }
  if (::stat(source.c_str(), &status) != 0 || !S_ISREG(status.st_mode)) {
    return MakeError(ErrorKind::kNotFound, "database_not_found",
                     "there is no database file at " + source);
  }
  const std::string copy = destination + ".partial-" + std::to_string(::getpid());
  RemoveCopy(copy);
  if (Status created = CreatePrivateDatabaseFile(copy); !created) {
    return std::unexpected(Failed("cannot create " + copy, created.error().message));
  }
  Status made = Copy(source, copy);
  if (made) made = Sync(copy, O_RDONLY);
  if (made && ::link(copy.c_str(), destination.c_str()) != 0) {
    made =
        errno == EEXIST
            ? MakeError(ErrorKind::kAlreadyExists, "backup_exists",
                        destination +
                            " was made by another process meanwhile; "
                            "it is left as it is")
            : std::unexpected(Failed("cannot name the copy " + destination, std::strerror(errno)));
  }
  RemoveCopy(copy);
  if (!made) return made;
  const std::filesystem::path folder = std::filesystem::absolute(destination).parent_path();
  return Sync(folder.string(), O_RDONLY | O_DIRECTORY);
}

}  // namespace recur
