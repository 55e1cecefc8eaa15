#include "http/secret_key.h"

#include "base/ids.h"
#include "base/sha256.h"

namespace recur {
namespace {

constexpr std::string_view kHashSetting = "secret_key_sha256";
constexpr std::size_t kMinimumLength = 32;

}  // namespace

Result<SecretKeySetup> SetUpSecretKey(std::optional<std::string_view> configured,
                                      SettingsStore& settings) {
  if (configured) {
    if (configured->substr(0, 3) != "sk_" || configured->size() < kMinimumLength) {
      return MakeError(ErrorKind::kInvalidArgument, "invalid_secret_key",
                       "RECUR_SECRET_KEY must start with \"sk_\" and be at least " +
                           std::to_string(kMinimumLength) + " characters long");
    }
    return SecretKeySetup{Sha256Hex(*configured), std::nullopt};
  }
  auto stored = settings.GetSetting(std::string(kHashSetting));
  if (!stored) return std::unexpected(stored.error());
  if (*stored) return SecretKeySetup{**stored, std::nullopt};
  std::string key = "sk_live_" + RandomBase62(40);
  std::string hash = Sha256Hex(key);
  if (auto put = settings.PutSetting(std::string(kHashSetting), hash); !put) {
    return std::unexpected(put.error());
  }
  return SecretKeySetup{std::move(hash), std::move(key)};
}

bool SecretKeyMatches(std::string_view presented, std::string_view expected_hash) {
  return ConstantTimeEquals(Sha256Hex(presented), expected_hash);
}

}  // namespace recur
