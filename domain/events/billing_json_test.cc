#include "domain/events/billing_json.h"

#include <gtest/gtest.h>

#include <array>
#include <string_view>
#include <vector>

#include "domain/events/plan_json.h"
#include "domain/events/plan_texts.h"

namespace recur::billing_json_test {
namespace {

using nlohmann::json;

template <std::size_t N>
using Fields = std::array<std::string_view, N>;

// Clerk's webhook envelope (WebhookEventPayload): its required fields.
constexpr Fields<4> kRequiredEnvelopeFields = {"object", "type", "timestamp", "instance_id"};
// Clerk's required fields of a subscription item event's payload
// (BillingSubscriptionItemEventPayload), also the shape of the items inside a subscription.
constexpr Fields<12> kRequiredItemFields = {
    "object",       "id",         "status",   "is_free_trial", "created_at", "updated_at",
    "period_start", "period_end", "interval", "plan_id",       "plan",       "subscription_id"};
// Clerk's required fields of the plan inside an item (BillingSubscriptionItemEventPlan, and
// BillingPlan inside a payment attempt's items).
constexpr Fields<6> kRequiredPlanFields = {"id",           "slug",   "name",
                                           "is_recurring", "amount", "currency"};
// Clerk's required fields of the payer object (BillingPayerEventPayload).
constexpr Fields<8> kRequiredPayerFields = {
    "id",    "image_url",       "user_id",           "first_name",
    "email", "organization_id", "organization_name", "last_name"};
// Clerk's required fields of the subscription event payload (SubscriptionEventPayload).
constexpr Fields<14> kRequiredSubscriptionFields = {"object",
                                                    "id",
                                                    "status",
                                                    "active_at",
                                                    "canceled_at",
                                                    "created_at",
                                                    "ended_at",
                                                    "past_due_at",
                                                    "updated_at",
                                                    "latest_payment_id",
                                                    "payer_id",
                                                    "payer",
                                                    "payment_source_id",
                                                    "items"};
// Clerk's required fields of the payment attempt event payload (PaymentAttemptEventPayload).
constexpr Fields<19> kRequiredAttemptFields = {"id",
                                               "instance_id",
                                               "payment_id",
                                               "invoice_id",
                                               "statement_id",
                                               "gateway_external_id",
                                               "status",
                                               "created_at",
                                               "updated_at",
                                               "paid_at",
                                               "failed_at",
                                               "failed_reason",
                                               "billing_date",
                                               "charge_type",
                                               "payee",
                                               "payer",
                                               "totals",
                                               "payment_source",
                                               "subscription_items"};
// Clerk's required fields of an item inside a payment attempt (BillingSubscriptionItem).
constexpr Fields<10> kRequiredAttemptItemFields = {
    "id",           "object",     "status",   "created_at", "updated_at",
    "period_start", "period_end", "interval", "plan_id",    "plan"};
// Clerk's required fields of an amount (BillingAmount).
constexpr Fields<4> kRequiredAmountFields = {"amount", "amount_formatted", "currency",
                                             "currency_symbol"};
// Clerk's required fields of an attempt's totals (BillingTotals).
constexpr Fields<3> kRequiredTotalsFields = {"subtotal", "tax_total", "grand_total"};
// Clerk's required fields of an attempt's payment source (BillingPaymentSource).
constexpr Fields<8> kRequiredPaymentSourceFields = {"id",
                                                    "gateway",
                                                    "gateway_external_id",
                                                    "gateway_external_account_id",
                                                    "payment_method",
                                                    "status",
                                                    "card_type",
                                                    "last4"};
// Clerk's required fields of a proration credit (BillingSubscriptionCredit).
constexpr Fields<4> kRequiredCreditFields = {"amount", "cycle_days_remaining", "cycle_days_total",
                                             "cycle_remaining_percent"};
// Clerk's required fields of a failed attempt's reason (BillingPaymentFailedReason).
constexpr Fields<2> kRequiredFailedReasonFields = {"code", "decline_code"};

// Fixed instants (UTC).
constexpr std::int64_t kPayerCreatedMs = 1714521600000;  // 2024-05-01 00:00
constexpr std::int64_t kT0Ms = 1716883200000;            // 2024-05-28 08:00
constexpr std::int64_t kMidMs = 1718092800000;           // 2024-06-11 08:00
constexpr std::int64_t kNoticeMs = 1719302400000;        // 2024-06-25 08:00
constexpr std::int64_t kT1Ms = 1719561600000;            // 2024-06-28 08:00
constexpr std::int64_t kT2Ms = 1722153600000;            // 2024-07-28 08:00
const Instant kPayerCreated = FromUnixMillis(kPayerCreatedMs);
const Instant kT0 = FromUnixMillis(kT0Ms);
const Instant kMid = FromUnixMillis(kMidMs);
const Instant kNotice = FromUnixMillis(kNoticeMs);
const Instant kT1 = FromUnixMillis(kT1Ms);
const Instant kT2 = FromUnixMillis(kT2Ms);

constexpr std::string_view kInstance = "ins_recur_test";

template <std::size_t N>
void ExpectFields(const json& object, const Fields<N>& fields, std::string_view what) {
  ASSERT_TRUE(object.is_object()) << what << ": " << object.dump();
  for (std::string_view field : fields) {
    EXPECT_TRUE(object.contains(field)) << what << " lacks required \"" << field << "\"";
  }
}

void ExpectAmount(const json& amount, std::string_view what) {
  ExpectFields(amount, kRequiredAmountFields, what);
}

void ExpectPlan(const json& plan, std::string_view what) {
  ExpectFields(plan, kRequiredPlanFields, what);
}

CatalogPlan Plan(std::string slug, std::string name, PayerType type, std::int64_t amount,
                 std::optional<std::int64_t> annual, std::string currency, std::string version,
                 bool is_default = false, int trial_days = 0) {
  CatalogPlan plan;
  plan.definition.slug = std::move(slug);
  plan.definition.name = std::move(name);
  plan.definition.description = plan.definition.name + " plan";
  plan.definition.payer_type = type;
  plan.definition.is_default = is_default;
  plan.definition.amount = amount;
  plan.definition.annual_amount = annual;
  plan.definition.currency = std::move(currency);
  plan.definition.free_trial_days = trial_days;
  plan.current_version_id = std::move(version);
  return plan;
}

PlanVersion Version(std::string id, std::string slug, int version, std::int64_t amount,
                    std::optional<std::int64_t> annual, std::string currency) {
  return {std::move(id), std::move(slug),     version,      amount,
          annual,        std::move(currency), kPayerCreated};
}

Catalog MakeCatalog() {
  CatalogPlan pro =
      Plan("pro", "Pro", PayerType::kUser, 2000, 20000, "USD", "cplan_pro_2", false, 14);
  pro.definition.features = {{"projects", "Projects", "", FeatureLimit::Limited(10)}};
  return Catalog(
      {Plan("free", "Free", PayerType::kUser, 0, std::nullopt, "USD", "cplan_free_1", true),
       Plan("basic", "Basic", PayerType::kUser, 1000, std::nullopt, "USD", "cplan_basic_1"), pro,
       Plan("org_free", "Org Free", PayerType::kOrg, 0, std::nullopt, "EUR", "cplan_org_free_1",
            true),
       Plan("team", "Team", PayerType::kOrg, 5000, std::nullopt, "EUR", "cplan_team_1")},
      {Version("cplan_free_1", "free", 1, 0, std::nullopt, "USD"),
       Version("cplan_basic_1", "basic", 1, 1000, std::nullopt, "USD"),
       Version("cplan_pro_1", "pro", 1, 1500, std::nullopt, "USD"),
       Version("cplan_pro_2", "pro", 2, 2000, 20000, "USD"),
       Version("cplan_org_free_1", "org_free", 1, 0, std::nullopt, "EUR"),
       Version("cplan_team_1", "team", 1, 5000, std::nullopt, "EUR")});
}

Payer UserPayer() {
  Payer payer;
  payer.id = "cpayer_ada";
  payer.external_id = "user_2ada";
  payer.type = PayerType::kUser;
  payer.email = "ada@example.com";
  payer.name = "Ada Lovelace";
  payer.subscription_id = "csub_ada";
  payer.default_payment_method_id = "cpm_visa";
  payer.created_at = kPayerCreated;
  return payer;
}

Payer OrgPayer() {
  Payer payer;
  payer.id = "cpayer_acme";
  payer.external_id = "org_2acme";
  payer.type = PayerType::kOrg;
  payer.email = "billing@acme.test";
  payer.name = "Acme Inc";
  payer.subscription_id = "csub_acme";
  payer.created_at = kPayerCreated;
  return payer;
}

PaymentMethod Visa() {
  return {"cpm_visa", "pm_card_visa", "visa", "4242", 12, 2030, kPayerCreated};
}

SubscriptionItem Item(std::string id, std::string slug, std::string version, ItemStatus status,
                      std::int64_t amount, Instant start, std::optional<Instant> end) {
  SubscriptionItem item;
  item.id = std::move(id);
  item.plan_slug = std::move(slug);
  item.plan_version_id = std::move(version);
  item.status = status;
  item.amount = amount;
  item.currency = "USD";
  item.created_at = start;
  item.anchor = start;
  item.period_start = start;
  item.period_end = end;
  return item;
}

SubscriptionItem ProActive() {
  return Item("csub_item_pro", "pro", "cplan_pro_2", ItemStatus::kActive, 2000, kT0, kT1);
}

SubscriptionItem FreeActive() {
  return Item("csub_item_free", "free", "cplan_free_1", ItemStatus::kActive, 0, kPayerCreated,
              std::nullopt);
}

SubscriptionItem FreeUpcoming() {
  SubscriptionItem item = Item("csub_item_free_next", "free", "cplan_free_1", ItemStatus::kUpcoming,
                               0, kT1, std::nullopt);
  item.created_at = kMid;
  return item;
}

SubscriptionItem ProCanceled() {
  SubscriptionItem item = ProActive();
  item.status = ItemStatus::kCanceled;
  item.canceled_at = kMid;
  return item;
}

SubscriptionItem ProPastDue() {
  SubscriptionItem item =
      Item("csub_item_pro", "pro", "cplan_pro_2", ItemStatus::kPastDue, 2000, kT1, kT2);
  item.created_at = kT0;
  item.anchor = kT0;
  item.past_due_at = kT1;
  return item;
}

SubscriptionItem ProTrial() {
  SubscriptionItem item = ProActive();
  item.id = "csub_item_trial";
  item.is_free_trial = true;
  item.trial_end = kT1;
  return item;
}

PaymentAttempt Attempt(ChargePurpose purpose, AttemptStatus status) {
  PaymentAttempt attempt;
  attempt.id = "cpay_1";
  attempt.item_id = "csub_item_pro";
  attempt.purpose = purpose;
  attempt.status = status;
  attempt.amount = 2000;
  attempt.currency = "USD";
  attempt.payment_method_id = "cpm_visa";
  attempt.period_start = kT1;
  attempt.period_end = kT2;
  attempt.idempotency_key = "csub_item_pro:" + std::to_string(kT1Ms);
  attempt.created_at = kT1;
  attempt.updated_at = kT1;
  return attempt;
}

// A snapshot as the lifecycle would record it for each event type.
BillingEvent RealisticEvent(EventType type) {
  BillingEvent event{type, kMid, std::nullopt, std::nullopt, {}};
  switch (type) {
    case EventType::kSubscriptionCreated:
      event.occurred_at = kPayerCreated;
      event.subscription = {FreeActive()};
      break;
    case EventType::kSubscriptionUpdated:
      event.subscription = {ProCanceled(), FreeUpcoming()};
      break;
    case EventType::kSubscriptionActive:
      event.occurred_at = kT0;
      event.subscription = {ProActive()};
      break;
    case EventType::kSubscriptionPastDue:
      event.occurred_at = kT1;
      event.subscription = {ProPastDue()};
      break;
    case EventType::kItemActive:
      event.occurred_at = kT0;
      event.item = ProActive();
      break;
    case EventType::kItemUpdated: {
      SubscriptionItem renewed = ProActive();
      renewed.period_start = kT1;
      renewed.period_end = kT2;
      event.occurred_at = kT1;
      event.item = renewed;
      break;
    }
    case EventType::kItemCanceled:
      event.item = ProCanceled();
      break;
    case EventType::kItemUpcoming:
      event.item = FreeUpcoming();
      break;
    case EventType::kItemEnded: {
      SubscriptionItem ended = FreeActive();
      ended.status = ItemStatus::kEnded;
      ended.ended_at = kT0;
      event.occurred_at = kT0;
      event.item = ended;
      break;
    }
    case EventType::kItemAbandoned: {
      SubscriptionItem abandoned = Item("csub_item_basic", "basic", "cplan_basic_1",
                                        ItemStatus::kAbandoned, 1000, kT1, std::nullopt);
      abandoned.created_at = kT0;
      event.item = abandoned;
      break;
    }
    case EventType::kItemIncomplete: {
      SubscriptionItem incomplete = ProActive();
      incomplete.status = ItemStatus::kIncomplete;
      event.occurred_at = kT0;
      event.item = incomplete;
      break;
    }
    case EventType::kItemPastDue:
      event.occurred_at = kT1;
      event.item = ProPastDue();
      break;
    case EventType::kItemFreeTrialEnding:
      event.occurred_at = kNotice;
      event.item = ProTrial();
      break;
    case EventType::kPaymentAttemptCreated:
      event.occurred_at = kT1;
      event.attempt = Attempt(ChargePurpose::kRenewal, AttemptStatus::kPending);
      break;
    case EventType::kPaymentAttemptUpdated: {
      PaymentAttempt paid = Attempt(ChargePurpose::kRenewal, AttemptStatus::kPaid);
      paid.gateway_charge_id = "ch_sandbox_1";
      paid.paid_at = kT1 + std::chrono::seconds(2);
      paid.updated_at = *paid.paid_at;
      event.occurred_at = *paid.paid_at;
      event.attempt = paid;
      break;
    }
  }
  return event;
}

class BillingJsonTest : public ::testing::Test {
 protected:
  json Envelope(const BillingEvent& event, const std::vector<SubscriptionItem>& items = {}) {
    return EventEnvelope(event, Context(), items);
  }
  RenderContext Context() const { return {catalog_, payer_, methods_, kInstance}; }

