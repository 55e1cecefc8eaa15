#include "domain/catalog/plan_file.h"

#include <algorithm>
#include <array>
#include <cstdint>
#include <optional>
#include <set>
#include <span>

#include <nlohmann/json.hpp>

#include "base/duration_text.h"
#include "base/json_parse_error.h"
#include "base/money.h"
#include "base/suggest.h"

namespace recur {
namespace {

using nlohmann::json;

constexpr std::array<std::string_view, 13> kPlanKeys = {"slug",
                                                        "name",
                                                        "description",
                                                        "payer_type",
                                                        "is_default",
                                                        "publicly_visible",
                                                        "amount",
                                                        "annual_amount",
                                                        "currency",
                                                        "free_trial_days",
                                                        "free_trial_requires_payment_method",
                                                        "trial_ending_notices",
                                                        "features"};
constexpr std::array<std::string_view, 4> kFeatureKeys = {"slug", "name", "description", "limit"};
constexpr std::array<std::string_view, 1> kCatalogKeys = {"plans"};
constexpr std::array<std::string_view, 2> kPayerTypes = {"user", "org"};

constexpr std::int64_t kMaxAmount = 100'000'000'000;  // far above any plausible price
constexpr std::int64_t kMaxFeatureLimit = 1'000'000'000'000;
constexpr int kMaxTrialDays = 365;
constexpr std::size_t kMaxNameLength = 100;
constexpr std::size_t kMaxDescriptionLength = 1000;
constexpr std::size_t kMaxNotices = 5;
constexpr std::size_t kMaxFeatures = 100;

std::string Join(std::string_view path, std::string_view key) {
  if (path.empty()) return std::string(key);
  std::string joined(path);
  joined += '.';
  joined += key;
  return joined;
}

std::string Index(std::string_view path, std::size_t index) {
  return std::string(path) + "[" + std::to_string(index) + "]";
}

std::string Quote(std::string_view text) { return json(std::string(text)).dump(); }

// "got ..." for a value of the wrong type or range, short enough for one line.
std::string Got(const json& value) {
  switch (value.type()) {
    case json::value_t::object:
      return "got an object";
    case json::value_t::array:
      return "got an array";
    case json::value_t::null:
      return "got null";
    default: {
      std::string text = value.dump();
      if (text.size() > 40) text = text.substr(0, 37) + "...";
      return "got " + text;
    }
  }
}

// Collects problems for one file and reads typed fields, reporting each misfit.
class FileReader {
 public:
  FileReader(std::string_view file, CatalogProblems& problems) : file_(file), problems_(problems) {}

  void Report(std::string location, std::string message) {
    problems_.push_back({file_, std::move(location), std::move(message)});
  }
  std::size_t ProblemCount() const { return problems_.size(); }

  void RejectUnknownKeys(const json& object, std::string_view path,
                         std::span<const std::string_view> known) {
    for (const auto& [key, value] : object.items()) {
      if (std::find(known.begin(), known.end(), key) != known.end()) continue;
      std::string message = "unknown key";
      if (auto match = ClosestMatch(key, known)) {
        message += "; did you mean " + Quote(*match) + "?";
      } else {
        message += "; expected one of";
        for (std::size_t i = 0; i < known.size(); ++i) {
          message += (i == 0 ? " " : ", ") + std::string(known[i]);
        }
      }
      Report(Join(path, key), message);
    }
  }

  std::optional<std::string> String(const json& object, std::string_view path, std::string_view key,
                                    bool required, std::size_t max_length) {
    auto it = object.find(key);
    if (it == object.end()) {
      if (required) Report(Join(path, key), "is required");
      return std::nullopt;
    }
    if (!it->is_string()) {
      Report(Join(path, key), "must be a string, " + Got(*it));
      return std::nullopt;
    }
    std::string text = it->get<std::string>();
    if (required && text.empty()) {
      Report(Join(path, key), "must not be empty");
      return std::nullopt;
    }
    if (text.size() > max_length) {
      Report(Join(path, key), "must be at most " + std::to_string(max_length) +
                                  " bytes long, got " + std::to_string(text.size()));
      return std::nullopt;
    }
    return text;
  }

