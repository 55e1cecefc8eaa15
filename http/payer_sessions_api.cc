// Minting and revoking payer sessions over HTTP (billing_api.h,
// services/sessions/payer_sessions.h). A new session's answer carries its token, so it is marked
// Cache-Control: no-store: no cache keeps it, nor the Idempotency-Key record (a retry with the key
// mints another session).
#include "http/billing_api.h"
#include "http/body_reader.h"

namespace recur {

Result<ApiResponse> CreatePayerSession(const ApiServices& api, const ApiRequest& request) {
  auto body = ParseJsonBody(request);
  if (!body) return std::unexpected(body.error());
  BodyReader reader(*body);
  const std::int64_t ttl = reader.Integer("ttl_seconds", false, 1, PayerSessions::kMaxTtl.count())
                               .value_or(PayerSessions::kDefaultTtl.count());
  if (auto done = reader.Finish({"ttl_seconds"}); !done) return std::unexpected(done.error());
  const std::string& payer_id = request.path_params[0];
  auto made = api.sessions.Create(payer_id, std::chrono::seconds(ttl));
  if (!made) return std::unexpected(made.error());
  ApiResponse answer = JsonResponse({{"object", "payer_session"},
                                     {"payer_id", payer_id},
                                     {"token", made->token},
                                     {"expires_at", ToUnixMillis(made->expires_at)}});
  answer.headers.emplace_back("Cache-Control", "no-store");
  return answer;
}

Result<ApiResponse> RevokePayerSessions(const ApiServices& api, const ApiRequest& request) {
  const std::string& payer_id = request.path_params[0];
  auto revoked = api.sessions.RevokeAll(payer_id);
  if (!revoked) return std::unexpected(revoked.error());
  return JsonResponse(
      {{"object", "payer_sessions_revoked"}, {"payer_id", payer_id}, {"revoked", *revoked}});
}

}  // namespace recur
