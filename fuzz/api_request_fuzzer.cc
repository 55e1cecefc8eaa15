// Every endpoint's request handling: the input is a few requests (api_request_text.h), each
// routed through the route table of `recur serve` (http/billing_api.h) and given to its real
// handler, on a fresh engine per input: the services over the in-memory account store, SQLite
// for what has no memory store (in the scratch folder), the sandbox gateway and a manual clock.
// Authentication and Idempotency-Key belong to the HTTP server, not to the handlers, so they are
// not exercised here. So that inputs can name what earlier requests made (ids are generated),
// "$1" to "$8" in a path or body stand for the "id" of the answer to request 1 to 8.
// Findings: a crash, an exception out of a handler, a 5xx answer other than the documented 503
// storage_error and 503 gateway_timeout (pm_card_sandboxAnswerLostThenPaid), and an answer that is
// not JSON.
// Names are never resolved: getaddrinfo is replaced below (webhook URLs with a host name are
// refused as unresolvable), so no input reaches the network.
#include <netdb.h>

#include <cstddef>
#include <cstdint>
#include <exception>
#include <filesystem>
#include <memory>

#include <nlohmann/json.hpp>

#include "base/clock.h"
#include "base/ids.h"
#include "domain/entitlements/signing_key.h"
#include "fuzz/api_request_text.h"
#include "fuzz/fuzz_support.h"
#include "gateways/sandbox/memory_sandbox_ledger.h"
#include "gateways/sandbox/sandbox_gateway.h"
#include "http/api_error.h"
#include "http/billing_api.h"
#include "http/rendered_catalog.h"
#include "http/router.h"
#include "services/catalog/catalog_service.h"
#include "services/scheduler/scheduler.h"
#include "services/scheduler/test_clocks.h"
#include "services/webhooks/endpoints.h"
#include "store/memory/memory_account_store.h"
#include "store/sqlite/sqlite_store.h"

extern "C" int getaddrinfo(const char*, const char*, const addrinfo*, addrinfo** found) {
  *found = nullptr;
  return EAI_NONAME;
}

namespace {

using namespace recur;

constexpr std::size_t kMaxRequests = 8;

Instant Start() { return FromUnixMillis(1798761600000); }  // 2027-01-01T00:00:00Z

const SigningKey& Key() {
  static const SigningKey key = SigningKey::Generate().value();
  return key;
}

const Router& Routes() {
  static const Router router = [] {
    Router routes;
    for (const ApiRoute& route : kApiRoutes) routes.Add(std::string(route.method), route.pattern);
    return routes;
  }();
  return router;
}

// The engine `recur serve` composes, made anew for each input so that an input replays alike.
struct Engine {
  explicit Engine(const std::string& db_path)
      : clock(Start()),
        ids(1),
        store(SqliteStore::Open(db_path, ids, Start()).value()),
        catalog(RECUR_SOURCE_DIR "/plans", *store, clock),
        gateway(ledger, &ids),
        billing(accounts, *store, catalog, gateway, clock, ids, ids, LifecycleOptions{},
                "ins_fuzz"),
        scheduler(billing, accounts, clock, SchedulerOptions{.workers = 1}),
        test_clocks(*store, scheduler, ids, clock),
        webhook_endpoints(*store, ids, clock, WebhookEndpointOptions{}),
        rendered_catalogs(catalog),
        sessions(*store, *store, clock),
        // A key no input is expected to send: a sign-in answers 401, as a wrong key does.
        console_sessions(*store, clock, ConsoleSessions::kDefaultTtl,
                         [](std::string_view key) { return key == "sk_test_fuzz_console"; }),
        overview(*store, webhook_endpoints, test_clocks, clock),
        services{billing, catalog, rendered_catalogs, test_clocks, webhook_endpoints, *store,
                 Key(),   clock,   {"recur:fuzz"},    sessions,    overview} {
    services.console_sessions = &console_sessions;
    auto loaded = catalog.Reload();
    if (!loaded || !loaded->ok()) fuzz::Finding("the shipped plans do not load");
    if (auto started = billing.Start(); !started) fuzz::Finding(started.error().message);
  }

