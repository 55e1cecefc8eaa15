// For tests: the account of a new payer with nothing but a subscription id, as a keyed request's
// change might store it (AccountStore::SaveTransition from no account). Its external id is the
// one given, so a test can look the payer up by it. Pure.
#pragma once

#include <string>

#include "base/clock.h"
#include "base/ids.h"
#include "domain/subscriptions/account.h"

namespace recur {

inline Account NewPayerAccount(IdGenerator& ids, const std::string& external_id,
                               Instant created_at) {
  Account account;
  account.payer.id = ids.NewId("cpayer");
  account.payer.external_id = external_id;
  account.payer.email = external_id + "@example.com";
  account.payer.subscription_id = ids.NewId("csub");
  account.payer.created_at = created_at;
  return account;
}

}  // namespace recur
