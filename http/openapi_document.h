// The OpenAPI 3.1 document of the API: docs/openapi.json, compiled into the binary
// (cmake/embed_text.cmake), so `recur serve` answers GET /v1/openapi.json without reading a file.
// The text is the file's, byte for byte. openapi_document_test.cc holds the document and the
// route table (kApiRoutes) together; tests/interop/ checks it with standard validators and the
// end-to-end suite's real exchanges against it (docs/api.md, The OpenAPI document).
// Immutable static text; safe from any thread.
#pragma once

#include <string_view>

namespace recur {

std::string_view OpenApiDocumentText();

}  // namespace recur
