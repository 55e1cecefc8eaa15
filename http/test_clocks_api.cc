// Test clocks over HTTP (billing_api.h): create {frozen_time, name?}, list, get, delete, and
// advance {frozen_time}.
#include "http/billing_api.h"
#include "http/body_reader.h"
#include "http/list_params.h"
#include "http/recovered_answers.h"

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

// Reads {frozen_time[, name]} from the body.
Result<std::pair<Instant, std::string>> ReadClockBody(const ApiRequest& request, bool with_name) {
  auto body = ParseJsonBody(request);
  if (!body) return std::unexpected(body.error());
  BodyReader reader(*body);
  const auto frozen_time = reader.Integer("frozen_time", true, 0, kLatestUnixMillis);
  const std::string name = with_name ? reader.String("name", false, 200).value_or("") : "";
  auto done = with_name ? reader.Finish({"frozen_time", "name"}) : reader.Finish({"frozen_time"});
  if (!done) return std::unexpected(done.error());
  return std::pair{FromUnixMillis(*frozen_time), name};
}

}  // namespace

Result<ApiResponse> CreateTestClock(const ApiServices& api, const ApiRequest& request) {
  auto body = ReadClockBody(request, /*with_name=*/true);
  if (!body) return std::unexpected(body.error());
  return AnswerJson(api.test_clocks.Create(body->first, body->second), TestClockJson);
}

Result<ApiResponse> ListTestClocks(const ApiServices& api, const ApiRequest& request) {
  if (auto known = RejectUnknownQueryParams(request, {"limit", "starting_after"}); !known) {
    return std::unexpected(known.error());
  }
  auto options = ReadListOptions(request);
  if (!options) return std::unexpected(options.error());
  auto page = api.test_clocks.List(*options);
  if (!page) return std::unexpected(page.error());
  json data = json::array();
  for (const TestClock& clock : page->data) data.push_back(TestClockJson(clock));
  return JsonResponse(ListJson(std::move(data), page->has_more));
}

Result<ApiResponse> GetTestClock(const ApiServices& api, const ApiRequest& request) {
  return AnswerJson(api.test_clocks.Get(request.path_params[0]), TestClockJson);
}

Result<ApiResponse> DeleteTestClock(const ApiServices& api, const ApiRequest& request) {
  return AnswerJson(api.test_clocks.Delete(request.path_params[0]), TestClockJson);
}

// Runs what falls due before answering.
Result<ApiResponse> AdvanceTestClock(const ApiServices& api, const ApiRequest& request) {
  auto body = ReadClockBody(request, /*with_name=*/false);
  if (!body) return std::unexpected(body.error());
  return AnswerJson(api.test_clocks.Advance(request.path_params[0], body->first), TestClockJson);
}

Result<ApiResponse> RecoverCreateTestClock(const ApiServices& api, const ApiRequest&,
                                           std::string_view made) {
  return AnswerJson(api.test_clocks.Get(std::string(made)), TestClockJson);
}

}  // namespace recur
