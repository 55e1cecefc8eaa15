#include "store/sqlite/database_lock.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <charconv>
#include <cstring>
#include <filesystem>
#include <string_view>
#include <utility>

namespace recur {
namespace {

namespace fs = std::filesystem;

// The database's path with every symbolic link resolved, even one whose target does not exist
// yet (SQLite creates the target through the link); `..` and `.` resolved too.
fs::path CanonicalDatabasePath(const std::string& db_path) {
  fs::path path = fs::absolute(db_path);
  // A chain of links is followed as far as the kernel would follow it (40 hops).
  for (int hops = 0; hops < 40; ++hops) {
    std::error_code error;
    if (!fs::is_symlink(path, error)) break;
    const fs::path target = fs::read_symlink(path, error);
    if (error) break;
    path = target.is_absolute() ? target : path.parent_path() / target;
  }
  std::error_code error;
  fs::path canonical = fs::weakly_canonical(path, error);
  return error ? path.lexically_normal() : canonical;
}

Error LockFailed(const std::string& lock_path, const std::string& doing, int error_number) {
  return {ErrorKind::kUnavailable, "database_lock_failed",
          "cannot " + doing + " the lock file " + lock_path + ": " + std::strerror(error_number),
          ""};
}

// The pid the holder wrote into the lock file, or 0 when it wrote none (yet).
long HolderPid(int fd) {
  char text[32] = {};
  const ssize_t read = ::pread(fd, text, sizeof(text) - 1, 0);
  if (read <= 0) return 0;
  long pid = 0;
  const auto [end, error] = std::from_chars(text, text + read, pid);
  return error == std::errc() && pid > 0 ? pid : 0;
}

}  // namespace

Result<DatabaseLock> DatabaseLock::Acquire(const std::string& db_path) {
  const fs::path database = CanonicalDatabasePath(db_path);
  const std::string lock_path = database.string() + ".lock";
  const int fd = ::open(lock_path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) return std::unexpected(LockFailed(lock_path, "open", errno));
  struct flock whole_file = {};
  whole_file.l_type = F_WRLCK;
  whole_file.l_whence = SEEK_SET;  // l_start = l_len = 0: the whole file
  if (::fcntl(fd, F_OFD_SETLK, &whole_file) != 0) {
    const int error_number = errno;
    if (error_number != EAGAIN && error_number != EACCES) {
      ::close(fd);
      return std::unexpected(LockFailed(lock_path, "lock", error_number));
    }
    const long holder = HolderPid(fd);
    ::close(fd);
    return MakeError(ErrorKind::kFailedPrecondition, "database_in_use",
                     "the database " + database.string() + " is served by another process (" +
                         (holder > 0 ? "pid " + std::to_string(holder)
                                     : std::string("its pid is not known yet")) +
                         ", holding the lock on " + lock_path +
                         "); stop it first, or serve another database");
  }
  const std::string pid = std::to_string(::getpid()) + "\n";
  if (::ftruncate(fd, 0) != 0 ||
      ::pwrite(fd, pid.data(), pid.size(), 0) != static_cast<ssize_t>(pid.size())) {
    const int error_number = errno;
    ::close(fd);
    return std::unexpected(LockFailed(lock_path, "write the pid into", error_number));
  }
  return DatabaseLock(fd, lock_path);
}

DatabaseLock::DatabaseLock(DatabaseLock&& other) noexcept
    : fd_(std::exchange(other.fd_, -1)), path_(std::move(other.path_)) {}

DatabaseLock& DatabaseLock::operator=(DatabaseLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = std::exchange(other.fd_, -1);
    path_ = std::move(other.path_);
  }
  return *this;
}

DatabaseLock::~DatabaseLock() {
  if (fd_ >= 0) ::close(fd_);  // closing the descriptor releases the lock
}

}  // namespace recur
