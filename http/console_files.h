// The operator console's files (web/console/, docs/console.md), compiled into the binary
// (cmake/embed_text.cmake) so that `recur serve` answers GET /console and GET /console/<file>
// without reading a file. Each text is the file's, byte for byte. Immutable static text; safe
// from any thread.
#pragma once

#include <string_view>

namespace recur {

std::string_view ConsoleIndexHtml();       // web/console/index.html
std::string_view ConsoleCss();             // web/console/console.css
std::string_view ConsoleShellScript();     // web/console/console.js
std::string_view ConsolePayersScript();    // web/console/payers.js
std::string_view ConsoleWebhooksScript();  // web/console/webhooks.js
std::string_view ConsoleClocksScript();    // web/console/test_clocks.js
std::string_view ConsoleCatalogScript();   // web/console/catalog.js
std::string_view ConsoleOverviewScript();  // web/console/overview.js

}  // namespace recur
