#include "base/log.h"

#include <unistd.h>

#include <date/date.h>

namespace recur {

std::string FormatRfc3339(Instant t) { return date::format("%FT%TZ", t); }

void Log(Instant now, std::string_view level, std::string_view event, nlohmann::json fields) {
  nlohmann::json line = {{"time", FormatRfc3339(now)}, {"level", level}, {"event", event}};
  line.update(fields);
  std::string text = line.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  text.push_back('\n');
  std::size_t written = 0;
  while (written < text.size()) {
    const ssize_t n = ::write(STDERR_FILENO, text.data() + written, text.size() - written);
    if (n <= 0) return;  // nowhere left to report a failing stderr
    written += static_cast<std::size_t>(n);
  }
}

}  // namespace recur
