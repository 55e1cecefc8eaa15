// SqliteStore's AccountStore half: accounts, the event outbox, due work and listings.
#include <SQLiteCpp/Statement.h>

#include "store/account_changes.h"
#include "store/account_rows.h"
#include "store/payer_search.h"
#include "store/sqlite/row_writes.h"
#include "store/sqlite/sqlite_store.h"
#include "store/sqlite/sqlite_values.h"
#include "store/sqlite/statement_cache.h"
#include "store/sqlite/status_sql.h"
#include "store/sqlite/webhook_sql.h"
#include "store/store_errors.h"
#include "store/waiting_work.h"

namespace recur {
namespace {

SubscriptionItem ReadItem(SQLite::Statement& row) {
  SubscriptionItem item;
  item.id = row.getColumn(0).getString();
  item.plan_slug = row.getColumn(1).getString();
  item.plan_version_id = row.getColumn(2).getString();
  item.interval = ParsedColumn(ParseInterval(row.getColumn(3).getString()), "interval");
  item.status = ParsedColumn(ParseItemStatus(row.getColumn(4).getString()), "item status");
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

PaymentAttempt ReadAttempt(SQLite::Statement& row) {
  PaymentAttempt attempt;
  attempt.id = row.getColumn(0).getString();
  attempt.item_id = row.getColumn(1).getString();
  attempt.purpose =
      ParsedColumn(ParseChargePurpose(row.getColumn(2).getString()), "charge purpose");
  attempt.status = ParsedColumn(ParseAttemptStatus(row.getColumn(3).getString()), "attempt status");
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
  attempt.statement_id = row.getColumn(18).getString();
  attempt.credited_period_start = OptionalInstant(row.getColumn(19));
  attempt.credited_period_end = OptionalInstant(row.getColumn(20));
  return attempt;
}

void InsertPayer(SQLite::Database& db, const Payer& payer) {
  Prepared(db,
           "INSERT INTO payers (id, external_id, type, email, name, test_clock_id, "
           "subscription_id, trial_used, has_paid, default_payment_method_id, "
           "gateway_customer_id, created_at, image_url, version) "
           "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,1)",
           payer.id, payer.external_id, PayerTypeName(payer.type), payer.email, payer.name,
           payer.test_clock_id, payer.subscription_id, payer.trial_used, payer.has_paid,
           payer.default_payment_method_id, payer.gateway_customer_id, payer.created_at,
           payer.image_url)
      ->exec();
}

// What an update may change; the rest of a payer is fixed at its creation. Refused when the
// stored version is no longer `version`: another writer changed the payer since it was read.
Status UpdatePayer(SQLite::Database& db, const Payer& payer, std::int64_t version) {
  const int updated =
      Prepared(db,
               "UPDATE payers SET email = ?, name = ?, trial_used = ?, "
               "has_paid = ?, default_payment_method_id = ?, "
               "gateway_customer_id = ?, "
               "version = version + 1 WHERE id = ? AND version = ?",
               payer.email, payer.name, payer.trial_used, payer.has_paid,
               payer.default_payment_method_id, payer.gateway_customer_id, payer.id, version)
          ->exec();
  if (updated != 1) return ConcurrentChange("payer " + payer.id);
  return Ok();
}

void InsertPaymentMethod(SQLite::Database& db, const std::string& payer_id,
                         const PaymentMethod& method) {
  Prepared(db,
           "INSERT INTO payment_methods (id, payer_id, token, brand, last4, exp_month, "
           "exp_year, created_at) VALUES (?,?,?,?,?,?,?,?)",
           method.id, payer_id, method.token, method.brand, method.last4, method.exp_month,
           method.exp_year, method.created_at)
      ->exec();
}

// The event in the outbox, and its webhook deliveries: one per enabled endpoint whose filter
// takes its type (an empty filter takes every type).
void InsertEvent(SQLite::Database& db, const StoredEvent& event,
                 const EventBodyCodec::Encoded& body) {
  StatementLease insert = Prepared(db,
                                   "INSERT INTO events (id, type, payer_id, timestamp, body, "
                                   "body_dictionary_id) VALUES (?,?,?,?,?,?)",
                                   event.id, event.type, event.payer_id, event.timestamp);
  insert->bind(5, body.frame.data(), static_cast<int>(body.frame.size()));
  insert->bind(6, body.dictionary_id);
  insert->exec();
  Prepared(db,
           "INSERT INTO webhook_deliveries (msg_id, event_id, endpoint_id, status, "
           "next_attempt_at) SELECT " +
               WebhookIdSql("?1", "e.id") +
               ", ?1, e.id, 'pending', 0 FROM webhook_endpoints e WHERE e.deleted_at IS "
               "NULL AND e.disabled = 0 AND " +
               EndpointTakesTypeSql("?2"),
           event.id, event.type)
      ->exec();
}

void InsertDueWork(SQLite::Database& db, const DueWork& work,
                   const std::optional<std::string>& clock_id) {
  Prepared(db,
           "INSERT INTO due_work (payer_id, item_id, kind, due_at, reference, lead_hours, "
           "retry, clock_id) VALUES (?,?,?,?,?,?,?,?)",
           work.payer_id, work.item_id, DueKindName(work.kind), work.due_at, work.reference,
           static_cast<std::int64_t>(work.lead.count()), work.retry, clock_id)
      ->exec();
}

// Moves the payer's work not yet done that is due before `at` to `at` (waiting_work.h).
void ReleaseWaitingWork(SQLite::Database& db, const Payer& payer, Instant at) {
  const std::string sql = std::string("UPDATE due_work SET due_at = ? WHERE done_at IS NULL AND ") +
                          (payer.test_clock_id ? "clock_id = ?" : "clock_id IS NULL") +
                          " AND due_at < ? AND payer_id = ?";
  StatementLease update = payer.test_clock_id
                              ? Prepared(db, sql, at, *payer.test_clock_id, at, payer.id)
                              : Prepared(db, sql, at, at, payer.id);
  update->exec();
}

// done_at records the instant the work was applied for: its due time. Refused when the work
// is done already: another runner applied it first.
Status CompleteDueWork(SQLite::Database& db, std::int64_t work_id) {
  const int done =
      Prepared(db, "UPDATE due_work SET done_at = due_at WHERE id = ? AND done_at IS NULL", work_id)
          ->exec();
  if (done != 1) return WorkAlreadyDone(work_id);
  return Ok();
}

// This machine's clock in Unix milliseconds, as SQLite reads it: what the leases on pending
// attempts are timed by (one process holds the file, so it is the only clock that counts).
constexpr const char* kSqliteNow = "CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER)";

// How long a pending attempt stays this run's before TakePendingAttempts hands it out again.
constexpr std::chrono::milliseconds kPendingAttemptLease{60'000};

bool StartingAfterExists(SQLite::Database& db, const std::string& table, const std::string& id) {
  return Prepared(db, "SELECT 1 FROM " + table + " WHERE id = ?", id)->executeStep();
}

// The attempts carrying `statement_id`, in the order stored, with their payer; none if none.
std::optional<StoredStatement> ReadStatement(SQLite::Database& db,
                                             const std::string& statement_id) {
  if (statement_id.empty()) return std::nullopt;  // an attempt without one is on none
  StatementLease query = Prepared(db,
                                  std::string("SELECT ") + kAttemptReadColumns +
                                      ", payer_id FROM payment_attempts WHERE statement_id = ? "
                                      "ORDER BY rowid",
                                  statement_id);
  std::optional<StoredStatement> statement;
  while (query->executeStep()) {
    if (!statement) statement = StoredStatement{statement_id, query->getColumn(21).getString(), {}};
    statement->attempts.push_back(ReadAttempt(*query));
  }
  return statement;
}

}  // namespace

Result<std::optional<Account>> SqliteStore::LoadAccount(const std::string& payer_id) {
  return connections_->Read({"loading payer", payer_id}, [&](SQLite::Database& db) {
    StatementLease payer_row =
        Prepared(db,
                 "SELECT id, external_id, type, email, name, test_clock_id, subscription_id, "
                 "trial_used, has_paid, default_payment_method_id, created_at, version, "
                 "gateway_customer_id, image_url FROM payers WHERE id = ?",
                 payer_id);
    if (!payer_row->executeStep()) return std::optional<Account>();
    Account account;
    Payer& payer = account.payer;
    payer.id = payer_row->getColumn(0).getString();
    payer.external_id = payer_row->getColumn(1).getString();
    payer.type = ParsedColumn(ParsePayerType(payer_row->getColumn(2).getString()), "payer type");
    payer.email = payer_row->getColumn(3).getString();
    payer.name = payer_row->getColumn(4).getString();
    payer.test_clock_id = OptionalText(payer_row->getColumn(5));
    payer.subscription_id = payer_row->getColumn(6).getString();
    payer.trial_used = payer_row->getColumn(7).getInt() != 0;
    payer.has_paid = payer_row->getColumn(8).getInt() != 0;
    payer.default_payment_method_id = OptionalText(payer_row->getColumn(9));
    payer.created_at = InstantOf(payer_row->getColumn(10));
    payer.version = payer_row->getColumn(11).getInt64();
    payer.gateway_customer_id = OptionalText(payer_row->getColumn(12));
    payer.image_url = payer_row->getColumn(13).getString();

    StatementLease methods =
        Prepared(db,
                 "SELECT id, token, brand, last4, exp_month, exp_year, created_at "
                 "FROM payment_methods WHERE payer_id = ? ORDER BY created_at, id",
                 payer_id);
    while (methods->executeStep()) {
      account.payment_methods.push_back(
          {methods->getColumn(0).getString(), methods->getColumn(1).getString(),
           methods->getColumn(2).getString(), methods->getColumn(3).getString(),
           methods->getColumn(4).getInt(), methods->getColumn(5).getInt(),
           InstantOf(methods->getColumn(6))});
    }
    // Rows of one creation instant in the order they were stored: SQLite's rowid.
    StatementLease items = Prepared(db,
                                    std::string("SELECT ") + kItemReadColumns +
                                        " FROM subscription_items WHERE payer_id = ? "
                                        "ORDER BY created_at, rowid",
                                    payer_id);
    while (items->executeStep()) account.items.push_back(ReadItem(*items));
    StatementLease attempts = Prepared(db,
                                       std::string("SELECT ") + kAttemptReadColumns +
                                           " FROM payment_attempts WHERE payer_id = ? AND "
                                           "status = 'pending' ORDER BY created_at, rowid",
                                       payer_id);
    while (attempts->executeStep()) account.attempts.push_back(ReadAttempt(*attempts));
    return std::optional<Account>(std::move(account));
  });
}

Result<std::optional<std::string>> SqliteStore::FindPayerId(PayerType type,
                                                            const std::string& external_id) {
  return connections_->Read({"looking up a payer"}, [&](SQLite::Database& db) {
    StatementLease query = Prepared(db, "SELECT id FROM payers WHERE type = ? AND external_id = ?",
                                    PayerTypeName(type), external_id);
    if (!query->executeStep()) return std::optional<std::string>();
    return std::optional<std::string>(query->getColumn(0).getString());
  });
}

Result<std::optional<std::string>> SqliteStore::FindPayerIdOfItem(const std::string& item_id) {
  return connections_->Read({"looking up an item"}, [&](SQLite::Database& db) {
    StatementLease query =
        Prepared(db, "SELECT payer_id FROM subscription_items WHERE id = ?", item_id);
    if (!query->executeStep()) return std::optional<std::string>();
    return std::optional<std::string>(query->getColumn(0).getString());
  });
}

Status SqliteStore::SaveTransition(const Account* before, const Account& after,
                                   const std::vector<StoredEvent>& events,
                                   const std::vector<DueWork>& scheduled,
                                   const std::vector<DueWork>& completes_work) {
  // Compressed here, on the caller's thread, so that the one writer does not.
  auto bodies = event_bodies_->Encode(events);
  if (!bodies) return std::unexpected(bodies.error());
  const std::string& payer_id = after.payer.id;
  const AccountChanges changes = ChangesBetween(before, after);
  const auto made = [&] { return MadeByTransition(before, after, changes); };
  return WriteChange({"saving payer", payer_id}, made, [&](SQLite::Database& db) -> Status {
    if (before == nullptr) {
      InsertPayer(db, after.payer);
    } else if (Status updated = UpdatePayer(db, after.payer, before->payer.version); !updated) {
      return updated;
    }
    for (const PaymentMethod* method : changes.new_methods) {
      InsertPaymentMethod(db, payer_id, *method);
    }
    for (const std::string& removed : changes.removed_method_ids) {
      Prepared(db, "DELETE FROM payment_methods WHERE id = ? AND payer_id = ?", removed, payer_id)
          ->exec();
    }
    for (const auto& [item, old] : changes.items) {
      if (old == nullptr) {
        InsertRow(db, "subscription_items", item->id, ItemColumns(payer_id, *item));
      } else {
        UpdateChangedColumns(db, "subscription_items", item->id, ItemColumns(payer_id, *old),
                             ItemColumns(payer_id, *item));
      }
    }
    for (const auto& [attempt, old] : changes.attempts) {
      if (old == nullptr) {
        InsertRow(db, "payment_attempts", attempt->id, AttemptColumns(payer_id, *attempt));
        // Held by this run while it asks the gateway (account_store.h). Its settlement needs no
        // check: no other process holds the file.
        if (attempt->status == AttemptStatus::kPending) {
          Prepared(db,
                   std::string("UPDATE payment_attempts SET lease_owner = ?, lease_until = ") +
                       kSqliteNow + " + ? WHERE id = ?",
                   run_id_, static_cast<std::int64_t>(kPendingAttemptLease.count()), attempt->id)
              ->exec();
        }
      } else {
        UpdateChangedColumns(db, "payment_attempts", attempt->id, AttemptColumns(payer_id, *old),
                             AttemptColumns(payer_id, *attempt));
      }
    }
    for (std::size_t i = 0; i < events.size(); ++i) InsertEvent(db, events[i], (*bodies)[i]);
    for (const DueWork& work : scheduled) InsertDueWork(db, work, after.payer.test_clock_id);
    // Its pieces' leases are always its own (account_store.h): one process holds the file.
    for (const DueWork& piece : completes_work) {
      if (Status done = CompleteDueWork(db, piece.id); !done) return done;
    }
    if (const std::optional<Instant> released = WaitingWorkReleasedAt(changes)) {
      ReleaseWaitingWork(db, after.payer, *released);
    }
    return Ok();
  });
}

Result<std::vector<DueWork>> SqliteStore::DueWorkUntil(Instant until,
                                                       const std::optional<std::string>& clock_id,
                                                       int limit) {
  return connections_->Read({"listing due work"}, [&](SQLite::Database& db) {
    const std::string sql = std::string(
                                "SELECT id, payer_id, item_id, kind, due_at, reference, "
                                "lead_hours, retry FROM due_work WHERE done_at IS NULL AND ") +
                            (clock_id ? "clock_id = ?" : "clock_id IS NULL") +
                            " AND due_at <= ? AND " + kNotWaitingForACheckoutSql +
                            " ORDER BY due_at, id LIMIT ?";
    StatementLease query =
        clock_id ? Prepared(db, sql, *clock_id, until, limit) : Prepared(db, sql, until, limit);
    std::vector<DueWork> work;
    while (query->executeStep()) {
      DueWork row;
      row.id = query->getColumn(0).getInt64();
      row.payer_id = query->getColumn(1).getString();
      row.item_id = query->getColumn(2).getString();
      row.kind = ParsedColumn(ParseDueKind(query->getColumn(3).getString()), "due work kind");
      row.due_at = InstantOf(query->getColumn(4));
      row.reference = InstantOf(query->getColumn(5));
      row.lead = std::chrono::hours(query->getColumn(6).getInt64());
      row.retry = query->getColumn(7).getInt();
      work.push_back(std::move(row));
    }
    return work;
  });
}

Result<Page<PaymentAttempt>> SqliteStore::ListPaymentAttempts(const std::string& payer_id,
                                                              const ListOptions& options) {
  return connections_->Read(
      {"listing payment attempts"}, [&](SQLite::Database& db) -> Result<Page<PaymentAttempt>> {
        const std::string& after = options.starting_after;
        if (!after.empty() && !StartingAfterExists(db, "payment_attempts", after)) {
          return UnknownStartingAfter(after);
        }
        const int limit = PageLimit(options);
        // Newest first: by rowid, the order they were stored in.
        const std::string columns = std::string("SELECT ") + kAttemptReadColumns +
                                    " FROM payment_attempts WHERE payer_id = ?";
        StatementLease query =
            after.empty()
                ? Prepared(db, columns + " ORDER BY rowid DESC LIMIT ?", payer_id, limit + 1)
                : Prepared(db,
                           columns +
                               " AND rowid < (SELECT rowid FROM payment_attempts WHERE id = ?)"
                               " ORDER BY rowid DESC LIMIT ?",
                           payer_id, after, limit + 1);
        std::vector<PaymentAttempt> read;
        while (query->executeStep()) read.push_back(ReadAttempt(*query));
        return PageOf(std::move(read), limit);
      });
}

Result<Page<StoredStatement>> SqliteStore::ListStatements(const std::string& payer_id,
                                                          const ListOptions& options) {
  return connections_->Read(
      {"listing statements"}, [&](SQLite::Database& db) -> Result<Page<StoredStatement>> {
        const std::string& after = options.starting_after;
        std::optional<std::int64_t> before_cycle;
        if (!after.empty()) {
          StatementLease cursor = Prepared(db,
                                           "SELECT period_start FROM payment_attempts "
                                           "WHERE payer_id = ? AND statement_id = ? LIMIT 1",
                                           payer_id, after);
          if (!cursor->executeStep()) return UnknownStartingAfter(after);
          before_cycle = cursor->getColumn(0).getInt64();
        }
        const int limit = PageLimit(options);
        // A statement's attempts share the start of the period they charge for.
        const std::string ids =
            "SELECT statement_id FROM payment_attempts WHERE payer_id = ? AND statement_id <> ''";
        const std::string newest_first =
            " GROUP BY statement_id ORDER BY MAX(period_start) DESC, statement_id DESC LIMIT ?";
        StatementLease query = before_cycle
                                   ? Prepared(db, ids + " AND period_start < ?" + newest_first,
                                              payer_id, *before_cycle, limit + 1)
                                   : Prepared(db, ids + newest_first, payer_id, limit + 1);
        std::vector<std::string> statement_ids;
        while (query->executeStep()) statement_ids.push_back(query->getColumn(0).getString());
        std::vector<StoredStatement> read;
        for (const std::string& id : statement_ids) read.push_back(*ReadStatement(db, id));
        return PageOf(std::move(read), limit);
      });
}

Result<std::optional<StoredStatement>> SqliteStore::LoadStatement(const std::string& statement_id) {
  return connections_->Read({"loading statement", statement_id},
                            [&](SQLite::Database& db) { return ReadStatement(db, statement_id); });
}

Result<std::optional<AttemptOfPayer>> SqliteStore::LoadPaymentAttempt(
    const std::string& attempt_id) {
  return connections_->Read({"loading payment attempt", attempt_id}, [&](SQLite::Database& db) {
    StatementLease query = Prepared(db,
                                    std::string("SELECT ") + kAttemptReadColumns +
                                        ", payer_id FROM payment_attempts WHERE id = ?",
                                    attempt_id);
    if (!query->executeStep()) return std::optional<AttemptOfPayer>();
    return std::optional<AttemptOfPayer>(
        AttemptOfPayer{query->getColumn(21).getString(), ReadAttempt(*query)});
  });
}

Result<Page<StoredEvent>> SqliteStore::ListEvents(const std::string& payer_id,
                                                  const std::string& type,
                                                  const ListOptions& options) {
  return connections_->Read(
      {"listing events"}, [&](SQLite::Database& db) -> Result<Page<StoredEvent>> {
        const std::string& after = options.starting_after;
        if (!after.empty() && !StartingAfterExists(db, "events", after)) {
          return UnknownStartingAfter(after);
        }
        const int limit = PageLimit(options);
        std::string sql =
            "SELECT id, type, payer_id, timestamp, body, body_dictionary_id FROM events "
            "WHERE 1 = 1";
        if (!payer_id.empty()) sql += " AND payer_id = ?";
        if (!type.empty()) sql += " AND type = ?";
        if (!after.empty()) sql += " AND seq < (SELECT seq FROM events WHERE id = ?)";
        sql += " ORDER BY seq DESC LIMIT ?";
        StatementLease query = Prepared(db, sql);
        int index = 1;
        if (!payer_id.empty()) query->bind(index++, payer_id);
        if (!type.empty()) query->bind(index++, type);
        if (!after.empty()) query->bind(index++, after);
        query->bind(index, limit + 1);
        std::vector<StoredEvent> read;
        while (query->executeStep()) {
          read.push_back(
              {query->getColumn(0).getString(), query->getColumn(1).getString(),
               query->getColumn(2).getString(), InstantOf(query->getColumn(3)),
               ReadEventBody(*event_bodies_, db, query->getColumn(4), query->getColumn(5))});
        }
        return PageOf(std::move(read), limit);
      });
}

Result<Page<std::string>> SqliteStore::ListPayerIds(const std::string& query,
                                                    const ListOptions& options) {
  return connections_->Read(
      {"listing payers"}, [&](SQLite::Database& db) -> Result<Page<std::string>> {
        const std::string& after = options.starting_after;
        if (!after.empty() && !StartingAfterExists(db, "payers", after)) {
          return UnknownStartingAfter(after);
        }
        const int limit = PageLimit(options);
        const PrefixRange external_id = PrefixRangeOf(query);
        const PrefixRange email = PrefixRangeOf(AsciiLowercase(query));
        std::string sql = "SELECT id FROM payers WHERE 1 = 1";
        if (!query.empty()) {
          // Each arm through its own index (0018_console.sql).
          sql +=
              " AND id IN (SELECT id FROM payers WHERE id = ? UNION SELECT id FROM payers WHERE "
              "external_id >= ?";
          if (external_id.to) sql += " AND external_id < ?";
          sql += " UNION SELECT id FROM payers WHERE lower(email) >= ?";
          if (email.to) sql += " AND lower(email) < ?";
          sql += ")";
        }
        if (!after.empty()) {
          sql += " AND (created_at, id) < (SELECT created_at, id FROM payers WHERE id = ?)";
        }
        sql += " ORDER BY created_at DESC, id DESC LIMIT ?";
        StatementLease statement = Prepared(db, sql);
        int index = 1;
        if (!query.empty()) {
          statement->bind(index++, query);
          statement->bind(index++, external_id.from);
          if (external_id.to) statement->bind(index++, *external_id.to);
          statement->bind(index++, email.from);
          if (email.to) statement->bind(index++, *email.to);
        }
        if (!after.empty()) statement->bind(index++, after);
        statement->bind(index, limit + 1);
        std::vector<std::string> read;
        while (statement->executeStep()) read.push_back(statement->getColumn(0).getString());
        return PageOf(std::move(read), limit);
      });
}

Result<std::vector<AccountStore::CurrentPlan>> SqliteStore::ListCurrentPlans() {
  return connections_->Read({"listing current plans"}, [&](SQLite::Database& db) {
    StatementLease query =
        Prepared(db,
                 "SELECT i.payer_id, p.type, p.external_id, i.plan_slug, i.status "
                 "FROM subscription_items i JOIN payers p ON p.id = i.payer_id "
                 "WHERE i.status IN " +
                     CurrentStatusesSql() + " ORDER BY i.payer_id");
    std::vector<CurrentPlan> plans;
    while (query->executeStep()) {
      plans.push_back(
          {query->getColumn(0).getString(),
           ParsedColumn(ParsePayerType(query->getColumn(1).getString()), "payer type"),
           query->getColumn(2).getString(), query->getColumn(3).getString(),
           ParsedColumn(ParseItemStatus(query->getColumn(4).getString()), "item status")});
    }
    return plans;
  });
}

Result<std::vector<TakenAttempt>> SqliteStore::TakePendingAttempts(int limit) {
  std::vector<TakenAttempt> taken;
  const Status took =
      connections_->Write({"taking pending payment attempts"}, [&](SQLite::Database& db) -> Status {
        taken.clear();  // a write may run again when its group is retried
        // Over: lapsed, or held by an earlier run of the process.
        StatementLease query = Prepared(
            db,
            std::string("UPDATE payment_attempts SET lease_owner = ?, lease_until = ") +
                kSqliteNow +
                " + ? WHERE id IN (SELECT id FROM payment_attempts WHERE status = 'pending' AND "
                "(lease_owner IS NOT ? OR lease_until IS NULL OR lease_until <= " +
                kSqliteNow +
                ") ORDER BY rowid LIMIT ?) RETURNING payer_id, id, still_pending_answers, rowid",
            run_id_, static_cast<std::int64_t>(kPendingAttemptLease.count()), run_id_, limit);
        std::vector<std::pair<std::int64_t, TakenAttempt>> rows;
        while (query->executeStep()) {
          rows.push_back({query->getColumn(3).getInt64(),
                          {query->getColumn(0).getString(), query->getColumn(1).getString(),
                           query->getColumn(2).getInt()}});
        }
        std::ranges::sort(rows, {}, &std::pair<std::int64_t, TakenAttempt>::first);
        for (auto& [rowid, attempt] : rows) taken.push_back(std::move(attempt));
        return Ok();
      });
  if (!took) return std::unexpected(took.error());
  return taken;
}

Status SqliteStore::PostponePendingAttempt(const std::string& attempt_id,
                                           std::chrono::milliseconds wait) {
  return connections_->Write(
      {"postponing the look-up of payment attempt", attempt_id},
      [&](SQLite::Database& db) -> Status {
        Prepared(db,
                 std::string("UPDATE payment_attempts SET lease_until = ") + kSqliteNow +
                     " + ?, still_pending_answers = still_pending_answers + 1 WHERE id = ? AND "
                     "status = 'pending'",
                 static_cast<std::int64_t>(wait.count()), attempt_id)
            ->exec();
        return Ok();
      });
}

}  // namespace recur
