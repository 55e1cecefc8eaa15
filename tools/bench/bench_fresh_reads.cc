// What keeping reads fresh across nodes costs on PostgreSQL: the pricing table and the
// entitlement check, answered by their real handlers (no HTTP transport), on one node whose
// caches answer unchecked (as a node alone on its database would) and on one whose caches are
// checked against the payer's stored version first (as every node sharing the database does,
// docs/postgresql.md). Both nodes run on the same store; every payer is read once by each
// before timing, so every read is a cache hit and the difference is the check alone.
//
// usage: bench_fresh_reads --postgres CONNINFO [--plans PATH] [--payers N] [--seconds S]
// The database CONNINFO names is migrated and written to (payers are added): give it one of its
// own. Prints, one per line, "NAME reads_per_s N us_per_read N round_trips_per_read N" for
// pricing_unchecked, pricing_checked, entitlement_unchecked, entitlement_checked.
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/ids.h"
#include "domain/entitlements/signing_key.h"
#include "gateways/sandbox/memory_sandbox_ledger.h"
#include "gateways/sandbox/sandbox_gateway.h"
#include "http/billing_api.h"
#include "http/rendered_catalog.h"
#include "services/billing/billing_service.h"
#include "services/catalog/catalog_service.h"
#include "services/scheduler/scheduler.h"
#include "services/scheduler/test_clocks.h"
#include "services/webhooks/endpoints.h"
#include "store/cached/caching_account_store.h"
#include "store/postgres/postgres_store.h"

namespace recur {
namespace {

struct Flags {
  std::string postgres;
  std::string plans = "plans";
  int payers = 1000;
  double seconds = 3;
};

Flags ParseFlags(int argc, char** argv) {
  Flags flags;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string_view name = argv[i];
    const char* value = argv[i + 1];
    if (name == "--postgres") {
      flags.postgres = value;
    } else if (name == "--plans") {
      flags.plans = value;
    } else if (name == "--payers") {
      flags.payers = std::atoi(value);
    } else if (name == "--seconds") {
      flags.seconds = std::atof(value);
    } else {
      std::fprintf(stderr, "bench_fresh_reads: unknown flag %s\n", argv[i]);
      std::exit(2);
    }
  }
  if (flags.postgres.empty() || flags.payers < 1 || flags.seconds <= 0) {
    std::fprintf(stderr,
                 "usage: bench_fresh_reads --postgres CONNINFO [--plans PATH] [--payers N] "
                 "[--seconds S]\n");
    std::exit(2);
  }
  return flags;
}

[[noreturn]] void Fail(const std::string& what, const Error& error) {
  std::fprintf(stderr, "bench_fresh_reads: %s: %s\n", what.c_str(), error.message.c_str());
  std::exit(1);
}

// The parts of one node that the two reads use, over a store shared with the other node.
struct Node {
  Node(PostgresStore& store, CatalogService& catalog, PaymentGateway& gateway, const Clock& clock,
       IdGenerator& ids, const SigningKey& key, StoredVersions* shared)
      : accounts(store, 1'000'000, shared),
        billing(accounts, store, catalog, gateway, clock, ids, ids, LifecycleOptions{}, "ins_b"),
        scheduler(billing, accounts, clock, SchedulerOptions{}),
        test_clocks(store, scheduler, ids, clock),
        webhook_endpoints(store, ids, clock, WebhookEndpointOptions{}),
        rendered(catalog),
        sessions(store, store, clock),
        overview(store, webhook_endpoints, test_clocks, clock),
        api{billing, catalog, rendered,        test_clocks, webhook_endpoints, store,
            key,     clock,   {"recur:bench"}, sessions,    overview} {
    if (shared != nullptr) billing.CheckReadsAgainst(*shared);
    if (auto started = billing.Start(); !started) Fail("starting billing", started.error());
  }

