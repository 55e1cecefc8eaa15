// The secret API key that guards every non-public endpoint. RECUR_SECRET_KEY sets it; without
// it the first start generates one ("sk_live_" + 40 base62 characters), hands it back once so
// it can be shown, and stores only its SHA-256. Keys are compared by hash in constant time.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "base/error.h"
#include "store/catalog_store.h"

namespace recur {

struct SecretKeySetup {
  std::string hash;                      // SHA-256 hex of the key in force
  std::optional<std::string> generated;  // the new key, when one was generated just now
};

// `configured` is RECUR_SECRET_KEY when set: it must start with "sk_" and have at least 32
// characters. Otherwise the stored key is used, or one is generated and stored.
Result<SecretKeySetup> SetUpSecretKey(std::optional<std::string_view> configured,
                                      SettingsStore& settings);

bool SecretKeyMatches(std::string_view presented, std::string_view expected_hash);

}  // namespace recur
