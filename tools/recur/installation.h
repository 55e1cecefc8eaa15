// What identifies one Recur installation, made on first start and kept in its database: the
// instance id ("ins_...") that event envelopes carry, and the P-256 key that signs entitlement
// tokens (stored as PKCS#8 PEM in the settings table; whoever can read the database can read
// it).
#pragma once

#include <string>

#include "base/error.h"
#include "base/ids.h"
#include "domain/entitlements/signing_key.h"
#include "store/catalog_store.h"

namespace recur {

struct Installation {
  std::string instance_id;
  SigningKey signing_key;
};

Result<Installation> LoadInstallation(SettingsStore& settings, IdGenerator& ids);

}  // namespace recur
