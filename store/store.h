// A whole store: every contract of store/ in one object, so that a program holds "the store"
// the same way whichever backend it opened (SqliteStore, PostgresStore) and hands each part of
// the engine the interface it needs. Adds nothing to the contracts it joins; each header says
// what its part guarantees. Implementations are safe to call from any thread.
#pragma once

#include "store/account_store.h"
#include "store/catalog_store.h"
#include "store/console_session_store.h"
#include "store/gateway_event_store.h"
#include "store/idempotency_store.h"
#include "store/payer_session_store.h"
#include "store/report_store.h"
#include "store/test_clock_store.h"
#include "store/webhook_delivery_store.h"
#include "store/webhook_endpoint_store.h"

namespace recur {

class Store : public CatalogStore,
              public SettingsStore,
              public AccountStore,
              public IdempotencyStore,
              public PayerSessionStore,
              public ConsoleSessionStore,
              public TestClockStore,
              public WebhookEndpointStore,
              public WebhookDeliveryStore,
              public GatewayEventStore,
              public ReportStore {};

}  // namespace recur
