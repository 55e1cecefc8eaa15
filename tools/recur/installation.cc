#include "tools/recur/installation.h"

namespace recur {
namespace {

// The stored value of `key`, or `make()`'s, stored now.
template <typename Make>
Result<std::string> GetOrCreate(SettingsStore& settings, const std::string& key, Make make) {
  auto stored = settings.GetSetting(key);
  if (!stored) return std::unexpected(stored.error());
  if (*stored) return **stored;
  auto made = make();
  if (!made) return std::unexpected(made.error());
  if (auto put = settings.PutSetting(key, *made); !put) return std::unexpected(put.error());
  return *made;
}

}  // namespace

Result<Installation> LoadInstallation(SettingsStore& settings, IdGenerator& ids) {
  auto instance_id = GetOrCreate(settings, "instance_id",
                                 [&]() -> Result<std::string> { return ids.NewId("ins"); });
  if (!instance_id) return std::unexpected(instance_id.error());
  auto pem = GetOrCreate(settings, "entitlement_signing_key_pem", []() -> Result<std::string> {
    auto key = SigningKey::Generate();
    if (!key) return std::unexpected(key.error());
    return key->PrivatePem();
  });
  if (!pem) return std::unexpected(pem.error());
  auto key = SigningKey::FromPrivatePem(*pem);
  if (!key) return std::unexpected(key.error());
  return Installation{std::move(*instance_id), std::move(*key)};
}

}  // namespace recur
