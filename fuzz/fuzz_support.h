// What the fuzz targets share: a finding reported as libFuzzer reports a crash (a message on
// stderr, then abort, so the input is saved and the run fails), and a scratch folder for targets
// whose code under test reads files. Each target is a single-threaded process.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace recur::fuzz {

// Prints "finding: <what>" and aborts.
[[noreturn]] void Finding(std::string_view what);

// A folder of this process's own, made on first use under $TMPDIR (or /tmp) and removed at
// exit.
const std::string& ScratchFolder();

// Writes `data` to `path`, replacing what was there; a failure is a finding (of the machine,
// not of the code under test, but the run cannot go on).
void WriteFile(const std::string& path, std::string_view data);

// The part of `text` before the first `separator` (all of it when there is none); `text` keeps
// what follows the separator.
inline std::string_view TakeUntil(std::string_view& text, std::string_view separator) {
  const std::size_t end = text.find(separator);
  const std::string_view taken = text.substr(0, end);
  text = end == std::string_view::npos ? std::string_view() : text.substr(end + separator.size());
  return taken;
}

inline std::string_view AsText(const std::uint8_t* data, std::size_t size) {
  return {reinterpret_cast<const char*>(data), size};
}

}  // namespace recur::fuzz
