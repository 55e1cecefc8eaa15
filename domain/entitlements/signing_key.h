// The key that signs entitlement tokens: an ES256 (ECDSA P-256, SHA-256) key pair, and compact
// JWS tokens (RFC 7515/7519) signed with it. The key id ("kid") is the key's RFC 7638 JWK
// thumbprint, so it is derived from the public key and never stored separately. Tokens carry
// the header {"alg":"ES256","typ":"JWT","kid":...} and a raw 64-byte R||S signature, all
// base64url without padding, and verify with any JOSE library given Jwks().
// A SigningKey is immutable after creation and safe to share across threads: copies share the
// OpenSSL key and every signature uses its own context. Uses OpenSSL 3 EVP APIs only.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>

#include <openssl/types.h>
#include <nlohmann/json.hpp>

#include "base/error.h"

namespace recur {

class SigningKey {
 public:
  // A new random P-256 key. Fails (kInternal, "signing_key_generation_failed") only if
  // OpenSSL cannot generate keys.
  static Result<SigningKey> Generate();

  // Loads a P-256 private key from PEM: PKCS#8 ("PRIVATE KEY", as PrivatePem() writes it) or
  // SEC1 ("EC PRIVATE KEY"). Anything else, including encrypted keys and other curves, is
  // kInvalidArgument "invalid_signing_key". Never prompts for a passphrase.
  static Result<SigningKey> FromPrivatePem(std::string_view pem);

  // The private key as unencrypted PKCS#8 PEM, for storage. It is a secret.
  std::string PrivatePem() const;

  // The RFC 7638 JWK thumbprint: base64url(SHA-256({"crv":"P-256","kty":"EC","x":..,"y":..})).
  const std::string& kid() const { return kid_; }

  // {"kty":"EC","crv":"P-256","x":..,"y":..,"kid":..,"alg":"ES256","use":"sig"}.
  nlohmann::json PublicJwk() const;

  // A compact JWS of `claims` (a JWT claims set, so a JSON object) signed with this key.
  // Invalid UTF-8 in claim strings is replaced by U+FFFD rather than thrown about.
  std::string SignJwt(const nlohmann::json& claims) const;

  // Copyable and movable; a moved-from key may only be assigned to or destroyed.

 private:
  SigningKey(std::shared_ptr<EVP_PKEY> pkey, std::string x, std::string y, std::string kid);
  static Result<SigningKey> FromPkey(std::shared_ptr<EVP_PKEY> pkey);

  friend Result<nlohmann::json> VerifyJwt(std::string_view token, const SigningKey& key);

  std::shared_ptr<EVP_PKEY> pkey_;
  std::string x_;    // base64url of the 32-byte affine x coordinate
  std::string y_;    // base64url of the 32-byte affine y coordinate
  std::string kid_;  // see kid()
};

// A JWK Set of the keys' public halves: {"keys":[PublicJwk()...]}.
nlohmann::json Jwks(std::span<const SigningKey> keys);

// Checks a compact JWS made by SignJwt: three base64url parts (canonical, unpadded), a 64-byte
// ES256 signature valid under `key`, a header with "alg":"ES256", "kid" equal to key.kid() and
// no "crit", and a payload that is a JSON object, which is returned. The signature is checked
// before either JSON part is parsed. Any failure is kUnauthenticated "invalid_token". Claims
// such as "exp" are the caller's to check.
Result<nlohmann::json> VerifyJwt(std::string_view token, const SigningKey& key);

}  // namespace recur
