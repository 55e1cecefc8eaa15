// SqliteStore's AccountStore half: accounts, the event outbox, due work and listings.
#include <SQLiteCpp/Statement.h>
#include <SQLiteCpp/Transaction.h>

#include <sqlite3.h>

#include <algorithm>
#include <unordered_map>

#include "store/sqlite/row_writes.h"
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/sqlite_values.h"
#include "store/sqlite/statement_cache.h"
#include "store/sqlite/webhook_sql.h"

namespace recur {
namespace {

template <typename T>
T Require(std::optional<T> value, std::string_view what) {
  if (!value) throw std::runtime_error("unreadable " + std::string(what) + " in the database");
  return *value;
}

constexpr const char* kItemColumns =
    "id, plan_slug, plan_version_id, interval, status, is_free_trial, amount, currency, "
    "created_at, anchor, period_start, period_end, trial_end, canceled_at, ended_at, "
    "past_due_at, dunning_retries";

SubscriptionItem ReadItem(SQLite::Statement& row) {
  SubscriptionItem item;
  item.id = row.getColumn(0).getString();
  item.plan_slug = row.getColumn(1).getString();
  item.plan_version_id = row.getColumn(2).getString();
  item.interval = Require(ParseInterval(row.getColumn(3).getString()), "interval");
  item.status = Require(ParseItemStatus(row.getColumn(4).getString()), "item status");
  item.is_free_trial = row.getColumn(5).getInt() != 0;
  item.amount = row.getColumn(6).getInt64();
  item.currency = row.getColumn(7).getString();
  item.created_at = InstantOf(row.getColumn(8));
  item.anchor = InstantOf(row.getColumn(9));
  item.period_start = InstantOf(row.getColumn(10));
  item.period_end = OptionalInstant(row.getColumn(11));
  item.trial_end = OptionalInstant(row.getColumn(12));
  item.canceled_at = OptionalInstant(row.getColumn(13));
  item.ended_at = OptionalInstant(row.getColumn(14));
  item.past_due_at = OptionalInstant(row.getColumn(15));
  item.dunning_retries = row.getColumn(16).getInt();
  return item;
}

constexpr const char* kAttemptColumns =
    "id, item_id, purpose, status, amount, currency, proration_credit, payment_method_id, "
    "period_start, period_end, idempotency_key, gateway_charge_id, failed_reason, created_at, "
    "updated_at, paid_at, failed_at, failed_code";

PaymentAttempt ReadAttempt(SQLite::Statement& row) {
  PaymentAttempt attempt;
  attempt.id = row.getColumn(0).getString();
  attempt.item_id = row.getColumn(1).getString();
  attempt.purpose = Require(ParseChargePurpose(row.getColumn(2).getString()), "charge purpose");
  attempt.status = Require(ParseAttemptStatus(row.getColumn(3).getString()), "attempt status");
  attempt.amount = row.getColumn(4).getInt64();
  attempt.currency = row.getColumn(5).getString();
  attempt.proration_credit = row.getColumn(6).getInt64();
  attempt.payment_method_id = row.getColumn(7).getString();
  attempt.period_start = InstantOf(row.getColumn(8));
  attempt.period_end = InstantOf(row.getColumn(9));
  attempt.idempotency_key = row.getColumn(10).getString();
  attempt.gateway_charge_id = row.getColumn(11).getString();
  attempt.failed_reason = row.getColumn(12).getString();
  attempt.created_at = InstantOf(row.getColumn(13));
  attempt.updated_at = InstantOf(row.getColumn(14));
  attempt.paid_at = OptionalInstant(row.getColumn(15));
  attempt.failed_at = OptionalInstant(row.getColumn(16));
  attempt.failed_code = row.getColumn(17).getString();
  return attempt;
}

std::vector<Column> ItemColumns(const std::string& payer_id, const SubscriptionItem& item) {
  return {{"payer_id", payer_id},
          {"plan_slug", item.plan_slug},
          {"plan_version_id", item.plan_version_id},
          {"interval", std::string(IntervalName(item.interval))},
          {"status", std::string(ItemStatusName(item.status))},
          {"is_free_trial", std::int64_t{item.is_free_trial ? 1 : 0}},
          {"amount", item.amount},
          {"currency", item.currency},
          {"created_at", MillisValue(item.created_at)},
          {"anchor", MillisValue(item.anchor)},
          {"period_start", MillisValue(item.period_start)},
          {"period_end", MillisValue(item.period_end)},
          {"trial_end", MillisValue(item.trial_end)},
          {"canceled_at", MillisValue(item.canceled_at)},
          {"ended_at", MillisValue(item.ended_at)},
          {"past_due_at", MillisValue(item.past_due_at)},
          {"dunning_retries", std::int64_t{item.dunning_retries}}};
}

std::vector<Column> AttemptColumns(const std::string& payer_id, const PaymentAttempt& attempt) {
  return {{"payer_id", payer_id},
          {"item_id", attempt.item_id},
          {"purpose", std::string(ChargePurposeName(attempt.purpose))},
          {"status", std::string(AttemptStatusName(attempt.status))},
          {"amount", attempt.amount},
          {"currency", attempt.currency},
          {"proration_credit", attempt.proration_credit},
          {"payment_method_id", attempt.payment_method_id},
          {"period_start", MillisValue(attempt.period_start)},
          {"period_end", MillisValue(attempt.period_end)},
          {"idempotency_key", attempt.idempotency_key},
          {"gateway_charge_id", attempt.gateway_charge_id},
          {"failed_reason", attempt.failed_reason},
          {"created_at", MillisValue(attempt.created_at)},
          {"updated_at", MillisValue(attempt.updated_at)},
          {"paid_at", MillisValue(attempt.paid_at)},
          {"failed_at", MillisValue(attempt.failed_at)},
          {"failed_code", attempt.failed_code}};
}

void WritePayer(SQLite::Database& db, const Payer& payer, const Payer* before) {
  if (before == nullptr) {
    StatementLease insert_lease =
        Prepared(db,
                 "INSERT INTO payers (id, external_id, type, email, name, "
                 "test_clock_id, subscription_id, trial_used, has_paid, "
                 "default_payment_method_id, created_at, version) "
                 "VALUES (?,?,?,?,?,?,?,?,?,?,?,1)");
    SQLite::Statement& insert = *insert_lease;
    insert.bind(1, payer.id);
    insert.bind(2, payer.external_id);
    insert.bind(3, std::string(PayerTypeName(payer.type)));
    insert.bind(4, payer.email);
    insert.bind(5, payer.name);
    if (payer.test_clock_id)
      insert.bind(6, *payer.test_clock_id);
    else
      insert.bind(6);
    insert.bind(7, payer.subscription_id);
    insert.bind(8, payer.trial_used ? 1 : 0);
    insert.bind(9, payer.has_paid ? 1 : 0);
    if (payer.default_payment_method_id) {
      insert.bind(10, *payer.default_payment_method_id);
    } else {
      insert.bind(10);
    }
    BindInstant(insert, 11, payer.created_at);
    insert.exec();
    return;
  }
  StatementLease update_lease =
      Prepared(db,
               "UPDATE payers SET email = ?, name = ?, trial_used = ?, has_paid = ?, "
               "default_payment_method_id = ?, version = version + 1 "
               "WHERE id = ? AND version = ?");
  SQLite::Statement& update = *update_lease;
  update.bind(1, payer.email);
  update.bind(2, payer.name);
  update.bind(3, payer.trial_used ? 1 : 0);
  update.bind(4, payer.has_paid ? 1 : 0);
  if (payer.default_payment_method_id) {
    update.bind(5, *payer.default_payment_method_id);
  } else {
    update.bind(5);
  }
  update.bind(6, payer.id);
  update.bind(7, before->version);
  if (update.exec() != 1) throw std::logic_error("concurrent change");
}

// Items leaving a unique status (current, upcoming) are written before items entering one.
bool LeavesUniqueStatus(const SubscriptionItem& item) {
  return item.status == ItemStatus::kEnded || item.status == ItemStatus::kAbandoned ||
         item.status == ItemStatus::kIncomplete;
}

template <typename T>
const T* FindById(const std::vector<T>& list, const std::string& id) {
  auto it = std::find_if(list.begin(), list.end(), [&](const T& x) { return x.id == id; });
  return it == list.end() ? nullptr : &*it;
}

int ClampLimit(int limit) { return std::clamp(limit, 1, 100); }

struct WorkAlreadyDone : std::exception {
  explicit WorkAlreadyDone(std::int64_t id) : work_id(id) {}
  std::int64_t work_id;
};

bool StartingAfterExists(SQLite::Database& db, const std::string& table, const std::string& id) {
  StatementLease query_lease = Prepared(db, "SELECT 1 FROM " + table + " WHERE id = ?");
  SQLite::Statement& query = *query_lease;
  query.bind(1, id);
  return query.executeStep();
}

// A cursor that names nothing would otherwise read as the end of the list.
std::unexpected<Error> UnknownStartingAfter(const std::string& id) {
  return MakeError(ErrorKind::kInvalidArgument, "invalid_parameter",
                   "starting_after " + id + " names no element of this list", "starting_after");
}

}  // namespace

Result<std::optional<Account>> SqliteStore::LoadAccount(const std::string& payer_id) {
  try {
    return connections_->Read([&](SQLite::Database& db) -> Result<std::optional<Account>> {
      StatementLease payer_row_lease =
          Prepared(db,
                   "SELECT id, external_id, type, email, name, test_clock_id, "
                   "subscription_id, trial_used, has_paid, "
                   "default_payment_method_id, created_at, version "
                   "FROM payers WHERE id = ?");
      SQLite::Statement& payer_row = *payer_row_lease;
      payer_row.bind(1, payer_id);
      if (!payer_row.executeStep()) return std::optional<Account>();
      Account account;
      Payer& payer = account.payer;
      payer.id = payer_row.getColumn(0).getString();
      payer.external_id = payer_row.getColumn(1).getString();
      payer.type = Require(ParsePayerType(payer_row.getColumn(2).getString()), "payer type");
      payer.email = payer_row.getColumn(3).getString();
      payer.name = payer_row.getColumn(4).getString();
      payer.test_clock_id = OptionalText(payer_row.getColumn(5));
      payer.subscription_id = payer_row.getColumn(6).getString();
      payer.trial_used = payer_row.getColumn(7).getInt() != 0;
      payer.has_paid = payer_row.getColumn(8).getInt() != 0;
      payer.default_payment_method_id = OptionalText(payer_row.getColumn(9));
      payer.created_at = InstantOf(payer_row.getColumn(10));
      payer.version = payer_row.getColumn(11).getInt64();

      StatementLease methods_lease =
          Prepared(db,
                   "SELECT id, token, brand, last4, exp_month, exp_year, created_at "
                   "FROM payment_methods WHERE payer_id = ? ORDER BY created_at, id");
      SQLite::Statement& methods = *methods_lease;
      methods.bind(1, payer_id);
      while (methods.executeStep()) {
        account.payment_methods.push_back(
            {methods.getColumn(0).getString(), methods.getColumn(1).getString(),
             methods.getColumn(2).getString(), methods.getColumn(3).getString(),
             methods.getColumn(4).getInt(), methods.getColumn(5).getInt(),
             InstantOf(methods.getColumn(6))});
      }
      StatementLease items_lease = Prepared(db, std::string("SELECT ") + kItemColumns +
                                                    " FROM subscription_items WHERE payer_id = ? "
                                                    "ORDER BY created_at, rowid");
      SQLite::Statement& items = *items_lease;
      items.bind(1, payer_id);
      while (items.executeStep()) account.items.push_back(ReadItem(items));
      StatementLease attempts_lease =
          Prepared(db, std::string("SELECT ") + kAttemptColumns +
                           " FROM payment_attempts WHERE payer_id = ? AND "
                           "status = 'pending' ORDER BY created_at, rowid");
      SQLite::Statement& attempts = *attempts_lease;
      attempts.bind(1, payer_id);
      while (attempts.executeStep()) account.attempts.push_back(ReadAttempt(attempts));
      return std::optional<Account>(std::move(account));
    });
  } catch (const std::exception& error) {
    return std::unexpected(StorageFailure("loading payer " + payer_id, error));
  }
}

Result<std::optional<std::string>> SqliteStore::FindPayerId(PayerType type,
                                                            const std::string& external_id) {
  try {
    return connections_->Read([&](SQLite::Database& db) -> Result<std::optional<std::string>> {
      StatementLease query_lease =
          Prepared(db, "SELECT id FROM payers WHERE type = ? AND external_id = ?");
      SQLite::Statement& query = *query_lease;
      query.bind(1, std::string(PayerTypeName(type)));
      query.bind(2, external_id);
      if (!query.executeStep()) return std::optional<std::string>();
      return std::optional<std::string>(query.getColumn(0).getString());
    });
  } catch (const std::exception& error) {
    return std::unexpected(StorageFailure("looking up a payer", error));
  }
}

Result<std::optional<std::string>> SqliteStore::FindPayerIdOfItem(const std::string& item_id) {
  try {
    return connections_->Read([&](SQLite::Database& db) -> Result<std::optional<std::string>> {
      StatementLease query_lease =
          Prepared(db, "SELECT payer_id FROM subscription_items WHERE id = ?");
      SQLite::Statement& query = *query_lease;
      query.bind(1, item_id);
      if (!query.executeStep()) return std::optional<std::string>();
      return std::optional<std::string>(query.getColumn(0).getString());
    });
  } catch (const std::exception& error) {
    return std::unexpected(StorageFailure("looking up an item", error));
  }
}

Status SqliteStore::SaveTransition(const Account* before, const Account& after,
                                   const std::vector<StoredEvent>& events,
                                   const std::vector<DueWork>& scheduled,
                                   const std::vector<std::int64_t>& completes_work) {
  // Compressed here, on the caller's thread, so that the one writer does not.
  auto bodies = event_bodies_->Encode(events);
  if (!bodies) return std::unexpected(bodies.error());
  return connections_->Write([&](SQLite::Database& db) -> Status {
    try {
      const std::string& payer_id = after.payer.id;
      WritePayer(db, after.payer, before == nullptr ? nullptr : &before->payer);
      for (const PaymentMethod& method : after.payment_methods) {
        if (before != nullptr && FindById(before->payment_methods, method.id) != nullptr) continue;
        StatementLease insert_lease =
            Prepared(db,
                     "INSERT INTO payment_methods (id, payer_id, token, brand, last4, "
                     "exp_month, exp_year, created_at) VALUES (?,?,?,?,?,?,?,?)");
        SQLite::Statement& insert = *insert_lease;
        insert.bind(1, method.id);
        insert.bind(2, payer_id);
        insert.bind(3, method.token);
        insert.bind(4, method.brand);
        insert.bind(5, method.last4);
        insert.bind(6, method.exp_month);
        insert.bind(7, method.exp_year);
        BindInstant(insert, 8, method.created_at);
        insert.exec();
      }
      struct ChangedItem {
        const SubscriptionItem* item;
        const SubscriptionItem* old;  // null for a new item
      };
      std::vector<ChangedItem> changed;
      for (const SubscriptionItem& item : after.items) {
        const SubscriptionItem* old =
            before == nullptr ? nullptr : FindById(before->items, item.id);
        if (old == nullptr || *old != item) changed.push_back({&item, old});
      }
      std::stable_partition(changed.begin(), changed.end(), [](const ChangedItem& changed_item) {
        return LeavesUniqueStatus(*changed_item.item);
      });
      for (const auto& [item, old] : changed) {
        if (old == nullptr) {
          InsertRow(db, "subscription_items", item->id, ItemColumns(payer_id, *item));
        } else {
          UpdateChangedColumns(db, "subscription_items", item->id, ItemColumns(payer_id, *old),
                               ItemColumns(payer_id, *item));
        }
      }
      for (const PaymentAttempt& attempt : after.attempts) {
        const PaymentAttempt* old =
            before == nullptr ? nullptr : FindById(before->attempts, attempt.id);
        if (old == nullptr) {
          InsertRow(db, "payment_attempts", attempt.id, AttemptColumns(payer_id, attempt));
        } else if (*old != attempt) {
          UpdateChangedColumns(db, "payment_attempts", attempt.id, AttemptColumns(payer_id, *old),
                               AttemptColumns(payer_id, attempt));
        }
      }
      for (std::size_t i = 0; i < events.size(); ++i) {
        const StoredEvent& event = events[i];
        const StoredEventBodies::Encoded& body = (*bodies)[i];
        StatementLease insert_lease =
            Prepared(db,
                     "INSERT INTO events (id, type, payer_id, timestamp, body, "
                     "body_dictionary_id) VALUES (?,?,?,?,?,?)");
        SQLite::Statement& insert = *insert_lease;
        insert.bind(1, event.id);
        insert.bind(2, event.type);
        insert.bind(3, event.payer_id);
        BindInstant(insert, 4, event.timestamp);
        insert.bind(5, body.frame.data(), static_cast<int>(body.frame.size()));
        insert.bind(6, body.dictionary_id);
        insert.exec();
        // The outbox fans out here, in the same transaction: one delivery per enabled endpoint
        // whose filter takes this type (an empty filter takes every type).
        StatementLease fan_out_lease =
            Prepared(db,
                     "INSERT INTO webhook_deliveries (msg_id, event_id, endpoint_id, status, "
                     "next_attempt_at) SELECT " +
                         WebhookIdOf("?1", "e.id") +
                         ", ?1, e.id, 'pending', 0 FROM webhook_endpoints e WHERE e.deleted_at IS "
                         "NULL AND e.disabled = 0 AND " +
                         EndpointTakesType("?2"));
        SQLite::Statement& fan_out = *fan_out_lease;
        fan_out.bind(1, event.id);
        fan_out.bind(2, event.type);
        fan_out.exec();
      }
      for (const DueWork& work : scheduled) {
        StatementLease insert_lease =
            Prepared(db,
                     "INSERT INTO due_work (payer_id, item_id, kind, due_at, reference, "
                     "lead_hours, retry, clock_id) VALUES (?,?,?,?,?,?,?,?)");
        SQLite::Statement& insert = *insert_lease;
        insert.bind(1, work.payer_id);
        insert.bind(2, work.item_id);
        insert.bind(3, std::string(DueKindName(work.kind)));
        BindInstant(insert, 4, work.due_at);
        BindInstant(insert, 5, work.reference);
        insert.bind(6, static_cast<std::int64_t>(work.lead.count()));
        insert.bind(7, work.retry);
        if (after.payer.test_clock_id) {
          insert.bind(8, *after.payer.test_clock_id);
        } else {
          insert.bind(8);
        }
        insert.exec();
      }
      for (const std::int64_t work_id : completes_work) {
        // done_at records the instant the work was applied for: its due time.
        StatementLease done_lease =
            Prepared(db, "UPDATE due_work SET done_at = due_at WHERE id = ? AND done_at IS NULL");
        SQLite::Statement& done = *done_lease;
        done.bind(1, work_id);
        if (done.exec() != 1) throw WorkAlreadyDone{work_id};
      }
      return Ok();
    } catch (const WorkAlreadyDone& already) {
      return MakeError(ErrorKind::kAlreadyExists, "work_already_done",
                       "due work " + std::to_string(already.work_id) + " was done already");
    } catch (const std::logic_error&) {
      return MakeError(ErrorKind::kAlreadyExists, "concurrent_change",
                       "payer " + after.payer.id + " was changed by another request; retry");
    } catch (const SQLite::Exception& error) {
      if (error.getExtendedErrorCode() == SQLITE_CONSTRAINT_UNIQUE ||
          error.getExtendedErrorCode() == SQLITE_CONSTRAINT_PRIMARYKEY) {
        return MakeError(ErrorKind::kAlreadyExists, "conflict",
                         std::string("the change conflicts with stored data: ") + error.what());
      }
      return std::unexpected(StorageFailure("saving payer " + after.payer.id, error));
    } catch (const std::exception& error) {
      return std::unexpected(StorageFailure("saving payer " + after.payer.id, error));
    }
  });
}

Result<std::vector<DueWork>> SqliteStore::DueWorkUntil(Instant until,
                                                       const std::optional<std::string>& clock_id,
                                                       int limit) {
  try {
    return connections_->Read([&](SQLite::Database& db) -> Result<std::vector<DueWork>> {
      StatementLease query_lease = Prepared(
          db, std::string("SELECT id, payer_id, item_id, kind, due_at, reference, lead_hours, "
                          "retry FROM due_work WHERE done_at IS NULL AND ") +
                  (clock_id ? "clock_id = ?" : "clock_id IS NULL") +
                  " AND due_at <= ? ORDER BY due_at, id LIMIT ?");
      SQLite::Statement& query = *query_lease;
      int index = 1;
      if (clock_id) query.bind(index++, *clock_id);
      query.bind(index++, static_cast<std::int64_t>(ToUnixMillis(until)));
      query.bind(index, limit);
      std::vector<DueWork> work;
      while (query.executeStep()) {
        DueWork row;
        row.id = query.getColumn(0).getInt64();
        row.payer_id = query.getColumn(1).getString();
        row.item_id = query.getColumn(2).getString();
        row.kind = Require(ParseDueKind(query.getColumn(3).getString()), "due work kind");
        row.due_at = InstantOf(query.getColumn(4));
        row.reference = InstantOf(query.getColumn(5));
        row.lead = std::chrono::hours(query.getColumn(6).getInt64());
        row.retry = query.getColumn(7).getInt();
        work.push_back(std::move(row));
      }
      return work;
    });
  } catch (const std::exception& error) {
    return std::unexpected(StorageFailure("listing due work", error));
  }
}

Result<Page<PaymentAttempt>> SqliteStore::ListPaymentAttempts(const std::string& payer_id,
                                                              const ListOptions& options) {
  try {
    return connections_->Read([&](SQLite::Database& db) -> Result<Page<PaymentAttempt>> {
      if (!options.starting_after.empty() &&
          !StartingAfterExists(db, "payment_attempts", options.starting_after)) {
        return UnknownStartingAfter(options.starting_after);
      }
      const int limit = ClampLimit(options.limit);
      std::string sql =
          std::string("SELECT ") + kAttemptColumns + " FROM payment_attempts WHERE payer_id = ?";
      if (!options.starting_after.empty()) {
        sql += " AND rowid < (SELECT rowid FROM payment_attempts WHERE id = ?)";
      }
      sql += " ORDER BY rowid DESC LIMIT ?";
      StatementLease query_lease = Prepared(db, sql);
      SQLite::Statement& query = *query_lease;
      int index = 1;
      query.bind(index++, payer_id);
      if (!options.starting_after.empty()) query.bind(index++, options.starting_after);
      query.bind(index, limit + 1);
      Page<PaymentAttempt> page;
      while (query.executeStep()) page.data.push_back(ReadAttempt(query));
      page.has_more = static_cast<int>(page.data.size()) > limit;
      if (page.has_more) page.data.pop_back();
      return page;
    });
  } catch (const std::exception& error) {
    return std::unexpected(StorageFailure("listing payment attempts", error));
  }
}

Result<Page<StoredEvent>> SqliteStore::ListEvents(const std::string& payer_id,
                                                  const std::string& type,
                                                  const ListOptions& options) {
  try {
    return connections_->Read([&](SQLite::Database& db) -> Result<Page<StoredEvent>> {
      if (!options.starting_after.empty() &&
          !StartingAfterExists(db, "events", options.starting_after)) {
        return UnknownStartingAfter(options.starting_after);
      }
      const int limit = ClampLimit(options.limit);
      std::string sql =
          "SELECT id, type, payer_id, timestamp, body, body_dictionary_id FROM events WHERE 1 = 1";
      if (!payer_id.empty()) sql += " AND payer_id = ?";
      if (!type.empty()) sql += " AND type = ?";
      if (!options.starting_after.empty())
        sql += " AND seq < (SELECT seq FROM events WHERE id = ?)";
      sql += " ORDER BY seq DESC LIMIT ?";
      StatementLease query_lease = Prepared(db, sql);
      SQLite::Statement& query = *query_lease;
      int index = 1;
      if (!payer_id.empty()) query.bind(index++, payer_id);
      if (!type.empty()) query.bind(index++, type);
      if (!options.starting_after.empty()) query.bind(index++, options.starting_after);
      query.bind(index, limit + 1);
      Page<StoredEvent> page;
      while (query.executeStep()) {
        page.data.push_back({query.getColumn(0).getString(), query.getColumn(1).getString(),
                             query.getColumn(2).getString(), InstantOf(query.getColumn(3)),
                             event_bodies_->Decode(db, query.getColumn(4), query.getColumn(5))});
      }
      page.has_more = static_cast<int>(page.data.size()) > limit;
      if (page.has_more) page.data.pop_back();
      return page;
    });
  } catch (const std::exception& error) {
    return std::unexpected(StorageFailure("listing events", error));
  }
}

Result<std::vector<AccountStore::CurrentPlan>> SqliteStore::ListCurrentPlans() {
  try {
    return connections_->Read([&](SQLite::Database& db) -> Result<std::vector<CurrentPlan>> {
      StatementLease query_lease =
          Prepared(db,
                   "SELECT i.payer_id, p.type, p.external_id, i.plan_slug, i.status "
                   "FROM subscription_items i JOIN payers p ON p.id = i.payer_id "
                   "WHERE i.status IN ('active', 'past_due', 'canceled')");
      SQLite::Statement& query = *query_lease;
      std::vector<CurrentPlan> plans;
      while (query.executeStep()) {
        plans.push_back({query.getColumn(0).getString(),
                         Require(ParsePayerType(query.getColumn(1).getString()), "payer type"),
                         query.getColumn(2).getString(), query.getColumn(3).getString(),
                         Require(ParseItemStatus(query.getColumn(4).getString()), "item status")});
      }
      return plans;
    });
  } catch (const std::exception& error) {
    return std::unexpected(StorageFailure("listing current plans", error));
  }
}

Result<std::vector<std::string>> SqliteStore::PayersWithPendingAttempts() {
  try {
    return connections_->Read([&](SQLite::Database& db) -> Result<std::vector<std::string>> {
      StatementLease query_lease =
          Prepared(db,
                   "SELECT DISTINCT payer_id FROM payment_attempts WHERE status = "
                   "'pending'");
      SQLite::Statement& query = *query_lease;
      std::vector<std::string> payers;
      while (query.executeStep()) payers.push_back(query.getColumn(0).getString());
      return payers;
    });
  } catch (const std::exception& error) {
    return std::unexpected(StorageFailure("listing pending attempts", error));
  }
}

}  // namespace recur
