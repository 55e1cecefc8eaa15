#include "services/sessions/session_tokens.h"

#include "base/ids.h"
#include "base/sha256.h"

namespace recur {
namespace {

// 43 base62 characters hold 256 bits.
constexpr std::size_t kTokenCharacters = 43;

}  // namespace

std::string NewSessionToken(std::string_view prefix) {
  return std::string(prefix) + RandomBase62(kTokenCharacters);
}

std::string TokenHash(std::string_view token) { return Sha256Hex(token); }

}  // namespace recur