  std::optional<bool> Bool(const json& object, std::string_view path, std::string_view key) {
    auto it = object.find(key);
    if (it == object.end()) return std::nullopt;
    if (!it->is_boolean()) {
      Report(Join(path, key), "must be true or false, " + Got(*it));
      return std::nullopt;
    }
    return it->get<bool>();
  }

  // An integer in [min, max]; `what` explains the expectation in the message.
  std::optional<std::int64_t> Integer(const json& value, const std::string& location,
                                      std::int64_t min, std::int64_t max, std::string_view what) {
    // Non-negative literals arrive as unsigned, possibly beyond the int64 range.
    const bool fits = value.is_number_integer() &&
                      (value.is_number_unsigned()
                           ? value.get<std::uint64_t>() <= static_cast<std::uint64_t>(max) &&
                                 static_cast<std::int64_t>(value.get<std::uint64_t>()) >= min
                           : value.get<std::int64_t>() >= min && value.get<std::int64_t>() <= max);
    if (!fits) {
      Report(location, "must be " + std::string(what) + ", " + Got(value));
      return std::nullopt;
    }
    return value.get<std::int64_t>();
  }

 private:
  std::string file_;
  CatalogProblems& problems_;
};

bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'); }

constexpr std::string_view kSlugRule =
    "must be 1 to 64 lower-case letters and digits, words joined by single \"-\" or \"_\", "
    "starting with a letter (e.g. \"pro-annual\")";

void ReadSlug(FileReader& reader, const json& object, std::string_view path, std::string& out) {
  auto slug = reader.String(object, path, "slug", /*required=*/true, /*max_length=*/1000);
  if (!slug) return;
  if (!IsWellFormedSlug(*slug)) {
    reader.Report(Join(path, "slug"), std::string(kSlugRule) + ", got " + Quote(*slug));
    return;
  }
  out = *slug;
}

void ReadCurrency(FileReader& reader, const json& object, std::string_view path, std::string& out) {
  auto code = reader.String(object, path, "currency", /*required=*/true, /*max_length=*/1000);
  if (!code) return;
  if (FindCurrency(*code)) {
    out = *code;
    return;
  }
  std::string upper = *code;
  std::transform(upper.begin(), upper.end(), upper.begin(),
                 [](unsigned char c) { return static_cast<char>(std::toupper(c)); });
  std::string message = Quote(*code) + " is not an ISO 4217 currency code";
  if (upper != *code && FindCurrency(upper)) {
    message = "must be an upper-case ISO 4217 code; did you mean " + Quote(upper) + "?";
  }
  reader.Report(Join(path, "currency"), message);
}

void ReadPayerType(FileReader& reader, const json& object, std::string_view path, PayerType& out) {
  auto name = reader.String(object, path, "payer_type", /*required=*/true, /*max_length=*/1000);
  if (!name) return;
  if (auto type = ParsePayerType(*name)) {
    out = *type;
    return;
  }
  std::string message = "must be \"user\" or \"org\", got " + Quote(*name);
  if (auto match = ClosestMatch(*name, kPayerTypes)) {
    message += "; did you mean " + Quote(*match) + "?";
  }
  reader.Report(Join(path, "payer_type"), message);
}

void ReadAmounts(FileReader& reader, const json& object, std::string_view path,
                 PlanDefinition& plan) {
  constexpr std::string_view kAmountRule =
      "a non-negative integer number of minor units (2000 is 20.00 in a two-decimal currency)";
  if (auto it = object.find("amount"); it == object.end()) {
    reader.Report(Join(path, "amount"), "is required (0 for a free plan)");
  } else if (auto amount = reader.Integer(*it, Join(path, "amount"), 0, kMaxAmount, kAmountRule)) {
    plan.amount = *amount;
  }
  if (auto it = object.find("annual_amount"); it != object.end() && !it->is_null()) {
    if (auto annual = reader.Integer(*it, Join(path, "annual_amount"), 1, kMaxAmount,
                                     "a positive integer number of minor units, or null")) {
      plan.annual_amount = *annual;
      if (plan.amount == 0) {
        reader.Report(Join(path, "annual_amount"),
                      "a free plan (amount 0) cannot have an annual price");
      }
    }
  }
}

void ReadTrial(FileReader& reader, const json& object, std::string_view path,
               PlanDefinition& plan) {
  if (auto it = object.find("free_trial_days"); it != object.end()) {
    if (auto days = reader.Integer(*it, Join(path, "free_trial_days"), 0, kMaxTrialDays,
                                   "an integer from 0 (no trial) to 365")) {
      plan.free_trial_days = static_cast<int>(*days);
      if (plan.free_trial_days > 0 && plan.amount == 0) {
        reader.Report(Join(path, "free_trial_days"),
                      "a free plan (amount 0) has nothing to trial; use 0 or remove the key");
      }
    }
  }
  if (auto requires_method = reader.Bool(object, path, "free_trial_requires_payment_method")) {
    plan.free_trial_requires_payment_method = *requires_method;
  }

  auto it = object.find("trial_ending_notices");
  if (it == object.end()) return;
  const std::string notices_path = Join(path, "trial_ending_notices");
  if (!it->is_array()) {
    reader.Report(notices_path,
                  "must be a list of lead times like [\"7d\", \"3d\", \"12h\"], " + Got(*it));
    return;
  }
  if (it->size() > kMaxNotices) {
    reader.Report(notices_path, "must list at most " + std::to_string(kMaxNotices) +
                                    " lead times, got " + std::to_string(it->size()));
    return;
  }
  std::vector<std::chrono::hours> leads;
  for (std::size_t i = 0; i < it->size(); ++i) {
    const json& entry = (*it)[i];
    const std::string entry_path = Index(notices_path, i);
    auto lead = entry.is_string() ? ParseDuration(entry.get<std::string>()) : std::nullopt;
    if (!lead) {
      reader.Report(entry_path,
                    "must be a lead time of whole days or hours such as \"3d\" or \"12h\" "
                    "(at most 366 days), " +
                        Got(entry));
      continue;
    }
    if (std::find(leads.begin(), leads.end(), *lead) != leads.end()) {
      reader.Report(entry_path, Quote(FormatDuration(*lead)) + " is listed twice");
      continue;
    }
    if (plan.HasTrial() && *lead >= std::chrono::days(plan.free_trial_days)) {
      reader.Report(entry_path, Quote(FormatDuration(*lead)) + " is not shorter than the " +
                                    std::to_string(plan.free_trial_days) +
                                    "-day trial; a notice must come after the trial starts");
      continue;
    }
    leads.push_back(*lead);
  }
  std::sort(leads.rbegin(), leads.rend());
  plan.trial_ending_notices = std::move(leads);
}

void ReadFeatures(FileReader& reader, const json& object, std::string_view path,
                  PlanDefinition& plan) {
  auto it = object.find("features");
  if (it == object.end()) return;
  const std::string features_path = Join(path, "features");
  if (!it->is_array()) {
    reader.Report(features_path, "must be a list of feature objects, " + Got(*it));
    return;
  }
  if (it->size() > kMaxFeatures) {
    reader.Report(features_path, "must list at most " + std::to_string(kMaxFeatures) +
                                     " features, got " + std::to_string(it->size()));
    return;
  }
  for (std::size_t i = 0; i < it->size(); ++i) {
    const json& entry = (*it)[i];
    const std::string entry_path = Index(features_path, i);
    if (!entry.is_object()) {
      reader.Report(entry_path, "must be an object like {\"slug\": \"projects\", \"limit\": 10}, " +
                                    Got(entry));
      continue;
    }
    reader.RejectUnknownKeys(entry, entry_path, kFeatureKeys);
    PlanFeature feature;
    ReadSlug(reader, entry, entry_path, feature.slug);
    feature.name = reader.String(entry, entry_path, "name", false, kMaxNameLength).value_or("");
    feature.description =
        reader.String(entry, entry_path, "description", false, kMaxDescriptionLength).value_or("");
    if (auto limit = entry.find("limit"); limit != entry.end() && !limit->is_null()) {
      if (limit->is_string() && limit->get<std::string>() == "unlimited") {
        feature.limit = FeatureLimit::Unlimited();
      } else if (auto n = reader.Integer(*limit, Join(entry_path, "limit"), 1, kMaxFeatureLimit,
                                         "a positive integer or \"unlimited\"")) {
        feature.limit = FeatureLimit::Limited(*n);
      }
    }
    if (feature.slug.empty()) continue;
    auto twin = std::find_if(plan.features.begin(), plan.features.end(),
                             [&](const PlanFeature& f) { return f.slug == feature.slug; });
    if (twin != plan.features.end()) {
      reader.Report(
          Join(entry_path, "slug"),
          Quote(feature.slug) + " is listed twice in this plan (also " +
              Index(features_path, static_cast<std::size_t>(twin - plan.features.begin())) + ")");
      continue;
    }
    plan.features.push_back(std::move(feature));
  }
}

void CheckDefaultPlan(FileReader& reader, std::string_view path, const PlanDefinition& plan) {
  if (!plan.is_default) return;
  std::string why;
  if (plan.amount != 0) why = "its amount is " + std::to_string(plan.amount);
  if (plan.annual_amount) why = "it has an annual_amount";
  if (plan.HasTrial()) why = "it has a free trial";
  if (!why.empty()) {
    reader.Report(Join(path, "is_default"),
                  "a default plan must be free (every new payer starts on it), but " + why);
  }
}

// Reads one plan object at `path`; returns it only when it had no problem of its own.
std::optional<PlanDefinition> ReadPlan(FileReader& reader, const json& object,
                                       std::string_view path) {
  const std::size_t problems_before = reader.ProblemCount();
  if (!object.is_object()) {
    reader.Report(std::string(path), "must be a plan object, " + Got(object));
    return std::nullopt;
  }
  reader.RejectUnknownKeys(object, path, kPlanKeys);
  PlanDefinition plan;
  ReadSlug(reader, object, path, plan.slug);
  plan.name = reader.String(object, path, "name", true, kMaxNameLength).value_or("");
  plan.description =
      reader.String(object, path, "description", false, kMaxDescriptionLength).value_or("");
  ReadPayerType(reader, object, path, plan.payer_type);
  plan.is_default = reader.Bool(object, path, "is_default").value_or(false);
  plan.publicly_visible = reader.Bool(object, path, "publicly_visible").value_or(true);
  ReadAmounts(reader, object, path, plan);
  ReadCurrency(reader, object, path, plan.currency);
  ReadTrial(reader, object, path, plan);
  ReadFeatures(reader, object, path, plan);
  CheckDefaultPlan(reader, path, plan);
  if (reader.ProblemCount() != problems_before) return std::nullopt;
  return plan;
}

// Reports keys that appear twice in one object: JSON parsers keep only the last silently.
class DuplicateKeyFinder {
 public:
  explicit DuplicateKeyFinder(FileReader& reader) : reader_(reader) {}

