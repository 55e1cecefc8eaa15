// Reading plan files. A plan file is JSON holding either one plan object or a catalog object
// {"plans": [...]} (docs/plan-files.md documents every field). This checks everything that can
// be checked inside one file: valid JSON, no duplicate or unknown keys (with a suggestion for a
// likely typo), types, ranges, slugs, currencies, trial settings and features. Rules that span
// files (unique slugs, one default plan per payer type, consistent feature names) are in
// catalog_rules.h. Pure: text in, definitions and problems out; every problem is reported, not
// just the first.
#pragma once

#include <string>
#include <string_view>
#include <vector>

#include <nlohmann/json.hpp>

#include "domain/catalog/catalog_problem.h"
#include "domain/catalog/plan.h"

namespace recur {

struct PlanFileContents {
  std::vector<PlanSource> plans;  // only the plans that had no problem of their own
  CatalogProblems problems;
};

// `file` is only used to label plans and problems.
PlanFileContents ParsePlanFile(std::string_view file, std::string_view text);

// The canonical plan-file JSON of one definition (every field written, fixed key order), which
// ParsePlanFile reads back to an equal definition. Used to store definitions.
std::string SerializePlan(const PlanDefinition& plan);

// A feature's limit as plan files and the API write it: a number, "unlimited", or null for a
// flag.
nlohmann::json FeatureLimitJson(const FeatureLimit& limit);

// Slugs of plans and features: 1 to 64 characters, lower-case letters and digits in words
// joined by single "-" or "_", starting with a letter ("pro", "team-annual", "api_calls").
bool IsWellFormedSlug(std::string_view slug);

}  // namespace recur
