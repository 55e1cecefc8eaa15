// Matches a request's method and path against route patterns such as
// "/v1/payers/{id}/subscription" ("{name}" matches one non-empty path segment). Tells apart a
// path no route knows (404) from a known path asked with another method (405, with the methods
// that would work). Pure; the route table is built once at start and then only read.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace recur {

struct RouteMatch {
  enum class Outcome { kFound, kMethodNotAllowed, kNotFound };
  Outcome outcome = Outcome::kNotFound;
  std::size_t route = 0;             // index in the order routes were added (kFound)
  std::vector<std::string> params;   // the {name} segments in order (kFound)
  std::vector<std::string> allowed;  // methods of routes matching the path (405)
};

class Router {
 public:
  // Returns the route's index. Patterns start with "/".
  std::size_t Add(std::string method, std::string_view pattern);
  RouteMatch Match(std::string_view method, std::string_view path) const;

 private:
  struct Route {
    std::string method;
    std::vector<std::string> segments;  // "{}" marks a parameter
  };
  std::vector<Route> routes_;
};

}  // namespace recur
