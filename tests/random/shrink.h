// Shrinks a failing random sequence to a small one that fails the same rule: delta debugging
// over its steps (the start line stays), then simpler arguments one line at a time (shorter
// advances and extensions, monthly instead of annual, no trial flag, a card that pays, no
// plan or "now" on a cancel), the two in turn until no change keeps the failure. A candidate that
// is not a valid scenario (a step about a payer no longer declared) does not fail.
#pragma once

#include <string>
#include <vector>

#include "tests/random/sequence_run.h"

namespace recur::random_lifecycle {

struct ShrinkResult {
  std::vector<std::string> lines;  // the smallest failing sequence found
  RunReport report;                // its run
  int runs = 0;                    // how many sequences were run to find it
};

// `lines` must fail (RunSequence finds a problem); the result fails the same rule.
ShrinkResult Shrink(const std::vector<std::string>& lines, const RunOptions& options);

}  // namespace recur::random_lifecycle
