// Webhook endpoints over HTTP (billing_api.h): create (the answer shows the secret), list, get,
// update (url, event_types, description, disabled), delete, rotate_secret (shows the new one),
// the attempt log, recover (everything missed since a time) and resend (one event).
#include "http/billing_api.h"
#include "http/body_reader.h"
#include "http/recovered_answers.h"

namespace recur {
namespace {

using nlohmann::json;

// An endpoint as every answer shows it: without its secret.
json EndpointJson(const WebhookEndpoint& endpoint) {
  json answer = {
      {"id", endpoint.id},
      {"object", "webhook_endpoint"},
      {"url", endpoint.url},
      {"description", endpoint.description},
      {"event_types", endpoint.event_types},
      {"disabled", endpoint.disabled},
      {"disabled_reason", endpoint.disabled ? json(endpoint.disabled_reason) : json(nullptr)},
      {"created_at", ToUnixMillis(endpoint.created_at)},
      {"updated_at", ToUnixMillis(endpoint.updated_at)}};
  if (endpoint.previous_secret_expires_at) {
    answer["previous_secret_expires_at"] = ToUnixMillis(*endpoint.previous_secret_expires_at);
  }
  answer["failing_since"] =
      endpoint.failing_since ? json(ToUnixMillis(*endpoint.failing_since)) : json(nullptr);
  if (endpoint.deleted_at) answer["deleted"] = true;
  return answer;
}

// The answers of creating an endpoint and rotating its secret show the secret too.
json EndpointWithSecretJson(const WebhookEndpoint& endpoint) {
  json answer = EndpointJson(endpoint);
  answer["secret"] = endpoint.secret;
  return answer;
}

// event_types: a list of strings, or absent.
std::optional<std::vector<std::string>> ReadEventTypes(const json& body, Status& problem) {
  auto it = body.find("event_types");
  if (it == body.end() || it->is_null()) return std::nullopt;
  if (!it->is_array() ||
      !std::all_of(it->begin(), it->end(), [](const json& type) { return type.is_string(); })) {
    problem = MakeError(ErrorKind::kInvalidArgument, "invalid_parameter",
                        "event_types must be a list of event type names", "event_types");
    return std::nullopt;
  }
  return it->get<std::vector<std::string>>();
}

// Sends again what an endpoint missed: `read` takes its fields from the body (the reader's
// problems answer 400), `queue` queues the deliveries for the endpoint named in the path and
// answers the JSON to send back.
template <typename Read, typename Queue>
Result<ApiResponse> SendAgain(WebhookEndpoints& endpoints, const ApiRequest& request,
                              std::initializer_list<std::string_view> fields, Read&& read,
                              Queue&& queue) {
  auto body = ParseJsonBody(request);
  if (!body) return std::unexpected(body.error());
  BodyReader reader(*body);
  read(reader);
  if (auto problem = reader.Finish(fields); !problem) return std::unexpected(problem.error());
  auto endpoint = endpoints.Get(request.path_params[0]);
  if (!endpoint) return std::unexpected(endpoint.error());
  Result<json> answer = queue(*endpoint);
  if (!answer) return std::unexpected(answer.error());
  (*answer)["endpoint_id"] = endpoint->id;
  (*answer)["endpoint_disabled"] = endpoint->disabled;
  return JsonResponse(*answer);
}

json AttemptJson(const DeliveryAttempt& attempt) {
  return {{"object", "webhook_attempt"},
          {"webhook_id", attempt.msg_id},
          {"event_id", attempt.event_id},
          {"event_type", attempt.event_type},
          {"attempt", attempt.attempt},
          {"attempted_at", ToUnixMillis(attempt.attempted_at)},
          {"http_status", attempt.http_status ? json(*attempt.http_status) : json(nullptr)},
          {"error", attempt.error.empty() ? json(nullptr) : json(attempt.error)},
          {"latency_ms", attempt.latency_ms},
          {"response_body", attempt.response_body},
          {"next_attempt_at",
           attempt.next_attempt_at ? json(ToUnixMillis(*attempt.next_attempt_at)) : json(nullptr)},
          {"superseded", attempt.superseded}};
}

}  // namespace

Result<ApiResponse> ListWebhookAttempts(const ApiServices& api, const ApiRequest& request) {
  const std::string& id = request.path_params[0];
  if (auto found = api.webhook_endpoints.Get(id); !found) return std::unexpected(found.error());
  auto attempts = api.webhook_deliveries.ListDeliveryAttempts(id, 100);
  if (!attempts) return std::unexpected(attempts.error());
  json data = json::array();
  for (const DeliveryAttempt& attempt : *attempts) data.push_back(AttemptJson(attempt));
  return JsonResponse(ListJson(std::move(data), /*has_more=*/false));
}

Result<ApiResponse> CreateWebhookEndpoint(const ApiServices& api, const ApiRequest& request) {
  auto body = ParseJsonBody(request);
  if (!body) return std::unexpected(body.error());
  BodyReader reader(*body);
  const std::string url = reader.String("url", true, kMaxWebhookUrlLength).value_or("");
  const std::string description = reader.String("description", false, 500).value_or("");
  Status problem = reader.Finish({"url", "event_types", "description"});
  auto event_types = ReadEventTypes(*body, problem);
  if (!problem) return std::unexpected(problem.error());
  return AnswerJson(api.webhook_endpoints.Create(
                        url, event_types.value_or(std::vector<std::string>{}), description),
                    EndpointWithSecretJson);
}

Result<ApiResponse> ListWebhookEndpoints(const ApiServices& api, const ApiRequest& request) {
  if (auto known = RejectUnknownQueryParams(request, {}); !known) {
    return std::unexpected(known.error());
  }
  auto list = api.webhook_endpoints.List();
  if (!list) return std::unexpected(list.error());
  json data = json::array();
  for (const WebhookEndpoint& endpoint : *list) {
    data.push_back(EndpointJson(endpoint));
  }
  return JsonResponse(ListJson(std::move(data), /*has_more=*/false));
}

Result<ApiResponse> GetWebhookEndpoint(const ApiServices& api, const ApiRequest& request) {
  return AnswerJson(api.webhook_endpoints.Get(request.path_params[0]), EndpointJson);
}

Result<ApiResponse> UpdateWebhookEndpoint(const ApiServices& api, const ApiRequest& request) {
  auto body = ParseJsonBody(request);
  if (!body) return std::unexpected(body.error());
  BodyReader reader(*body);
  WebhookEndpointChanges changes;
  changes.url = reader.String("url", false, kMaxWebhookUrlLength);
  changes.description = reader.String("description", false, 500);
  changes.disabled = reader.Bool("disabled");
  Status problem = reader.Finish({"url", "event_types", "description", "disabled"});
  changes.event_types = ReadEventTypes(*body, problem);
  if (!problem) return std::unexpected(problem.error());
  return AnswerJson(api.webhook_endpoints.Update(request.path_params[0], changes), EndpointJson);
}

Result<ApiResponse> DeleteWebhookEndpoint(const ApiServices& api, const ApiRequest& request) {
  return AnswerJson(api.webhook_endpoints.Delete(request.path_params[0]), EndpointJson);
}

// POST /v1/webhook_endpoints/{id}/recover {since}: everything since then the endpoint has not
// received goes out again.
Result<ApiResponse> RecoverWebhooks(const ApiServices& api, const ApiRequest& request) {
  std::optional<std::int64_t> since;
  return SendAgain(
      api.webhook_endpoints, request, {"since"},
      [&](BodyReader& reader) { since = reader.Integer("since", true, 0, kLatestUnixMillis); },
      [&](const WebhookEndpoint& endpoint) -> Result<json> {
        auto queued = api.webhook_deliveries.RecoverDeliveries(endpoint.id, FromUnixMillis(*since));
        if (!queued) return std::unexpected(queued.error());
        return json{{"object", "webhook_recovery"}, {"since", *since}, {"queued", *queued}};
      });
}

// POST /v1/webhook_endpoints/{id}/resend {event_id}: that event once more, delivered or not.
Result<ApiResponse> ResendWebhook(const ApiServices& api, const ApiRequest& request) {
  std::optional<std::string> event_id;
  return SendAgain(
      api.webhook_endpoints, request, {"event_id"},
      [&](BodyReader& reader) { event_id = reader.String("event_id", true, 100); },
      [&](const WebhookEndpoint& endpoint) -> Result<json> {
        auto webhook_id = api.webhook_deliveries.ResendEvent(endpoint.id, *event_id);
        if (!webhook_id) return std::unexpected(webhook_id.error());
        return json{{"object", "webhook_delivery"},
                    {"webhook_id", *webhook_id},
                    {"event_id", *event_id},
                    {"status", "pending"}};
      });
}

// The answer shows the new secret.
Result<ApiResponse> RotateWebhookSecret(const ApiServices& api, const ApiRequest& request) {
  return AnswerJson(api.webhook_endpoints.RotateSecret(request.path_params[0]),
                    EndpointWithSecretJson);
}

Result<ApiResponse> RecoverWebhookEndpointWithSecret(const ApiServices& api, const ApiRequest&,
                                                     std::string_view made) {
  return AnswerJson(api.webhook_endpoints.Get(std::string(made)), EndpointWithSecretJson);
}

}  // namespace recur
