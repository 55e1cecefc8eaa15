#include "fuzz/api_request_text.h"

#include "fuzz/fuzz_support.h"

namespace recur::fuzz {
namespace {

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::string PercentDecode(std::string_view text, bool plus_is_space) {
  std::string out;
  for (std::size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '%' && i + 2 < text.size() && HexValue(text[i + 1]) >= 0 &&
        HexValue(text[i + 2]) >= 0) {
      out.push_back(static_cast<char>(HexValue(text[i + 1]) * 16 + HexValue(text[i + 2])));
      i += 2;
    } else if (plus_is_space && text[i] == '+') {
      out.push_back(' ');
    } else {
      out.push_back(text[i]);
    }
  }
  return out;
}

ApiRequest::QueryParams ReadQuery(std::string_view query) {
  ApiRequest::QueryParams params;
  while (!query.empty()) {
    const std::string_view pair = TakeUntil(query, "&");
    if (pair.empty()) continue;
    const std::size_t equals = pair.find('=');
    const std::string_view value =
        equals == std::string_view::npos ? std::string_view() : pair.substr(equals + 1);
    params.emplace(PercentDecode(pair.substr(0, equals), true), PercentDecode(value, true));
  }
  return params;
}

}  // namespace

std::vector<TextRequest> ReadRequests(std::string_view text, std::size_t max_requests) {
  constexpr std::string_view kSeparator = "\n---\n";
  std::vector<TextRequest> requests;
  while (!text.empty() && requests.size() < max_requests) {
    std::string_view block = TakeUntil(text, kSeparator);
    const std::string_view line = TakeUntil(block, "\n");
    const std::size_t space = line.find(' ');
    if (space == std::string_view::npos) continue;
    std::string_view target = line.substr(space + 1);
    const std::string_view path = TakeUntil(target, "?");
    TextRequest request;
    request.method = std::string(line.substr(0, space));
    request.path = PercentDecode(path, false);
    request.query = ReadQuery(target);  // what follows the '?'
    request.body = std::string(block);  // what follows the request line
    requests.push_back(std::move(request));
  }
  return requests;
}

}  // namespace recur::fuzz
