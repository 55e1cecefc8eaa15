// Webhook endpoints over HTTP (billing_api.h): create (the answer shows the secret), list, get,
// update (url, event_types, description, disabled), delete, rotate_secret (shows the new one),
// the attempt log, recover (everything missed since a time) and resend (one event).
#include "http/billing_api.h"
#include "http/body_reader.h"

namespace recur {
namespace {

using nlohmann::json;

json EndpointJson(const WebhookEndpoint& endpoint, bool with_secret) {
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
  if (with_secret) answer["secret"] = endpoint.secret;
  if (endpoint.previous_secret_expires_at) {
    answer["previous_secret_expires_at"] = ToUnixMillis(*endpoint.previous_secret_expires_at);
  }
  answer["failing_since"] =
      endpoint.failing_since ? json(ToUnixMillis(*endpoint.failing_since)) : json(nullptr);
  if (endpoint.deleted_at) answer["deleted"] = true;
  return answer;
}

void Answer(httplib::Response& response, const Result<WebhookEndpoint>& endpoint,
            bool with_secret) {
  if (endpoint) {
    SendJson(response, 200, EndpointJson(*endpoint, with_secret));
  } else {
    SendError(response, endpoint.error());
  }
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

void Create(WebhookEndpoints& endpoints, const ApiRequest& request, httplib::Response& response) {
  auto body = ParseJsonBody(request.http);
  if (!body) {
    SendError(response, body.error());
    return;
  }
  BodyReader reader(*body);
  const std::string url = reader.String("url", true, kMaxWebhookUrlLength).value_or("");
  const std::string description = reader.String("description", false, 500).value_or("");
  Status problem = reader.Finish({"url", "event_types", "description"});
  auto event_types = ReadEventTypes(*body, problem);
  if (!problem) {
    SendError(response, problem.error());
    return;
  }
  Answer(response,
         endpoints.Create(url, event_types.value_or(std::vector<std::string>{}), description),
         /*with_secret=*/true);
}

void Update(WebhookEndpoints& endpoints, const ApiRequest& request, httplib::Response& response) {
  auto body = ParseJsonBody(request.http);
  if (!body) {
    SendError(response, body.error());
    return;
  }
  BodyReader reader(*body);
  WebhookEndpointChanges changes;
  changes.url = reader.String("url", false, kMaxWebhookUrlLength);
  changes.description = reader.String("description", false, 500);
  changes.disabled = reader.Bool("disabled");
  Status problem = reader.Finish({"url", "event_types", "description", "disabled"});
  changes.event_types = ReadEventTypes(*body, problem);
  if (!problem) {
    SendError(response, problem.error());
    return;
  }
  Answer(response, endpoints.Update(request.params[0], changes), /*with_secret=*/false);
}

// Sends again what an endpoint missed: `read` takes its fields from the body (the reader's
// problems answer 400), `queue` queues the deliveries for the endpoint named in the path and
// answers the JSON to send back.
template <typename Read, typename Queue>
void SendAgain(WebhookEndpoints& endpoints, const ApiRequest& request, httplib::Response& response,
               std::initializer_list<std::string_view> fields, Read&& read, Queue&& queue) {
  auto body = ParseJsonBody(request.http);
  if (!body) {
    SendError(response, body.error());
    return;
  }
  BodyReader reader(*body);
  read(reader);
  if (auto problem = reader.Finish(fields); !problem) {
    SendError(response, problem.error());
    return;
  }
  auto endpoint = endpoints.Get(request.params[0]);
  if (!endpoint) {
    SendError(response, endpoint.error());
    return;
  }
  Result<json> answer = queue(*endpoint);
  if (!answer) {
    SendError(response, answer.error());
    return;
  }
  (*answer)["endpoint_id"] = endpoint->id;
  (*answer)["endpoint_disabled"] = endpoint->disabled;
  SendJson(response, 200, *answer);
}

// POST /v1/webhook_endpoints/{id}/recover {since}: everything since then the endpoint has not
// received goes out again.
void Recover(WebhookEndpoints& endpoints, WebhookDeliveryStore& deliveries,
             const ApiRequest& request, httplib::Response& response) {
  std::optional<std::int64_t> since;
  SendAgain(
      endpoints, request, response, {"since"},
      [&](BodyReader& reader) { since = reader.Integer("since", true, 0, kLatestUnixMillis); },
      [&](const WebhookEndpoint& endpoint) -> Result<json> {
        auto queued = deliveries.RecoverDeliveries(endpoint.id, FromUnixMillis(*since));
        if (!queued) return std::unexpected(queued.error());
        return json{{"object", "webhook_recovery"}, {"since", *since}, {"queued", *queued}};
      });
}

// POST /v1/webhook_endpoints/{id}/resend {event_id}: that event once more, delivered or not.
void Resend(WebhookEndpoints& endpoints, WebhookDeliveryStore& deliveries,
            const ApiRequest& request, httplib::Response& response) {
  std::optional<std::string> event_id;
  SendAgain(
      endpoints, request, response, {"event_id"},
      [&](BodyReader& reader) { event_id = reader.String("event_id", true, 100); },
      [&](const WebhookEndpoint& endpoint) -> Result<json> {
        auto webhook_id = deliveries.ResendEvent(endpoint.id, *event_id);
        if (!webhook_id) return std::unexpected(webhook_id.error());
        return json{{"object", "webhook_delivery"},
                    {"webhook_id", *webhook_id},
                    {"event_id", *event_id},
                    {"status", "pending"}};
      });
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
           attempt.next_attempt_at ? json(ToUnixMillis(*attempt.next_attempt_at)) : json(nullptr)}};
}

}  // namespace

