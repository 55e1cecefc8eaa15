#include "services/sessions/console_sessions.h"

#include "base/ids.h"
#include "base/sha256.h"
#include "services/sessions/session_tokens.h"

namespace recur {
namespace {

constexpr std::string_view kTokenPrefix = "cs_";
constexpr std::string_view kIdPrefix = "csess_";
constexpr std::size_t kIdCharacters = 16;

// The session's CSRF token: a SHA-256 of its token under a label of its own, so that it differs
// from the hash the store keeps.
std::string CsrfTokenOf(std::string_view token) {
  return "csrf_" + Sha256Hex("recur console csrf token\n" + std::string(token));
}

}  // namespace

Result<NewConsoleSession> ConsoleSessions::SignIn(std::string_view secret_key) {
  if (!key_matches_(secret_key)) {
    return MakeError(ErrorKind::kUnauthenticated, "unauthorized",
                     "the secret key is not valid; sign in with the key recur serve printed on "
                     "its first start, or RECUR_SECRET_KEY",
                     "secret_key");
  }
  const Instant now = clock_.Now();
  NewConsoleSession made{NewSessionToken(kTokenPrefix), {}};
  made.session = {std::string(kIdPrefix) + RandomBase62(kIdCharacters), CsrfTokenOf(made.token),
                  now + ttl_};
  if (auto kept = sessions_.CreateConsoleSession(
          {TokenHash(made.token), made.session.id, now, made.session.expires_at}, now);
      !kept) {
    return std::unexpected(kept.error());
  }
  return made;
}

Result<std::optional<LiveConsoleSession>> ConsoleSessions::Find(std::string_view token) {
  if (!token.starts_with(kTokenPrefix)) return std::optional<LiveConsoleSession>();
  auto session = sessions_.FindConsoleSession(TokenHash(token));
  if (!session) return std::unexpected(session.error());
  if (!*session || clock_.Now() >= (*session)->expires_at) {
    return std::optional<LiveConsoleSession>();
  }
  return std::optional<LiveConsoleSession>(
      LiveConsoleSession{(*session)->id, CsrfTokenOf(token), (*session)->expires_at});
}

Status ConsoleSessions::End(std::string_view token) {
  auto ended = sessions_.EndConsoleSession(TokenHash(token));
  if (!ended) return std::unexpected(ended.error());
  return Ok();
}

}  // namespace recur
