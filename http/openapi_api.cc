// The OpenAPI document over HTTP (billing_api.h): the text compiled into the binary.
#include "http/billing_api.h"
#include "http/openapi_document.h"

namespace recur {

Result<ApiResponse> GetOpenApiDocument(const ApiServices&, const ApiRequest& request) {
  if (auto known = RejectUnknownQueryParams(request, {}); !known) {
    return std::unexpected(known.error());
  }
  return JsonTextResponse(std::string(OpenApiDocumentText()));
}

}  // namespace recur
