// The browser components' script over HTTP (billing_api.h): web/recur.js as compiled in
// (recur_script.h), with an ETag of its text so that a browser revalidates it in one small
// request (304) instead of fetching it again.
#include "http/billing_api.h"
#include "http/recur_script.h"
#include "http/static_text.h"

namespace recur {

Result<ApiResponse> GetRecurScript(const ApiServices&, const ApiRequest& request) {
  static const StaticText kScript(RecurScriptText(), "text/javascript; charset=utf-8");
  // Kept five minutes, then revalidated: an upgraded server's script reaches pages soon.
  return kScript.Answer(request, "public, max-age=300");
}

}  // namespace recur
