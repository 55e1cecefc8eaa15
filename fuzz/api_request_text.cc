#include "fuzz/api_request_text.h"

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
    const std::size_t amp = query.find('&');
    const std::string_view pair = query.substr(0, amp);
    query = amp == std::string_view::npos ? std::string_view() : query.substr(amp + 1);
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
    const std::size_t end = text.find(kSeparator);
    std::string_view block = text.substr(0, end);
    text =
        end == std::string_view::npos ? std::string_view() : text.substr(end + kSeparator.size());
    const std::size_t line_end = block.find('\n');
    const std::string_view line = block.substr(0, line_end);
    const std::size_t space = line.find(' ');
    if (space == std::string_view::npos) continue;
    const std::string_view target = line.substr(space + 1);
    const std::size_t question = target.find('?');
    TextRequest request;
    request.method = std::string(line.substr(0, space));
    request.path = PercentDecode(target.substr(0, question), false);
    if (question != std::string_view::npos) request.query = ReadQuery(target.substr(question + 1));
    if (line_end != std::string_view::npos) request.body = std::string(block.substr(line_end + 1));
    requests.push_back(std::move(request));
  }
  return requests;
}

}  // namespace recur::fuzz
