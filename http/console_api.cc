// The operator console's page and files over HTTP (billing_api.h, docs/console.md): public, as
// they hold no data (the page asks the API for it with the console session), each with a strict
// Content-Security-Policy (scripts, styles and requests of this origin only; no inline script,
// no framing) and an ETag; browsers revalidate them on every use (no-cache), so a page and its
// scripts never come from two versions of the server.
#include <array>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "http/billing_api.h"
#include "http/console_files.h"
#include "http/static_text.h"

namespace recur {
namespace {

constexpr std::string_view kCacheControl = "no-cache";

const std::vector<std::pair<std::string, std::string>>& ConsoleHeaders() {
  static const std::vector<std::pair<std::string, std::string>> kHeaders = {
      {"Content-Security-Policy",
       "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
       "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'"},
      {"X-Content-Type-Options", "nosniff"},
      {"Referrer-Policy", "same-origin"},
  };
  return kHeaders;
}

struct ConsoleFile {
  std::string_view name;  // the last segment of /console/<name>
  StaticText text;
};

const std::array<ConsoleFile, 7>& ConsoleFiles() {
  static const std::array<ConsoleFile, 7> kFiles = {{
      {"console.css", StaticText(ConsoleCss(), "text/css; charset=utf-8")},
      {"console.js", StaticText(ConsoleShellScript(), "text/javascript; charset=utf-8")},
      {"payers.js", StaticText(ConsolePayersScript(), "text/javascript; charset=utf-8")},
      {"webhooks.js", StaticText(ConsoleWebhooksScript(), "text/javascript; charset=utf-8")},
      {"test_clocks.js", StaticText(ConsoleClocksScript(), "text/javascript; charset=utf-8")},
      {"catalog.js", StaticText(ConsoleCatalogScript(), "text/javascript; charset=utf-8")},
      {"overview.js", StaticText(ConsoleOverviewScript(), "text/javascript; charset=utf-8")},
  }};
  return kFiles;
}

}  // namespace

Result<ApiResponse> GetConsolePage(const ApiServices&, const ApiRequest& request) {
  static const StaticText kPage(ConsoleIndexHtml(), "text/html; charset=utf-8");
  return kPage.Answer(request, kCacheControl, ConsoleHeaders());
}

Result<ApiResponse> GetConsoleFile(const ApiServices&, const ApiRequest& request) {
  const std::string& name = request.path_params.at(0);
  for (const ConsoleFile& file : ConsoleFiles()) {
    if (file.name == name) return file.text.Answer(request, kCacheControl, ConsoleHeaders());
  }
  return MakeError(ErrorKind::kNotFound, "console_file_not_found",
                   "the console has no file named " + name, "path");
}

}  // namespace recur