  Catalog catalog_ = MakeCatalog();
  Payer payer_ = UserPayer();
  std::vector<PaymentMethod> methods_ = {Visa()};
};

// (a) Every event type renders Clerk's envelope with every field Clerk requires of its data.

void ExpectItemShape(const json& item, std::string_view what) {
  ExpectFields(item, kRequiredItemFields, what);
  if (!item.value("plan", json()).is_null()) ExpectPlan(item["plan"], what);
  ExpectAmount(item["amount"], what);
}

void ExpectAttemptShape(const json& data) {
  ExpectFields(data, kRequiredAttemptFields, "payment attempt");
  ExpectFields(data["payer"], kRequiredPayerFields, "attempt payer");
  ExpectFields(data["totals"], kRequiredTotalsFields, "attempt totals");
  for (const auto& [name, amount] : data["totals"].items()) ExpectAmount(amount, name);
  ExpectFields(data["payment_source"], kRequiredPaymentSourceFields, "payment source");
  ASSERT_TRUE(data["subscription_items"].is_array());
  for (const json& item : data["subscription_items"]) {
    ExpectFields(item, kRequiredAttemptItemFields, "attempt item");
    ExpectPlan(item["plan"], "attempt item plan");
  }
}

TEST_F(BillingJsonTest, EveryEventTypeHasTheEnvelopeAndTheRequiredDataFields) {
  int rendered = 0;
  for (int i = 0; i < kEventTypeCount; ++i) {
    const auto type = static_cast<EventType>(i);
    SCOPED_TRACE(std::string(EventTypeName(type)));
    const BillingEvent event = RealisticEvent(type);
    const json envelope = Envelope(event, {ProActive()});

    ExpectFields(envelope, kRequiredEnvelopeFields, "envelope");
    EXPECT_EQ(envelope["object"], "event");
    EXPECT_EQ(envelope["type"], EventTypeName(type));
    EXPECT_EQ(envelope["timestamp"], ToUnixMillis(event.occurred_at));
    EXPECT_EQ(envelope["instance_id"], kInstance);
    EXPECT_EQ(envelope["event_attributes"],
              json({{"http_request", {{"client_ip", ""}, {"user_agent", ""}}}}));

    const json& data = envelope["data"];
    if (IsSubscriptionEvent(type)) {
      ExpectFields(data, kRequiredSubscriptionFields, "subscription");
      ExpectFields(data["payer"], kRequiredPayerFields, "subscription payer");
      ASSERT_EQ(data["items"].size(), event.subscription.size());
      for (const json& item : data["items"]) ExpectItemShape(item, "subscription item");
    } else if (IsItemEvent(type)) {
      ExpectItemShape(data, "item");
      ExpectFields(data["payer"], kRequiredPayerFields, "item payer");
      EXPECT_EQ(data["status"], ItemStatusName(event.item->status));
    } else {
      ExpectAttemptShape(data);
      EXPECT_EQ(data["status"], AttemptStatusName(event.attempt->status));
    }
    ++rendered;
  }
  EXPECT_EQ(rendered, 15);
}

// Plans spliced in as texts made once give the very bytes of rendering them in place.
TEST_F(BillingJsonTest, PlanTextsGiveTheBytesOfRenderingThePlansInPlace) {
  const PlanTexts texts(catalog_);
  RenderContext with_texts = Context();
  with_texts.plan_texts = &texts;
  // A payer whose name reads like a placeholder is data, not a place for a plan.
  payer_.name = R"({"$recur_plan":"cplan_pro_2"})";
  for (int i = 0; i < kEventTypeCount; ++i) {
    const auto type = static_cast<EventType>(i);
    SCOPED_TRACE(std::string(EventTypeName(type)));
    const BillingEvent event = RealisticEvent(type);
    const std::string in_place = EventEnvelope(event, Context(), {ProActive()}).dump();
    const json with_placeholders = EventEnvelope(event, with_texts, {ProActive()});
    EXPECT_NE(with_placeholders.dump(), in_place) << "no plan was left to splice in";
    EXPECT_EQ(DumpWithPlans(with_placeholders, texts), in_place);
  }
}

TEST_F(BillingJsonTest, APlaceholderOfAnUnknownPlanIsAnError) {
  const PlanTexts texts(catalog_);
  EXPECT_THROW(DumpWithPlans(json{{"plan", PlanPlaceholder("cplan_unknown")}}, texts),
               std::logic_error);
  EXPECT_EQ(DumpWithPlans(json{{"a", 1}}, texts), R"({"a":1})");
}

TEST_F(BillingJsonTest, TimestampIsMillisecondsNotSeconds) {
  const json envelope = Envelope(RealisticEvent(EventType::kItemActive));
  EXPECT_EQ(envelope["timestamp"], kT0Ms);
  EXPECT_EQ(envelope["data"]["created_at"], kT0Ms);
}

// Clerk's schema types these as strings or objects: a string Recur has no value for is "",
// and what has not happened is null.
TEST_F(BillingJsonTest, RequiredFieldsWithoutAValueInOurModelHaveClerksTypes) {
  const json attempt = Envelope(RealisticEvent(EventType::kPaymentAttemptCreated))["data"];
  EXPECT_EQ(attempt["invoice_id"], "");
  EXPECT_EQ(attempt["gateway_external_id"], "") << "pending: the gateway has given no id yet";
  EXPECT_EQ(attempt["payee"], json({{"id", kInstance},
                                    {"gateway_type", "sandbox"},
                                    {"gateway_external_id", ""},
                                    {"gateway_status", "active"}}));
  EXPECT_EQ(attempt["payment_source"]["gateway"], "sandbox");
  for (std::string_view field : {"paid_at", "failed_at", "failed_reason"}) {
    EXPECT_TRUE(attempt[field].is_null()) << field;
  }
  const json subscription = Envelope(RealisticEvent(EventType::kSubscriptionActive))["data"];
  for (std::string_view field : {"latest_payment_id", "canceled_at", "ended_at", "past_due_at"}) {
    EXPECT_TRUE(subscription[field].is_null()) << field;
  }
  EXPECT_EQ(subscription["payer"]["image_url"], "");
  EXPECT_EQ(Envelope(RealisticEvent(EventType::kItemActive))["data"]["object"],
            "commerce_subscription_item");
}

// (b) Exact values.

TEST_F(BillingJsonTest, MoneyJsonFormatsByCurrency) {
  EXPECT_EQ(MoneyJson(2000, "USD"), json({{"amount", 2000},
                                          {"amount_formatted", "$20.00"},
                                          {"currency", "USD"},
                                          {"currency_symbol", "$"}}));
  EXPECT_EQ(MoneyJson(5000, "EUR")["amount_formatted"], "€50.00");
  EXPECT_EQ(MoneyJson(500, "JPY")["amount_formatted"], "¥500");
  EXPECT_EQ(MoneyJson(0, "USD")["amount_formatted"], "$0.00");
}

TEST_F(BillingJsonTest, ActiveItemExactly) {
  const SubscriptionItem item = ProActive();
  const json rendered = SubscriptionItemJson(item, Context());

  const json expected_plan =
      PlanJson(*catalog_.FindPlan("pro"), *catalog_.FindVersion("cplan_pro_2"));
  EXPECT_EQ(rendered["plan"], expected_plan);
  EXPECT_EQ(rendered["plan"]["id"], "cplan_pro_2");
  EXPECT_EQ(rendered["plan"]["slug"], "pro");
  EXPECT_EQ(rendered["plan"]["amount"], 2000);
  EXPECT_EQ(rendered["plan"]["amount_formatted"], "$20.00");
  EXPECT_EQ(rendered["plan"]["is_recurring"], true);

  json without_plan = rendered;
  without_plan.erase("plan");
  without_plan.erase("payer");
  const json expected = {
      {"object", "subscription_item"},
      {"id", "csub_item_pro"},
      {"status", "active"},
      {"is_free_trial", false},
      {"plan_id", "cplan_pro_2"},
      {"interval", "month"},
      {"plan_period", "month"},
      {"amount",
       {{"amount", 2000},
        {"amount_formatted", "$20.00"},
        {"currency", "USD"},
        {"currency_symbol", "$"}}},
      {"period_start", kT0Ms},
      {"period_end", kT1Ms},
      {"trial_end", nullptr},
      {"canceled_at", nullptr},
      {"ended_at", nullptr},
      {"past_due_at", nullptr},
      {"created_at", kT0Ms},
      {"updated_at", kT0Ms},
      {"payer_id", "cpayer_ada"},
      {"subscription_id", "csub_ada"},
  };
  EXPECT_EQ(without_plan, expected) << without_plan.dump(2);
  EXPECT_EQ(rendered["payer"], PayerJson(payer_));
}

TEST_F(BillingJsonTest, ItemTimestampsAndStatuses) {
  const json canceled = SubscriptionItemJson(ProCanceled(), Context());
  EXPECT_EQ(canceled["status"], "canceled");
  EXPECT_EQ(canceled["canceled_at"], kMidMs);
  EXPECT_EQ(canceled["updated_at"], kMidMs);
  EXPECT_EQ(canceled["period_end"], kT1Ms);

  const json past_due = SubscriptionItemJson(ProPastDue(), Context());
  EXPECT_EQ(past_due["status"], "past_due");
  EXPECT_EQ(past_due["past_due_at"], kT1Ms);

  const json trial = SubscriptionItemJson(ProTrial(), Context());
  EXPECT_EQ(trial["is_free_trial"], true);
  EXPECT_EQ(trial["trial_end"], kT1Ms);

  // A free item has no period end; an upcoming one has not started, so its start is no change.
  const json upcoming = SubscriptionItemJson(FreeUpcoming(), Context());
  EXPECT_EQ(upcoming["status"], "upcoming");
  EXPECT_TRUE(upcoming["period_end"].is_null());
  EXPECT_EQ(upcoming["period_start"], kT1Ms);
  EXPECT_EQ(upcoming["updated_at"], kMidMs);
  EXPECT_EQ(upcoming["plan"]["is_recurring"], false);
  EXPECT_EQ(upcoming["amount"]["amount_formatted"], "$0.00");
}

TEST_F(BillingJsonTest, AnnualItemAndThePriceVersionItBought) {
  SubscriptionItem annual = ProActive();
  annual.interval = BillingInterval::kAnnual;
  annual.amount = 20000;
  const json rendered = SubscriptionItemJson(annual, Context());
  EXPECT_EQ(rendered["interval"], "annual");
  EXPECT_EQ(rendered["plan_period"], "annual");
  EXPECT_EQ(rendered["amount"]["amount_formatted"], "$200.00");

  SubscriptionItem old_price = ProActive();
  old_price.plan_version_id = "cplan_pro_1";
  old_price.amount = 1500;
  const json old = SubscriptionItemJson(old_price, Context());
  EXPECT_EQ(old["plan_id"], "cplan_pro_1");
  EXPECT_EQ(old["plan"]["id"], "cplan_pro_1");
  EXPECT_EQ(old["plan"]["amount_formatted"], "$15.00");

  SubscriptionItem unknown = ProActive();
  unknown.plan_version_id = "cplan_gone";
  const json gone = SubscriptionItemJson(unknown, Context());
  EXPECT_EQ(gone["plan_id"], "cplan_gone");
  EXPECT_TRUE(gone["plan"].is_null());
}

TEST_F(BillingJsonTest, ItemEventStampsTheChangeButATrialNoticeDoesNot) {
  BillingEvent abandoned = RealisticEvent(EventType::kItemAbandoned);
  EXPECT_EQ(SubscriptionItemJson(*abandoned.item, Context())["updated_at"], kT0Ms);
  EXPECT_EQ(Envelope(abandoned)["data"]["updated_at"], kMidMs);

  const json notice = Envelope(RealisticEvent(EventType::kItemFreeTrialEnding));
  EXPECT_EQ(notice["timestamp"], kNoticeMs);
  EXPECT_EQ(notice["data"]["updated_at"], kT0Ms);
  EXPECT_EQ(notice["data"]["is_free_trial"], true);
}

TEST_F(BillingJsonTest, SubscriptionWithCurrentAndUpcomingItems) {
  const json envelope = Envelope(RealisticEvent(EventType::kSubscriptionUpdated));
  EXPECT_EQ(envelope["type"], "subscription.updated");
  EXPECT_EQ(envelope["timestamp"], kMidMs);
  const json& data = envelope["data"];
  EXPECT_EQ(data["object"], "commerce_subscription");
  EXPECT_EQ(data["id"], "csub_ada");
  EXPECT_EQ(data["status"], "active");
  EXPECT_EQ(data["payer_id"], "cpayer_ada");
  EXPECT_EQ(data["payer"], PayerJson(payer_));
  EXPECT_EQ(data["created_at"], kPayerCreatedMs);
  EXPECT_EQ(data["active_at"], kPayerCreatedMs);
  EXPECT_EQ(data["updated_at"], kMidMs);
  EXPECT_TRUE(data["past_due_at"].is_null());
  EXPECT_EQ(data["payment_source_id"], "cpm_visa");

  ASSERT_EQ(data["items"].size(), 2u);
  const json& current = data["items"][0];
  const json& upcoming = data["items"][1];
  EXPECT_EQ(current["id"], "csub_item_pro");
  EXPECT_EQ(current["status"], "canceled");
  EXPECT_EQ(current["canceled_at"], kMidMs);
  EXPECT_EQ(current["plan"]["slug"], "pro");
  EXPECT_EQ(upcoming["id"], "csub_item_free_next");
  EXPECT_EQ(upcoming["status"], "upcoming");
  EXPECT_EQ(upcoming["period_start"], kT1Ms);
  EXPECT_TRUE(upcoming["period_end"].is_null());
  EXPECT_EQ(upcoming["plan"]["slug"], "free");
  for (const json& item : data["items"]) {
    EXPECT_EQ(item["object"], "commerce_subscription_item");
    EXPECT_TRUE(item["subscription_id"].is_null());
    EXPECT_FALSE(item.contains("payer"));
  }
}

TEST_F(BillingJsonTest, PastDueSubscription) {
  const json envelope = Envelope(RealisticEvent(EventType::kSubscriptionPastDue));
  const json& data = envelope["data"];
  EXPECT_EQ(data["status"], "past_due");
  EXPECT_EQ(data["past_due_at"], kT1Ms);
  EXPECT_EQ(data["items"][0]["status"], "past_due");

  payer_.default_payment_method_id.reset();
  EXPECT_TRUE(SubscriptionJson({ProActive()}, Context(), "active")["payment_source_id"].is_null());
}

TEST_F(BillingJsonTest, FailedRenewalAttempt) {
  PaymentAttempt failed = Attempt(ChargePurpose::kRenewal, AttemptStatus::kFailed);
  failed.gateway_charge_id = "ch_sandbox_9";
  failed.failed_code = "insufficient_funds";
  failed.failed_reason = "Your card has insufficient funds.";
  failed.failed_at = kT1 + std::chrono::seconds(3);
  failed.updated_at = *failed.failed_at;
  const BillingEvent event{
      EventType::kPaymentAttemptUpdated, *failed.failed_at, std::nullopt, failed, {}};
  const json envelope = Envelope(event, {FreeActive(), ProActive()});
  EXPECT_EQ(envelope["type"], "paymentAttempt.updated");
  const json& data = envelope["data"];
  EXPECT_EQ(data["id"], "cpay_1");
  EXPECT_EQ(data["payment_id"], "cpay_1");
  EXPECT_EQ(data["instance_id"], kInstance);
  EXPECT_EQ(data["status"], "failed");
  EXPECT_EQ(data["charge_type"], "recurring");
  EXPECT_EQ(data["gateway_external_id"], "ch_sandbox_9");
  EXPECT_EQ(data["created_at"], kT1Ms);
  EXPECT_EQ(data["updated_at"], kT1Ms + 3000);
  EXPECT_EQ(data["failed_at"], kT1Ms + 3000);
  EXPECT_TRUE(data["paid_at"].is_null());
  ExpectFields(data["failed_reason"], kRequiredFailedReasonFields, "failed_reason");
  EXPECT_EQ(data["failed_reason"], json({{"code", "insufficient_funds"},
                                         {"decline_code", "insufficient_funds"},
                                         {"message", "Your card has insufficient funds."}}));
  EXPECT_EQ(data["billing_date"], kT1Ms);
  EXPECT_EQ(data["period_start"], kT1Ms);
  EXPECT_EQ(data["period_end"], kT2Ms);
  EXPECT_EQ(data["totals"]["grand_total"]["amount_formatted"], "$20.00");
  ASSERT_EQ(data["subscription_items"].size(), 1u);
  EXPECT_EQ(data["subscription_items"][0]["id"], "csub_item_pro");
  EXPECT_EQ(data["subscription_items"][0]["subscription_id"], "csub_ada");
  EXPECT_TRUE(data["subscription_items"][0]["credits"].is_null());
  EXPECT_FALSE(data["subscription_items"][0].contains("credit"));
  EXPECT_EQ(data["proration_credit"]["amount"], 0);
}

TEST_F(BillingJsonTest, PaidUpgradeWithProrationCredit) {
  // Basic (1000/month) replaced mid-cycle by Pro: 500 of unused Basic is credited.
  SubscriptionItem pro = ProActive();
  pro.id = "csub_item_upgrade";
  pro.created_at = pro.anchor = pro.period_start = kMid;
  pro.period_end = FromUnixMillis(1720684800000);  // 2024-07-11 08:00
  PaymentAttempt attempt = Attempt(ChargePurpose::kCheckout, AttemptStatus::kPaid);
  attempt.item_id = pro.id;
  attempt.amount = 1500;
  attempt.proration_credit = 500;
  attempt.period_start = kMid;
  attempt.period_end = *pro.period_end;
  attempt.created_at = kMid;
  attempt.paid_at = attempt.updated_at = kMid + std::chrono::seconds(1);
  attempt.gateway_charge_id = "ch_sandbox_2";

  const json data = PaymentAttemptJson(attempt, Context(), &pro);
  ExpectAttemptShape(data);
  EXPECT_EQ(data["status"], "paid");
  EXPECT_EQ(data["charge_type"], "checkout");
  EXPECT_EQ(data["paid_at"], kMidMs + 1000);
  EXPECT_TRUE(data["failed_reason"].is_null());
  EXPECT_EQ(data["amount"], MoneyJson(1500, "USD"));
  EXPECT_EQ(data["currency"], "USD");
  EXPECT_EQ(data["proration_credit"], MoneyJson(500, "USD"));
  EXPECT_EQ(data["totals"], json({{"subtotal", MoneyJson(1500, "USD")},
                                  {"tax_total", MoneyJson(0, "USD")},
                                  {"grand_total", MoneyJson(1500, "USD")}}));
  EXPECT_EQ(data["totals"]["subtotal"]["amount_formatted"], "$15.00");
  EXPECT_EQ(data["payment_source"], json({{"id", "cpm_visa"},
                                          {"gateway", "sandbox"},
                                          {"gateway_external_id", "pm_card_visa"},
                                          {"gateway_external_account_id", nullptr},
                                          {"payment_method", "card"},
                                          {"status", "active"},
                                          {"card_type", "visa"},
                                          {"last4", "4242"}}));

  const json& item = data["subscription_items"][0];
  EXPECT_EQ(item["id"], "csub_item_upgrade");
  EXPECT_EQ(item["object"], "commerce_subscription_item");
  EXPECT_EQ(item["amount"]["amount_formatted"], "$20.00");
  ExpectFields(item["credit"], kRequiredCreditFields, "credit");
  EXPECT_EQ(item["credit"]["amount"], MoneyJson(500, "USD"));
  EXPECT_EQ(item["credit"]["amount"]["amount_formatted"], "$5.00");
  EXPECT_TRUE(item["credit"]["cycle_days_remaining"].is_null()) << "no credited period kept";
  EXPECT_EQ(item["credits"]["proration"], item["credit"]);
  EXPECT_TRUE(item["credits"]["payer"].is_null());
  EXPECT_EQ(item["credits"]["total"], MoneyJson(500, "USD"));
}

TEST_F(BillingJsonTest, AProrationCreditGivesItsCycleFigures) {
  // A 30-day period of which 14.5 days were left when the upgrade was made.
  PaymentAttempt attempt = Attempt(ChargePurpose::kCheckout, AttemptStatus::kPaid);
  attempt.proration_credit = 483;
  attempt.credited_period_start = kT0;
  attempt.credited_period_end = kT0 + std::chrono::days(30);
  attempt.created_at = kT0 + std::chrono::days(15) + std::chrono::hours(12);
  SubscriptionItem item = ProActive();
  item.id = attempt.item_id;
  const json credit =
      PaymentAttemptJson(attempt, Context(), &item)["subscription_items"][0]["credit"];
  EXPECT_EQ(credit["cycle_days_remaining"], 14) << "whole days, rounded down as the credit is";
  EXPECT_EQ(credit["cycle_days_total"], 30);
  EXPECT_NEAR(credit["cycle_remaining_percent"].get<double>(), 100.0 * 14.5 / 30, 1e-9);
  EXPECT_EQ(credit["amount"], MoneyJson(483, "USD"));
}

TEST_F(BillingJsonTest, AttemptWithoutItemOrWithARemovedCard) {
  PaymentAttempt attempt = Attempt(ChargePurpose::kRenewal, AttemptStatus::kPending);
  attempt.payment_method_id = "cpm_removed";
  const BillingEvent event{EventType::kPaymentAttemptCreated, kT1, std::nullopt, attempt, {}};
  const json data = Envelope(event, {FreeActive()})["data"];
  EXPECT_EQ(data["subscription_items"], json::array());
  EXPECT_EQ(data["subscription_item_id"], "csub_item_pro");
  EXPECT_EQ(data["payment_source"]["id"], "cpm_removed");
  EXPECT_EQ(data["payment_source"]["status"], "disconnected");
  EXPECT_TRUE(data["payment_source"]["last4"].is_null());

  attempt.payment_method_id.clear();
  EXPECT_TRUE(PaymentAttemptJson(attempt, Context(), nullptr)["payment_source"].is_null());
}

TEST_F(BillingJsonTest, UserPayerExactly) {
  EXPECT_EQ(PayerJson(payer_), json({{"object", "commerce_payer"},
                                     {"id", "cpayer_ada"},
                                     {"user_id", "user_2ada"},
                                     {"first_name", "Ada"},
                                     {"last_name", "Lovelace"},
                                     {"organization_id", ""},
                                     {"organization_name", ""},
                                     {"email", "ada@example.com"},
                                     {"image_url", ""},
                                     {"created_at", kPayerCreatedMs}}));
}

TEST_F(BillingJsonTest, APayersImageUrlIsTheOneItWasGiven) {
  Payer payer = payer_;
  payer.image_url = "https://img.example.com/u/ada.png";
  EXPECT_EQ(PayerJson(payer)["image_url"], "https://img.example.com/u/ada.png");
  EXPECT_EQ(PayerJson(payer_)["image_url"], "") << "none given";
}

TEST_F(BillingJsonTest, NamesSplitAtTheFirstSpace) {
  struct Case {
    std::string name, first, last;
  };
  for (const Case& c : {Case{"Mary Ann Smith", "Mary", "Ann Smith"}, Case{"Cher", "Cher", ""},
                        Case{"  Grace   Hopper ", "Grace", "Hopper"}, Case{"", "", ""}}) {
    payer_.name = c.name;
    const json payer = PayerJson(payer_);
    EXPECT_EQ(payer["first_name"], c.first) << c.name;
    EXPECT_EQ(payer["last_name"], c.last) << c.name;
  }
}

TEST_F(BillingJsonTest, OrganizationPayer) {
  payer_ = OrgPayer();
  methods_.clear();
  const json payer = PayerJson(payer_);
  ExpectFields(payer, kRequiredPayerFields, "org payer");
  EXPECT_EQ(payer["organization_id"], "org_2acme");
  EXPECT_EQ(payer["organization_name"], "Acme Inc");
  EXPECT_EQ(payer["user_id"], "");
  EXPECT_EQ(payer["first_name"], "");
  EXPECT_EQ(payer["last_name"], "");
  EXPECT_EQ(payer["email"], "billing@acme.test");

  SubscriptionItem team =
      Item("csub_item_team", "team", "cplan_team_1", ItemStatus::kActive, 5000, kT0, kT1);
  team.currency = "EUR";
  const BillingEvent event{EventType::kItemActive, kT0, team, std::nullopt, {}};
  const json data = Envelope(event)["data"];
  EXPECT_EQ(data["payer"]["organization_id"], "org_2acme");
  EXPECT_EQ(data["payer_id"], "cpayer_acme");
  EXPECT_EQ(data["subscription_id"], "csub_acme");
  EXPECT_EQ(data["plan"]["payer_type"], "org");
  EXPECT_EQ(data["amount"]["amount_formatted"], "€50.00");
  EXPECT_EQ(data["amount"]["currency_symbol"], "€");
}

}  // namespace
}  // namespace recur::billing_json_test
