// Test clocks over HTTP (billing_api.h):
//   POST /v1/test_clocks {frozen_time, name?}, GET and DELETE /v1/test_clocks/{id},
//   POST /v1/test_clocks/{id}/advance {frozen_time}: runs what falls due before answering.
#include "http/billing_api.h"
#include "http/body_reader.h"

namespace recur {
namespace {

using nlohmann::json;

json TestClockJson(const TestClock& clock) {
  return {{"id", clock.id},
          {"object", "test_clock"},
          {"name", clock.name},
          {"frozen_time", ToUnixMillis(clock.frozen_time)},
          {"status", TestClockStatusName(clock.status)},
          {"created_at", ToUnixMillis(clock.created_at)}};
}

void Answer(httplib::Response& response, const Result<TestClock>& clock) {
  if (clock) {
    SendJson(response, 200, TestClockJson(*clock));
  } else {
    SendError(response, clock.error());
  }
}

// Reads {frozen_time[, name]} from the body.
Result<std::pair<Instant, std::string>> ReadClockBody(const ApiRequest& request, bool with_name) {
  auto body = ParseJsonBody(request.http);
  if (!body) return std::unexpected(body.error());
  BodyReader reader(*body);
  const auto frozen_time = reader.Integer("frozen_time", true, 0, kLatestUnixMillis);
  const std::string name = with_name ? reader.String("name", false, 200).value_or("") : "";
  auto done = with_name ? reader.Finish({"frozen_time", "name"}) : reader.Finish({"frozen_time"});
  if (!done) return std::unexpected(done.error());
  return std::pair{FromUnixMillis(*frozen_time), name};
}

}  // namespace

void AddTestClockRoutes(HttpServer& server, TestClocks& clocks) {
  server.Route("POST", "/v1/test_clocks", Access::kSecretKey,
               [&clocks](const ApiRequest& request, httplib::Response& response) {
                 auto body = ReadClockBody(request, /*with_name=*/true);
                 if (!body) {
                   SendError(response, body.error());
                   return;
                 }
                 Answer(response, clocks.Create(body->first, body->second));
               });
  server.Route("GET", "/v1/test_clocks/{id}", Access::kSecretKey,
               [&clocks](const ApiRequest& request, httplib::Response& response) {
                 Answer(response, clocks.Get(request.params[0]));
               });
  server.Route("DELETE", "/v1/test_clocks/{id}", Access::kSecretKey,
               [&clocks](const ApiRequest& request, httplib::Response& response) {
                 Answer(response, clocks.Delete(request.params[0]));
               });
  server.Route("POST", "/v1/test_clocks/{id}/advance", Access::kSecretKey,
               [&clocks](const ApiRequest& request, httplib::Response& response) {
                 auto body = ReadClockBody(request, /*with_name=*/false);
                 if (!body) {
                   SendError(response, body.error());
                   return;
                 }
                 Answer(response, clocks.Advance(request.params[0], body->first));
               });
}

}  // namespace recur