  CachingAccountStore accounts;
  BillingService billing;
  Scheduler scheduler;
  TestClocks test_clocks;
  WebhookEndpoints webhook_endpoints;
  RenderedCatalogs rendered;
  PayerSessions sessions;
  OverviewReport overview;
  ApiServices api;
};

using SteadyClock = std::chrono::steady_clock;

// Calls `read` for payer after payer for about `seconds`; prints its rate and round trips.
template <typename Read>
void Measure(const char* name, const std::vector<std::string>& payers, double seconds,
             const PostgresStore& store, Read&& read) {
  for (const std::string& payer : payers) read(payer);  // every payer held, statements prepared
  const std::int64_t trips_before = store.round_trips();
  const auto start = SteadyClock::now();
  std::int64_t reads = 0;
  double elapsed = 0;
  do {
    for (int i = 0; i < 100; ++i) read(payers[reads++ % payers.size()]);
    elapsed = std::chrono::duration<double>(SteadyClock::now() - start).count();
  } while (elapsed < seconds);
  std::printf("%s reads_per_s %.0f us_per_read %.1f round_trips_per_read %.2f\n", name,
              reads / elapsed, elapsed * 1e6 / reads,
              static_cast<double>(store.round_trips() - trips_before) / reads);
}

int Run(const Flags& flags) {
  SystemClock clock;
  KsuidGenerator ids(clock);
  PgPool::Settings settings;
  settings.connection.conninfo = flags.postgres;
  auto store = PostgresStore::Open(settings, ids, clock.Now());
  if (!store) Fail("opening the store", store.error());
  CatalogService catalog(flags.plans, **store, clock);
  auto loaded = catalog.Reload();
  if (!loaded) Fail("loading the plans", loaded.error());
  if (!loaded->ok()) {
    std::fprintf(stderr, "bench_fresh_reads: the plans at %s are invalid\n", flags.plans.c_str());
    return 1;
  }
  auto key = SigningKey::Generate();
  if (!key) Fail("making a signing key", key.error());
  MemorySandboxLedger ledger;
  SandboxGateway gateway(ledger, &ids);
  Node unchecked(**store, catalog, gateway, clock, ids, *key, nullptr);
  Node checked(**store, catalog, gateway, clock, ids, *key, store->get());

  std::vector<std::string> payers;
  for (int i = 0; i < flags.payers; ++i) {
    auto made = unchecked.billing.CreatePayer(
        {ids.NewId("bench_user"), PayerType::kUser, "bench@example.com", "", std::nullopt});
    if (!made) Fail("making payers", made.error());
    payers.push_back(made->payer.id);
  }

  const ApiRequest::QueryParams none;
  auto pricing = [&](Node& node) {
    return [&](const std::string& payer) {
      const ApiRequest::QueryParams query{{"payer_id", payer}};
      const ApiRequest request{"GET", "/v1/pricing_table", {}, query, "", "127.0.0.1", "bench"};
      if (auto answer = GetPricingTable(node.api, request); !answer) {
        Fail("reading a pricing table", answer.error());
      }
    };
  };
  auto entitlement = [&](Node& node) {
    return [&](const std::string& payer) {
      const ApiRequest request{"GET", "", {payer, "projects"}, none, "", "127.0.0.1", "bench"};
      if (auto answer = CheckEntitlement(node.api, request); !answer) {
        Fail("checking an entitlement", answer.error());
      }
    };
  };
  Measure("pricing_unchecked", payers, flags.seconds, **store, pricing(unchecked));
  Measure("pricing_checked", payers, flags.seconds, **store, pricing(checked));
  Measure("entitlement_unchecked", payers, flags.seconds, **store, entitlement(unchecked));
  Measure("entitlement_checked", payers, flags.seconds, **store, entitlement(checked));
  return 0;
}

}  // namespace
}  // namespace recur

int main(int argc, char** argv) { return recur::Run(recur::ParseFlags(argc, argv)); }
