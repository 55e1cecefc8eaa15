// Runs a cohort simulation (cohort_model.h says what it assumes) and reports it
// (cohort_report.h). Each trial design runs on its own real engine (simulated_engine.h) over
// the same synthetic payers: the engine's catalog is the plan files with the design's trial
// given to every plan of the mix (notices longer than the trial dropped); accounts are kept in
// memory without event bodies or settled payment attempts (MemoryAccountStore), since only the
// figures are reported, so memory follows the number of payers, not days or charges; charges
// go to the CohortGateway. The simulation moves the clock from one payer action to the next,
// and the engine runs the due work in between (notices, conversions, renewals, dunning, ends);
// the figures are read at the end of every simulated day. The result depends only on the model
// (seed included): the same model gives the same report, whatever the number of threads.
#pragma once

#include <string>

#include "base/error.h"
#include "domain/subscriptions/lifecycle.h"
#include "simulate/cohort_model.h"
#include "simulate/cohort_report.h"

namespace recur {

struct CohortRunOptions {
  std::string plans_path = "plans";
  LifecycleOptions lifecycle;
  int threads = 2;  // designs simulated at once
};

Result<CohortReport> RunCohort(const CohortModel& model, const CohortRunOptions& options);

}  // namespace recur