  bool operator()(int /*depth*/, json::parse_event_t event, json& parsed) {
    switch (event) {
      case json::parse_event_t::object_start:
      case json::parse_event_t::array_start:
        frames_.push_back({ChildPath(), event == json::parse_event_t::array_start, 0, {}, {}});
        break;
      case json::parse_event_t::object_end:
      case json::parse_event_t::array_end:
        frames_.pop_back();
        break;
      case json::parse_event_t::key: {
        Frame& frame = frames_.back();
        frame.key = parsed.get<std::string>();
        if (!frame.seen.insert(frame.key).second) {
          reader_.Report(Join(frame.path, frame.key), "duplicate key; only one value may be given");
        }
        break;
      }
      case json::parse_event_t::value:
        ChildPath();  // advances the array index
        break;
    }
    return true;
  }

 private:
  struct Frame {
    std::string path;
    bool is_array;
    std::size_t next_index;
    std::string key;
    std::set<std::string> seen;
  };

  std::string ChildPath() {
    if (frames_.empty()) return "";
    Frame& parent = frames_.back();
    return parent.is_array ? Index(parent.path, parent.next_index++)
                           : Join(parent.path, parent.key);
  }

  FileReader& reader_;
  std::vector<Frame> frames_;
};

}  // namespace

bool IsWellFormedSlug(std::string_view slug) {
  if (slug.empty() || slug.size() > 64 || slug.front() < 'a' || slug.front() > 'z') return false;
  for (std::size_t i = 0; i < slug.size(); ++i) {
    const char c = slug[i];
    if (IsLowerAlnum(c)) continue;
    const bool separator = c == '-' || c == '_';
    if (!separator || i + 1 == slug.size() || !IsLowerAlnum(slug[i + 1])) return false;
  }
  return true;
}

PlanFileContents ParsePlanFile(std::string_view file, std::string_view text) {
  PlanFileContents contents;
  FileReader reader(file, contents.problems);

  // The parser's refusal, in either of the two forms it takes.
  auto refuse = [&](const JsonParseErrorDescription& where) {
    contents.problems.clear();  // a half-read document's key findings would only confuse
    reader.Report(std::to_string(where.line) + ":" + std::to_string(where.column),
                  "invalid JSON: " + where.reason);
    return contents;
  };
  json root;
  try {
    root = json::parse(text.begin(), text.end(), DuplicateKeyFinder(reader));
  } catch (const json::parse_error& error) {
    return refuse(DescribeJsonParseError(error, text));
  } catch (const json::out_of_range& error) {  // a number such as 1e400
    return refuse(DescribeJsonParseError(error, text));
  }

  if (root.is_object() && root.contains("plans")) {
    reader.RejectUnknownKeys(root, "", kCatalogKeys);
    const json& plans = root["plans"];
    if (!plans.is_array()) {
      reader.Report("plans", "must be a list of plan objects, " + Got(plans));
      return contents;
    }
    for (std::size_t i = 0; i < plans.size(); ++i) {
      const std::string path = Index("plans", i);
      if (auto plan = ReadPlan(reader, plans[i], path)) {
        contents.plans.push_back({std::move(*plan), std::string(file), path});
      }
    }
    return contents;
  }
  if (!root.is_object()) {
    reader.Report("", "must hold a plan object or a catalog {\"plans\": [...]}, " + Got(root));
    return contents;
  }
  if (auto plan = ReadPlan(reader, root, "")) {
    contents.plans.push_back({std::move(*plan), std::string(file), ""});
  }
  return contents;
}

json FeatureLimitJson(const FeatureLimit& limit) {
  switch (limit.kind) {
    case FeatureLimit::Kind::kFlag:
      return nullptr;
    case FeatureLimit::Kind::kLimited:
      return limit.limit;
    case FeatureLimit::Kind::kUnlimited:
      return "unlimited";
  }
  return nullptr;
}

std::string SerializePlan(const PlanDefinition& plan) {
  json features = json::array();
  for (const PlanFeature& feature : plan.features) {
    json entry = {{"slug", feature.slug},
                  {"name", feature.name},
                  {"description", feature.description},
                  {"limit", FeatureLimitJson(feature.limit)}};
    features.push_back(std::move(entry));
  }
  json notices = json::array();
  for (std::chrono::hours lead : plan.trial_ending_notices) notices.push_back(FormatDuration(lead));
  json object = {
      {"slug", plan.slug},
      {"name", plan.name},
      {"description", plan.description},
      {"payer_type", PayerTypeName(plan.payer_type)},
      {"is_default", plan.is_default},
      {"publicly_visible", plan.publicly_visible},
      {"amount", plan.amount},
      {"annual_amount", plan.annual_amount ? json(*plan.annual_amount) : json(nullptr)},
      {"currency", plan.currency},
      {"free_trial_days", plan.free_trial_days},
      {"free_trial_requires_payment_method", plan.free_trial_requires_payment_method},
      {"features", std::move(features)},
  };
  // The default is left implicit: written out, it would be held to the rule for explicit lists
  // (shorter than the trial), which a short trial's default does not meet.
  if (plan.trial_ending_notices != PlanDefinition{}.trial_ending_notices) {
    object["trial_ending_notices"] = std::move(notices);
  }
  return object.dump();
}

}  // namespace recur
