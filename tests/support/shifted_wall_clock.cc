// A library a test preloads (LD_PRELOAD) into a program to step its wall clock while it runs:
// CLOCK_REALTIME, and gettimeofday and time, which read it, are shifted by the number of
// milliseconds (negative: back) written in the file named by RECUR_TEST_CLOCK_SHIFT_FILE, read
// again on every call, so the test steps the clock by rewriting the file. Monotonic clocks are
// left alone, as a step of the system clock leaves them. A missing or unreadable file is no
// shift.
//
// The real time and the file come from the kernel by system call, never through libc or an
// allocator, so nothing this library calls can call back into it. (Debian's libfaketime cannot
// be used: it finds the real clock_gettime with dlsym, which allocates, and recur's allocator,
// jemalloc, reads the clock while it starts, so the two recurse and the program does not run.)
// Thread-safe: it keeps no state.
#include <fcntl.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>

namespace {

std::int64_t ShiftMillis() {
  const char* path = std::getenv("RECUR_TEST_CLOCK_SHIFT_FILE");
  if (path == nullptr) return 0;
  const long fd = syscall(SYS_openat, AT_FDCWD, path, O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  char text[32];
  const long length = syscall(SYS_read, fd, text, sizeof text - 1);
  syscall(SYS_close, fd);
  if (length <= 0) return 0;
  text[length] = '\0';
  return std::strtoll(text, nullptr, 10);
}

bool IsWallClock(clockid_t clock) {
  return clock == CLOCK_REALTIME || clock == CLOCK_REALTIME_COARSE;
}

int RealClockGettime(clockid_t clock, timespec* time) {
  return static_cast<int>(syscall(SYS_clock_gettime, clock, time));
}

void Shift(timespec* time) {
  const std::int64_t nanos = static_cast<std::int64_t>(time->tv_nsec) + ShiftMillis() * 1000000;
  std::int64_t seconds = nanos / 1000000000;
  std::int64_t rest = nanos % 1000000000;
  if (rest < 0) {
    rest += 1000000000;
    --seconds;
  }
  time->tv_sec += seconds;
  time->tv_nsec = rest;
}

}  // namespace

extern "C" {

int clock_gettime(clockid_t clock, timespec* time) noexcept {
  const int result = RealClockGettime(clock, time);
  if (result == 0 && IsWallClock(clock)) Shift(time);
  return result;
}

int gettimeofday(timeval* time, void*) noexcept {
  timespec now;
  const int result = clock_gettime(CLOCK_REALTIME, &now);
  if (result == 0) {  // glibc declares `time` never null
    time->tv_sec = now.tv_sec;
    time->tv_usec = now.tv_nsec / 1000;
  }
  return result;
}

time_t time(time_t* out) noexcept {
  timespec now;
  clock_gettime(CLOCK_REALTIME, &now);
  if (out != nullptr) *out = now.tv_sec;
  return now.tv_sec;
}

}  // extern "C"
