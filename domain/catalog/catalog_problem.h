// One thing wrong with a plan catalog, located precisely enough to fix without searching:
// the file, then either a JSON path inside it ("features[2].limit") or a line and column for
// text that is not valid JSON, then the rule broken. Rendered as
//   plans/pro.json: features[2].limit: must be a positive integer or "unlimited"
//   plans/pro.json:3:15: invalid JSON: ...
#pragma once

#include <string>
#include <vector>

namespace recur {

struct CatalogProblem {
  std::string file;
  std::string location;  // a JSON path, "line:column", or empty for the file as a whole
  std::string message;

  std::string ToString() const;
  friend bool operator==(const CatalogProblem&, const CatalogProblem&) = default;
};

using CatalogProblems = std::vector<CatalogProblem>;

// All problems, one per line, in order.
std::string FormatProblems(const CatalogProblems& problems);

}  // namespace recur
