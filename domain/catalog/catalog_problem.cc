#include "domain/catalog/catalog_problem.h"

namespace recur {

std::string CatalogProblem::ToString() const {
  std::string text = file;
  if (!location.empty()) {
    // A line:column location reads like a compiler's, glued to the file name.
    const bool is_text_position =
        !location.empty() && location.front() >= '0' && location.front() <= '9';
    text += is_text_position ? ":" : ": ";
    text += location;
  }
  text += ": ";
  text += message;
  return text;
}

std::string FormatProblems(const CatalogProblems& problems) {
  std::string text;
  for (const CatalogProblem& problem : problems) {
    text += problem.ToString();
    text += '\n';
  }
  return text;
}

}  // namespace recur
