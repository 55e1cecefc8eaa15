#include "services/catalog/catalog_loader.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <optional>
#include <sstream>

#include "domain/catalog/catalog_rules.h"
#include "domain/catalog/plan_file.h"

namespace recur {
namespace {

namespace fs = std::filesystem;

std::optional<std::string> ReadWholeFile(const std::string& path, CatalogProblems& problems) {
  std::ifstream in(path, std::ios::binary);
  if (!in) {
    problems.push_back({path, "", std::string("cannot read: ") + std::strerror(errno)});
    return std::nullopt;
  }
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

void LoadFile(const std::string& label, LoadedCatalog& catalog) {
  auto text = ReadWholeFile(label, catalog.problems);
  if (!text) return;
  PlanFileContents contents = ParsePlanFile(label, *text);
  for (PlanSource& source : contents.plans) catalog.plans.push_back(std::move(source));
  for (CatalogProblem& problem : contents.problems) catalog.problems.push_back(std::move(problem));
}

std::string JoinLabel(const std::string& folder, const std::string& name) {
  if (folder.empty() || folder.back() == '/') return folder + name;
  return folder + "/" + name;
}

}  // namespace

LoadedCatalog LoadCatalog(const std::string& path) {
  LoadedCatalog catalog;
  std::error_code error;
  const fs::file_status status = fs::status(path, error);
  if (error || !fs::exists(status)) {
    catalog.problems.push_back({path, "", "cannot read: no such file or folder"});
    return catalog;
  }
  if (fs::is_directory(status)) {
    std::vector<std::string> names;
    for (const fs::directory_entry& entry : fs::directory_iterator(path, error)) {
      if (entry.path().extension() == ".json" && entry.is_regular_file(error)) {
        names.push_back(entry.path().filename().string());
      }
    }
    if (error) {
      catalog.problems.push_back({path, "", "cannot list the folder: " + error.message()});
      return catalog;
    }
    std::sort(names.begin(), names.end());
    if (names.empty()) {
      catalog.problems.push_back({path, "", "the folder holds no plan files (*.json)"});
      return catalog;
    }
    for (const std::string& name : names) LoadFile(JoinLabel(path, name), catalog);
  } else {
    LoadFile(path, catalog);
  }
  if (catalog.ok()) catalog.problems = CheckCatalogRules(catalog.plans, path);
  return catalog;
}

}  // namespace recur
