// The bearer tokens of sessions (payer_sessions.h, console_sessions.h): a prefix that says which
// kind of session a token is, then 43 base62 characters (256 bits from OpenSSL's RNG). A token
// is handed back once and kept only as its SHA-256 (TokenHash), by which a presented token is
// found, so that no comparison of secrets runs on the token itself. Thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace recur {

// A new token: `prefix` and 43 random base62 characters.
std::string NewSessionToken(std::string_view prefix);

// What a store keeps of `token`: its SHA-256, in hex.
std::string TokenHash(std::string_view token);

}  // namespace recur
