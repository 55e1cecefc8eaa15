// For store tests: a new payer with one event, saved as the billing service saves a transition,
// so that the store makes a delivery of the event for every enabled webhook endpoint whose
// filter takes its type. Ids come from the test's generator. Not thread-safe (the generator).
#pragma once

#include <string>

#include <gtest/gtest.h>

#include "base/clock.h"
#include "base/ids.h"
#include "store/account_store.h"

namespace recur::testing {

inline StoredEvent PublishEvent(AccountStore& accounts, IdGenerator& ids, const std::string& type,
                                Instant at) {
  Account account;
  account.payer.id = ids.NewId("cpayer");
  account.payer.external_id = account.payer.id;
  account.payer.email = "payer@example.com";
  account.payer.subscription_id = ids.NewId("csub");
  account.payer.created_at = at;
  const std::string id = ids.NewId("evt");
  const StoredEvent event{id, type, account.payer.id, at, R"({"id":")" + id + R"("})"};
  EXPECT_TRUE(accounts.SaveTransition(nullptr, account, {event}, {}, {}));
  return event;
}

}  // namespace recur::testing
