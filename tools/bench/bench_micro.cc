// Micro-benchmarks (Google Benchmark) of the pure core, on the shipped plan catalog:
// billing period maths, one lifecycle step each for a trial start and a trial conversion,
// rendering and compressing the events of a whole trial conversion, the webhook signature of a
// 1 KiB body (whose rate is also the suite's signing ceiling), and an entitlement lookup among
// 100,000 cached payers. Run with --benchmark_repetitions for medians.
#include <benchmark/benchmark.h>

#include <algorithm>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include <date/date.h>

#include "base/ids.h"
#include "base/zstd_dictionary.h"
#include "domain/catalog/catalog.h"
#include "domain/events/billing_json.h"
#include "domain/events/event_body_sample.h"
#include "domain/events/plan_texts.h"
#include "domain/period/billing_period.h"
#include "domain/subscriptions/lifecycle.h"
#include "domain/webhooks/signing.h"
#include "services/catalog/catalog_loader.h"
#include "services/entitlements/entitlement_cache.h"

namespace recur {
namespace {

Instant At(int year, unsigned month, unsigned day) {
  return Instant(date::sys_days(date::year{year} / date::month{month} / date::day{day}));
}

// The plans of plans/, each at price version 1.
const Catalog& ShippedCatalog() {
  static const Catalog catalog = [] {
    LoadedCatalog loaded = LoadCatalog(std::string(RECUR_SOURCE_DIR) + "/plans");
    if (!loaded.ok()) throw std::runtime_error("the shipped plan catalog does not load");
    std::vector<CatalogPlan> plans;
    std::vector<PlanVersion> versions;
    for (const PlanSource& source : loaded.plans) {
      const PlanDefinition& plan = source.plan;
      const std::string id = "cplan_" + plan.slug;
      versions.push_back(
          {id, plan.slug, 1, plan.amount, plan.annual_amount, plan.currency, At(2024, 1, 1)});
      plans.push_back({plan, id, std::nullopt});
    }
    return Catalog(std::move(plans), std::move(versions));
  }();
  return catalog;
}

void BM_PeriodBoundary(benchmark::State& state) {
  const Instant anchor = At(2024, 1, 31);
  std::int64_t n = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(PeriodBoundary(anchor, BillingInterval::kMonth, n));
    n = (n + 1) % 120;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PeriodBoundary);

void BM_PeriodIndexAt(benchmark::State& state) {
  const Instant anchor = At(2024, 1, 31);
  Instant at = anchor;
  for (auto _ : state) {
    benchmark::DoNotOptimize(PeriodIndexAt(anchor, BillingInterval::kMonth, at));
    at += std::chrono::hours(217);  // walks through ten years in about 400 steps
    if (at > At(2034, 1, 1)) at = anchor;
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_PeriodIndexAt);

// A payer on the free plan with a default card, as after sign-up.
struct SignedUpPayer {
  SeededIdGenerator ids{7};
  LifecycleOptions options;
  Instant now = At(2025, 3, 1);
  Account account;

  SignedUpPayer() {
    account.payer.id = ids.NewId("cpayer");
    account.payer.subscription_id = ids.NewId("csub");
    account.payer.external_id = "user_bench";
    account.payer.type = PayerType::kUser;
    account.payer.email = "bench@example.com";
    account.payer.name = "Bench Payer";
    account.payer.created_at = now;
    const LifecycleContext context = Context();
    if (!StartPayer(account, context)) throw std::runtime_error("StartPayer failed");
    PaymentMethod card{ids.NewId("cpm"), "pm_card_visa", "visa", "4242", 12, 2034, now};
    if (!AddPaymentMethod(account, card, true, context)) throw std::runtime_error("no card");
  }
  LifecycleContext Context() { return {ShippedCatalog(), ids, options, now}; }
};

// One step of the state machine: a payer starts the Pro trial (the account copy included).
void BM_LifecycleStartTrial(benchmark::State& state) {
  SignedUpPayer payer;
  const LifecycleContext context = payer.Context();
  const SubscribeRequest request{"pro", BillingInterval::kMonth, std::nullopt};
  for (auto _ : state) {
    Account account = payer.account;
    auto transition = Subscribe(account, request, context);
    if (!transition) state.SkipWithError("Subscribe failed");
    benchmark::DoNotOptimize(transition);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_LifecycleStartTrial);

// The scheduler's step at a trial's end: the due work makes the conversion charge, and the
// gateway's answer (paid) is applied (the account copy included).
void BM_LifecycleTrialConversion(benchmark::State& state) {
  SignedUpPayer payer;
  auto trial =
      Subscribe(payer.account, {"pro", BillingInterval::kMonth, std::nullopt}, payer.Context());
  if (!trial) throw std::runtime_error("the trial did not start");
  auto trial_end =
      std::find_if(trial->scheduled.begin(), trial->scheduled.end(),
                   [](const DueWork& work) { return work.kind == DueKind::kTrialEnd; });
  if (trial_end == trial->scheduled.end()) throw std::runtime_error("no trial end scheduled");
  payer.now = trial_end->due_at;
  const LifecycleContext context = payer.Context();
  const ChargeOutcome paid{ChargeStatus::kPaid, "ch_bench"};
  for (auto _ : state) {
    Account account = payer.account;
    auto converted = RunDueWork(account, *trial_end, context);
    if (!converted || converted->charges.size() != 1) {
      state.SkipWithError("the trial end made no charge");
      break;
    }
    auto settled = ApplyChargeOutcome(account, converted->charges.front(), paid, context);
    if (!settled) state.SkipWithError("ApplyChargeOutcome failed");
    benchmark::DoNotOptimize(settled);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_LifecycleTrialConversion);

// Every transition of a Pro trial from its start to its paid conversion, each with the account
// after it: what the scheduler stores for one trial conversion (the notices, the trial's end
// with its charge, the charge's outcome).
struct ConversionTransitions {
  SignedUpPayer payer;
  std::vector<std::pair<Transition, Account>> steps;

  ConversionTransitions() {
    auto trial =
        Subscribe(payer.account, {"pro", BillingInterval::kMonth, std::nullopt}, payer.Context());
    if (!trial) throw std::runtime_error("the trial did not start");
    std::vector<DueWork> due = trial->scheduled;
    std::sort(due.begin(), due.end(),
              [](const DueWork& a, const DueWork& b) { return a.due_at < b.due_at; });
    for (DueWork& work : due) {
      work.id = static_cast<std::int64_t>(&work - due.data()) + 1;
      payer.now = work.due_at;
      auto ran = RunDueWork(payer.account, work, payer.Context());
      if (!ran) throw std::runtime_error("due work failed: " + ran.error().message);
      const std::vector<std::string> charges = ran->charges;
      steps.emplace_back(std::move(*ran), payer.account);
      for (const std::string& charge : charges) {
        auto settled = ApplyChargeOutcome(payer.account, charge, {ChargeStatus::kPaid, "ch_bench"},
                                          payer.Context());
        if (!settled) throw std::runtime_error("the charge's outcome failed");
        steps.emplace_back(std::move(*settled), payer.account);
      }
    }
  }

  // The webhook bodies of every event of the conversion, as the billing service renders them.
  std::vector<std::string> Render(const PlanTexts& plan_texts) const {
    std::vector<std::string> bodies;
    for (const auto& [transition, after] : steps) {
      const RenderContext context{ShippedCatalog(), after.payer, after.payment_methods, "ins_bench",
                                  &plan_texts};
      for (const BillingEvent& event : transition.events) {
        bodies.push_back(DumpWithPlans(EventEnvelope(event, context, after.items), plan_texts));
      }
    }
    return bodies;
  }
};

// Rendering every event of one trial conversion as the billing service does when it stores
// them: each envelope built with placeholders for its plans, then written out with the plans'
// texts. An item is one conversion.
void BM_RenderConversionEvents(benchmark::State& state) {
  const ConversionTransitions conversion;
  const PlanTexts plan_texts(ShippedCatalog());
  std::size_t events = 0;
  std::size_t bytes = 0;
  for (auto _ : state) {
    const std::vector<std::string> bodies = conversion.Render(plan_texts);
    events = bodies.size();
    bytes = 0;
    for (const std::string& body : bodies) bytes += body.size();
    benchmark::DoNotOptimize(bodies);
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["events"] = static_cast<double>(events);
  state.counters["bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_RenderConversionEvents);

// Compressing those bodies as the SQLite store keeps them, against a dictionary of one sample
// of each event type. An item is one conversion.
void BM_CompressConversionEvents(benchmark::State& state) {
  const ConversionTransitions conversion;
  const std::vector<std::string> bodies = conversion.Render(PlanTexts(ShippedCatalog()));
  std::string samples;
  for (const std::string& body : bodies) samples += EventBodySample(body);
  const ZstdDictionary dictionary(samples);
  std::size_t compressed = 0;
  for (auto _ : state) {
    compressed = 0;
    for (const std::string& body : bodies) compressed += dictionary.Compress(body).size();
  }
  state.SetItemsProcessed(state.iterations());
  state.counters["bytes"] = static_cast<double>(compressed);
}
BENCHMARK(BM_CompressConversionEvents);

// A webhook signature over a 1 KiB body: HMAC-SHA256 and base64, as the dispatcher signs each
// attempt. Its rate is the signing ceiling.
void BM_SignWebhook1KiB(benchmark::State& state) {
  auto secret = DecodeWebhookSecret(NewWebhookSecretText());
  if (!secret) throw std::runtime_error("no secret");
  const std::string msg_id = "msg_" + RandomBase62(kIdBodyLength);
  const std::string body(1024, 'x');
  for (auto _ : state) {
    benchmark::DoNotOptimize(SignWebhook(*secret, msg_id, 1'760'000'000, body));
  }
  state.SetItemsProcessed(state.iterations());
  state.SetBytesProcessed(state.iterations() * static_cast<std::int64_t>(body.size()));
}
BENCHMARK(BM_SignWebhook1KiB);

// An entitlement check as GET /v1/payers/{id}/entitlements/{feature} makes it: the payer's
// entry among 100,000, its plan's features, and the feature by slug.
void BM_EntitlementLookup(benchmark::State& state) {
  constexpr int kPayers = 100'000;
  SeededIdGenerator ids(11);
  EntitlementCache cache;
  std::vector<std::string> payer_ids;
  for (int i = 0; i < kPayers; ++i) {
    payer_ids.push_back(ids.NewId("cpayer"));
    cache.Set(payer_ids.back(),
              {PayerType::kUser, "user_" + std::to_string(i), i % 3 == 0 ? "pro" : "free", true});
  }
  std::shuffle(payer_ids.begin(), payer_ids.end(), std::mt19937_64(3));
  const Catalog& catalog = ShippedCatalog();
  std::size_t next = 0;
  for (auto _ : state) {
    auto entry = cache.Get(payer_ids[next]);
    next = (next + 1) % payer_ids.size();
    const Entitlements entitlements = ResolveEntitlements(catalog, *entry);
    const bool allowed =
        std::any_of(entitlements.features.begin(), entitlements.features.end(),
                    [](const FeatureEntitlement& feature) { return feature.slug == "projects"; });
    benchmark::DoNotOptimize(allowed);
  }
  state.SetItemsProcessed(state.iterations());
}
BENCHMARK(BM_EntitlementLookup);

}  // namespace
}  // namespace recur

BENCHMARK_MAIN();
