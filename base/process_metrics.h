// The process's own metrics, read from /proc at each scrape under the names Prometheus's client
// libraries use: process_resident_memory_bytes, process_open_fds and process_max_fds. A value
// that cannot be read is left out. Linux only; thread-safe.
#pragma once

#include "base/metrics.h"

namespace recur {

void WriteProcessMetrics(MetricsText& text);

}  // namespace recur
