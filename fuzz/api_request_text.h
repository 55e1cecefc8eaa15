// The API fuzz target's input as requests: blocks separated by a line "---", each block a line
// "METHOD TARGET" (TARGET a path with an optional ?query, percent-encoded as on the wire) and
// then the body. Decoding follows what the HTTP server does before a handler runs: the path and
// the query parameters are percent-decoded ('+' in the query is a space) into bytes, whatever
// bytes they are.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "http/api_handler.h"

namespace recur::fuzz {

struct TextRequest {
  std::string method;
  std::string path;
  ApiRequest::QueryParams query;
  std::string body;
};

// At most `max_requests` requests; blocks without a request line are skipped.
std::vector<TextRequest> ReadRequests(std::string_view text, std::size_t max_requests);

}  // namespace recur::fuzz
