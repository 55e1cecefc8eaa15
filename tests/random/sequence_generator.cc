#include "tests/random/sequence_generator.h"

#include <array>
#include <span>

namespace recur::random_lifecycle {
namespace {

// SplitMix64: small, and the same numbers everywhere.
class Draws {
 public:
  explicit Draws(std::uint64_t seed) : state_(seed) {}
  std::uint64_t Next() {
    std::uint64_t z = (state_ += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
  // 0 to n - 1.
  int Below(int n) { return static_cast<int>(Next() % static_cast<std::uint64_t>(n)); }
  int Between(int low, int high) { return low + Below(high - low + 1); }
  bool Chance(int percent) { return Below(100) < percent; }
  template <typename T>
  const T& Pick(std::span<const T> choices) {
    return choices[static_cast<std::size_t>(Below(static_cast<int>(choices.size())))];
  }

 private:
  std::uint64_t state_;
};

struct Weighted {
  const char* text;
  int weight;
};

const char* PickWeighted(Draws& draws, std::span<const Weighted> choices) {
  int total = 0;
  for (const Weighted& choice : choices) total += choice.weight;
  int draw = draws.Below(total);
  for (const Weighted& choice : choices) {
    if (draw < choice.weight) return choice.text;
    draw -= choice.weight;
  }
  return choices.back().text;
}

// The pending ones last (GeneratorOptions::pending_cards).
constexpr std::array<Weighted, 8> kTokens{{
    {"pm_card_visa", 40},
    {"pm_card_mastercard", 10},
    {"pm_card_chargeCustomerFail", 20},
    {"pm_card_authenticationRequired", 10},
    {"pm_card_chargeDeclined", 6},
    {"pm_card_chargeDeclinedInsufficientFunds", 4},
    {"pm_card_sandboxPendingThenPaid", 5},
    {"pm_card_sandboxPendingThenDeclined", 5},
}};

// The plans with trials most, since more happens to them; the free plans least, since going
// back to one is only a cancel by another name.
constexpr std::array<Weighted, 3> kUserPlans{{{"free", 15}, {"pro", 50}, {"business", 35}}};
constexpr std::array<Weighted, 2> kOrgPlans{{{"org-free", 25}, {"team", 75}}};

// Lengths that land before, on and past trial ends (14 days, notices 1 to 7 days before),
// period ends (28 to 31 days, a year) and dunning retries (1, 3, 5, 7 days after a failure).
constexpr std::array<Weighted, 9> kAdvances{{
    {"h", 10},   // hours: 1 to 23
    {"1d", 12},  // a day
    {"d", 20},   // 2 to 7 days
    {"13d", 4},
    {"14d", 8},
    {"15d", 4},
    {"m", 20},  // 28 to 31 days
    {"l", 8},   // 32 to 120 days
    {"366d", 2},
}};

std::string AdvanceText(Draws& draws) {
  const std::string kind = PickWeighted(draws, kAdvances);
  if (kind == "h") return std::to_string(draws.Between(1, 23)) + "h";
  if (kind == "d") return std::to_string(draws.Between(2, 7)) + "d";
  if (kind == "m") return std::to_string(draws.Between(28, 31)) + "d";
  if (kind == "l") return std::to_string(draws.Between(32, 120)) + "d";
  return kind;
}

std::string StartLine(Draws& draws) {
  // Days that test the anchor rules (the 29th to 31st, February in a leap year) more often.
  constexpr std::array<const char*, 8> kDays{"2027-01-31", "2028-01-30", "2028-02-29",
                                             "2027-03-31", "2027-05-15", "2027-08-31",
                                             "2027-12-31", "2028-06-01"};
  const std::string day = draws.Pick(std::span<const char* const>(kDays));
  char time[8];
  std::snprintf(time, sizeof time, "%02d:%02d", draws.Below(24), draws.Below(4) * 15);
  return "start " + day + "T" + time + "Z";
}

}  // namespace

std::vector<std::string> GenerateSequence(std::uint64_t seed, const GeneratorOptions& options) {
  Draws draws(seed);
  std::vector<std::string> lines{StartLine(draws)};
  struct Payer {
    std::string name;
    bool org = false;
  };
  std::vector<Payer> payers;
  const int payer_count = draws.Between(1, options.max_payers);
  for (int i = 1; i <= payer_count; ++i) {
    Payer payer{"p" + std::to_string(i), draws.Chance(20)};
    lines.push_back("payer " + payer.name + (payer.org ? " org" : ""));
    payers.push_back(payer);
  }
  // Most payers bring a card before anything else, so that most subscribes are taken.
  const std::span<const Weighted> tokens(kTokens.data(), options.pending_cards ? 8 : 6);
  for (const Payer& payer : payers) {
    if (draws.Chance(75)) lines.push_back("card " + payer.name + " " + PickWeighted(draws, tokens));
  }
  const int steps = draws.Between(options.min_steps, options.max_steps);
  for (int i = 0; i < steps; ++i) {
    const Payer& payer = payers[static_cast<std::size_t>(draws.Below(payer_count))];
    const std::span<const Weighted> plans =
        payer.org ? std::span<const Weighted>(kOrgPlans) : std::span<const Weighted>(kUserPlans);
    const int kind = draws.Below(100);
    if (kind < 16) {
      lines.push_back("card " + payer.name + " " + PickWeighted(draws, tokens));
    } else if (kind < 44) {
      std::string line = "subscribe " + payer.name + " " + PickWeighted(draws, plans);
      if (draws.Chance(30)) line += " annual";
      if (const int trial = draws.Below(10); trial < 2) {
        line += " trial";
      } else if (trial < 4) {
        line += " no-trial";
      }
      lines.push_back(line);
      // A trial is extended soon after it starts, or never: extensions drawn at any time
      // seldom meet a running trial.
      if (draws.Chance(15)) {
        lines.push_back("advance " + std::to_string(draws.Between(1, 13)) + "d");
        lines.push_back("extend-trial " + payer.name + " " + std::to_string(draws.Between(1, 30)) +
                        "d");
      }
    } else if (kind < 56) {
      std::string line = "cancel " + payer.name;
      if (draws.Chance(25)) line += std::string(" ") + PickWeighted(draws, plans);
      if (draws.Chance(35)) line += " now";
      lines.push_back(line);
    } else if (kind < 62) {
      lines.push_back("extend-trial " + payer.name + " " +
                      (draws.Chance(30) ? std::to_string(draws.Between(1, 23)) + "h"
                                        : std::to_string(draws.Between(1, 30)) + "d"));
    } else if (options.pending_cards && kind < 67) {
      lines.push_back("settle " + payer.name);
    } else {
      lines.push_back("advance " + AdvanceText(draws));
    }
  }
  return lines;
}

}  // namespace recur::random_lifecycle
