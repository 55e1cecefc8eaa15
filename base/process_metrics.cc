#include "base/process_metrics.h"

#include <dirent.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>

namespace recur {
namespace {

// Resident pages (the second field of /proc/self/statm) in bytes; -1 when unreadable.
long long ResidentBytes() {
  std::FILE* statm = std::fopen("/proc/self/statm", "r");
  if (statm == nullptr) return -1;
  long long size = 0, resident = 0;
  const int read = std::fscanf(statm, "%lld %lld", &size, &resident);
  std::fclose(statm);
  return read == 2 ? resident * sysconf(_SC_PAGESIZE) : -1;
}

// Entries of /proc/self/fd, less the one the listing itself holds open; -1 when unreadable.
long long OpenFiles() {
  DIR* folder = ::opendir("/proc/self/fd");
  if (folder == nullptr) return -1;
  long long count = 0;
  while (const dirent* entry = ::readdir(folder)) {
    if (entry->d_name[0] != '.') ++count;
  }
  ::closedir(folder);
  return count - 1;
}

}  // namespace

void WriteProcessMetrics(MetricsText& text) {
  if (const long long bytes = ResidentBytes(); bytes >= 0) {
    text.Family("process_resident_memory_bytes", "gauge", "Resident memory size in bytes");
    text.Sample("process_resident_memory_bytes", {}, static_cast<std::uint64_t>(bytes));
  }
  if (const long long files = OpenFiles(); files >= 0) {
    text.Family("process_open_fds", "gauge", "Number of open file descriptors");
    text.Sample("process_open_fds", {}, static_cast<std::uint64_t>(files));
  }
  rlimit limit{};
  if (::getrlimit(RLIMIT_NOFILE, &limit) == 0 && limit.rlim_cur != RLIM_INFINITY) {
    text.Family("process_max_fds", "gauge", "Maximum number of open file descriptors");
    text.Sample("process_max_fds", {}, static_cast<std::uint64_t>(limit.rlim_cur));
  }
}

}  // namespace recur
