#include "services/sessions/payer_sessions.h"

#include "services/billing/not_found.h"
#include "services/sessions/session_tokens.h"

namespace recur {
namespace {

constexpr std::string_view kTokenPrefix = "ps_";

}  // namespace

Status PayerSessions::RequirePayer(const std::string& payer_id) {
  auto account = accounts_.LoadAccount(payer_id);
  if (!account) return std::unexpected(account.error());
  if (!*account) return std::unexpected(PayerNotFound(payer_id));
  return Ok();
}

Result<NewPayerSession> PayerSessions::Create(const std::string& payer_id,
                                              std::chrono::seconds ttl) {
  if (ttl < std::chrono::seconds(1) || ttl > kMaxTtl) {
    return MakeError(ErrorKind::kInvalidArgument, "invalid_parameter",
                     "ttl_seconds must be from 1 to " + std::to_string(kMaxTtl.count()) +
                         " (a day); it was " + std::to_string(ttl.count()),
                     "ttl_seconds");
  }
  if (auto found = RequirePayer(payer_id); !found) return std::unexpected(found.error());
  const Instant now = clock_.Now();
  NewPayerSession made{NewSessionToken(kTokenPrefix), now + ttl};
  if (auto kept = sessions_.CreatePayerSession(
          {TokenHash(made.token), payer_id, now, made.expires_at}, now);
      !kept) {
    return std::unexpected(kept.error());
  }
  return made;
}

Result<int> PayerSessions::RevokeAll(const std::string& payer_id) {
  if (auto found = RequirePayer(payer_id); !found) return std::unexpected(found.error());
  return sessions_.RevokePayerSessions(payer_id);
}

Result<std::optional<std::string>> PayerSessions::PayerOf(std::string_view token) {
  if (!token.starts_with(kTokenPrefix)) return std::optional<std::string>();
  auto session = sessions_.FindPayerSession(TokenHash(token));
  if (!session) return std::unexpected(session.error());
  if (!*session || clock_.Now() >= (*session)->expires_at) return std::optional<std::string>();
  return std::optional<std::string>((*session)->payer_id);
}

}  // namespace recur