void AddWebhookEndpointRoutes(HttpServer& server, WebhookEndpoints& endpoints,
                              WebhookDeliveryStore& deliveries) {
  server.Route("GET", "/v1/webhook_endpoints/{id}/attempts", Access::kSecretKey,
               [&endpoints, &deliveries](const ApiRequest& request, httplib::Response& response) {
                 if (auto found = endpoints.Get(request.params[0]); !found) {
                   SendError(response, found.error());
                   return;
                 }
                 auto attempts = deliveries.ListDeliveryAttempts(request.params[0], 100);
                 if (!attempts) {
                   SendError(response, attempts.error());
                   return;
                 }
                 json data = json::array();
                 for (const DeliveryAttempt& attempt : *attempts)
                   data.push_back(AttemptJson(attempt));
                 SendJson(response, 200,
                          {{"object", "list"}, {"data", std::move(data)}, {"has_more", false}});
               });
  server.Route("POST", "/v1/webhook_endpoints", Access::kSecretKey,
               [&endpoints](const ApiRequest& request, httplib::Response& response) {
                 Create(endpoints, request, response);
               });
  server.Route("GET", "/v1/webhook_endpoints", Access::kSecretKey,
               [&endpoints](const ApiRequest& request, httplib::Response& response) {
                 if (auto known = RejectUnknownQueryParams(request.http, {}); !known) {
                   SendError(response, known.error());
                   return;
                 }
                 auto list = endpoints.List();
                 if (!list) {
                   SendError(response, list.error());
                   return;
                 }
                 json data = json::array();
                 for (const WebhookEndpoint& endpoint : *list) {
                   data.push_back(EndpointJson(endpoint, /*with_secret=*/false));
                 }
                 SendJson(response, 200,
                          {{"object", "list"}, {"data", std::move(data)}, {"has_more", false}});
               });
  server.Route("GET", "/v1/webhook_endpoints/{id}", Access::kSecretKey,
               [&endpoints](const ApiRequest& request, httplib::Response& response) {
                 Answer(response, endpoints.Get(request.params[0]), /*with_secret=*/false);
               });
  server.Route("PATCH", "/v1/webhook_endpoints/{id}", Access::kSecretKey,
               [&endpoints](const ApiRequest& request, httplib::Response& response) {
                 Update(endpoints, request, response);
               });
  server.Route("DELETE", "/v1/webhook_endpoints/{id}", Access::kSecretKey,
               [&endpoints](const ApiRequest& request, httplib::Response& response) {
                 Answer(response, endpoints.Delete(request.params[0]), /*with_secret=*/false);
               });
  server.Route("POST", "/v1/webhook_endpoints/{id}/recover", Access::kSecretKey,
               [&endpoints, &deliveries](const ApiRequest& request, httplib::Response& response) {
                 Recover(endpoints, deliveries, request, response);
               });
  server.Route("POST", "/v1/webhook_endpoints/{id}/resend", Access::kSecretKey,
               [&endpoints, &deliveries](const ApiRequest& request, httplib::Response& response) {
                 Resend(endpoints, deliveries, request, response);
               });
  server.Route("POST", "/v1/webhook_endpoints/{id}/rotate_secret", Access::kSecretKey,
               [&endpoints](const ApiRequest& request, httplib::Response& response) {
                 Answer(response, endpoints.RotateSecret(request.params[0]),
                        /*with_secret=*/true);
               });
}

}  // namespace recur
