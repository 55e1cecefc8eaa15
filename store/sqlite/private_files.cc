#include "store/sqlite/private_files.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace recur {
namespace {

constexpr mode_t kPermissionBits = 07777;
constexpr mode_t kGroupAndOthers = S_IRWXG | S_IRWXO;

}  // namespace

std::vector<std::string> DatabaseFiles(const std::string& path) {
  return {path, path + "-wal", path + "-shm", path + "-journal"};
}

Status CreatePrivateDatabaseFile(const std::string& path) {
  if (path.empty() || path == ":memory:") return {};
  struct stat existing;
  if (::stat(path.c_str(), &existing) == 0) return {};
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
  if (fd < 0) {
    return MakeError(ErrorKind::kUnavailable, "storage_error",
                     "cannot create the database " + path + ": " + std::strerror(errno));
  }
  ::close(fd);
  return {};
}

Result<std::vector<ModeChange>> MakeDatabaseFilesPrivate(const std::string& path) {
  std::vector<ModeChange> changes;
  for (const std::string& file : DatabaseFiles(path)) {
    struct stat status;
    if (::stat(file.c_str(), &status) != 0) {
      if (errno == ENOENT) continue;
      return MakeError(ErrorKind::kFailedPrecondition, "database_file_not_private",
                       "cannot read the mode of " + file + ": " + std::strerror(errno));
    }
    const mode_t old_mode = status.st_mode & kPermissionBits;
    if ((old_mode & kGroupAndOthers) == 0) continue;
    const mode_t new_mode = old_mode & ~kGroupAndOthers;
    if (::chmod(file.c_str(), new_mode) != 0) {
      return MakeError(ErrorKind::kFailedPrecondition, "database_file_not_private",
                       file + " is open to other users (mode " + ModeText(old_mode) +
                           ") and cannot be made " + ModeText(new_mode) + ": " +
                           std::strerror(errno) + "; run chmod " + ModeText(new_mode) + " " + file +
                           " as its owner");
    }
    changes.push_back({file, old_mode, new_mode});
  }
  return changes;
}

std::string ModeText(mode_t mode) {
  char text[8];
  std::snprintf(text, sizeof(text), "%04o", static_cast<unsigned>(mode & kPermissionBits));
  return text;
}

}  // namespace recur