  ManualClock clock;
  SeededIdGenerator ids;
  std::unique_ptr<SqliteStore> store;
  CatalogService catalog;
  MemoryAccountStore accounts;
  MemorySandboxLedger ledger;
  SandboxGateway gateway;
  BillingService billing;
  Scheduler scheduler;
  TestClocks test_clocks;
  WebhookEndpoints webhook_endpoints;
  RenderedCatalogs rendered_catalogs;
  PayerSessions sessions;
  ConsoleSessions console_sessions;
  OverviewReport overview;
  ApiServices services;
};

std::string Describe(const fuzz::TextRequest& request) {
  return request.method + " " + request.path;
}

// `text` with "$N" replaced by the id the Nth answer carried.
std::string WithIds(std::string text, const std::vector<std::string>& ids) {
  for (std::size_t at = text.find('$'); at != std::string::npos && at + 1 < text.size();
       at = text.find('$', at + 1)) {
    const std::size_t n = static_cast<std::size_t>(text[at + 1] - '1');
    if (n < ids.size()) text.replace(at, 2, ids[n]);
  }
  return text;
}

// Serves one request; returns the "id" of its answer ("" when none).
std::string Serve(const ApiServices& services, const fuzz::TextRequest& text) {
  const std::string_view method = text.method == "HEAD" ? "GET" : std::string_view(text.method);
  RouteMatch match = Routes().Match(method, text.path);
  if (match.outcome != RouteMatch::Outcome::kFound) return "";
  const ApiRequest request{text.method, text.path, std::move(match.params), text.query, text.body,
                           "127.0.0.1", "fuzz"};
  ApiResponse response;
  try {
    Result<ApiResponse> answer = kApiRoutes[match.route].handler(services, request);
    response = answer ? std::move(*answer) : ErrorResponse(answer.error());
  } catch (const std::exception& error) {
    fuzz::Finding("an exception out of " + Describe(text) + ": " + error.what());
  }
  const nlohmann::json answer = nlohmann::json::parse(response.body, nullptr, false);
  if (response.status >= 500) {
    // The documented 503s: a storage fault, and the sandbox card whose charge answer is lost.
    const std::string code =
        answer.is_object() && answer.contains("error") && answer["error"].is_object()
            ? answer["error"].value("code", "")
            : "";
    const bool documented =
        response.status == 503 && (code == "storage_error" || code == "gateway_timeout");
    if (!documented) {
      fuzz::Finding(std::to_string(response.status) + " from " + Describe(text) + ": " +
                    response.body);
    }
  }
  if (response.content_type != "application/json") return "";
  if (answer.is_discarded()) fuzz::Finding("an answer that is not JSON from " + Describe(text));
  if (answer.is_object() && answer.contains("id") && answer["id"].is_string()) {
    return answer["id"].get<std::string>();
  }
  return "";
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::vector<fuzz::TextRequest> requests =
      fuzz::ReadRequests(fuzz::AsText(data, size), kMaxRequests);
  if (requests.empty()) return 0;
  // A database migrated and holding the shipped catalog, made once; each input starts on a copy.
  static const std::string template_path = [] {
    const std::string path = fuzz::ScratchFolder() + "/template.db";
    Engine{path};
    return path;
  }();
  static const std::string db_path = fuzz::ScratchFolder() + "/api.db";
  for (const char* suffix : {"-wal", "-shm"}) std::filesystem::remove(db_path + suffix);
  std::filesystem::copy_file(template_path, db_path,
                             std::filesystem::copy_options::overwrite_existing);
  Engine engine(db_path);
  std::vector<std::string> ids;
  for (fuzz::TextRequest request : requests) {
    request.path = WithIds(std::move(request.path), ids);
    request.body = WithIds(std::move(request.body), ids);
    ids.push_back(Serve(engine.services, request));
  }
  return 0;
}
