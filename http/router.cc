#include "http/router.h"

#include <algorithm>

namespace recur {
namespace {

std::vector<std::string_view> Split(std::string_view path) {
  std::vector<std::string_view> segments;
  std::size_t start = 1;  // skip the leading "/"
  while (start <= path.size()) {
    std::size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    segments.push_back(path.substr(start, end - start));
    start = end + 1;
  }
  return segments;
}

}  // namespace

std::size_t Router::Add(std::string method, std::string_view pattern) {
  Route route{std::move(method), {}};
  for (std::string_view segment : Split(pattern)) {
    const bool is_param = segment.size() > 2 && segment.front() == '{' && segment.back() == '}';
    route.segments.emplace_back(is_param ? "{}" : segment);
  }
  routes_.push_back(std::move(route));
  return routes_.size() - 1;
}

RouteMatch Router::Match(std::string_view method, std::string_view path) const {
  RouteMatch match;
  if (path.empty() || path.front() != '/') return match;
  const std::vector<std::string_view> segments = Split(path);
  for (std::size_t i = 0; i < routes_.size(); ++i) {
    const Route& route = routes_[i];
    if (route.segments.size() != segments.size()) continue;
    std::vector<std::string> params;
    bool matches = true;
    for (std::size_t s = 0; s < segments.size() && matches; ++s) {
      if (route.segments[s] == "{}") {
        matches = !segments[s].empty();
        params.emplace_back(segments[s]);
      } else {
        matches = route.segments[s] == segments[s];
      }
    }
    if (!matches) continue;
    if (route.method == method) return {RouteMatch::Outcome::kFound, i, std::move(params), {}};
    if (std::find(match.allowed.begin(), match.allowed.end(), route.method) ==
        match.allowed.end()) {
      match.allowed.push_back(route.method);
    }
  }
  if (!match.allowed.empty()) match.outcome = RouteMatch::Outcome::kMethodNotAllowed;
  return match;
}

}  // namespace recur
