// The browser components' script: web/recur.js, compiled into the binary
// (cmake/embed_text.cmake), so `recur serve` answers GET /v1/assets/recur.js without reading a
// file. The text is the file's, byte for byte (docs/components.md says how a page uses it).
// Immutable static text; safe from any thread.
#pragma once

#include <string_view>

namespace recur {

std::string_view RecurScriptText();

}  // namespace recur
