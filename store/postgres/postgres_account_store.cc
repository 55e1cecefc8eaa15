// PostgresStore's AccountStore half: accounts, the event outbox, due work and listings.
#include <stdexcept>

#include "base/enum_names.h"

#include "store/account_changes.h"
#include "store/account_rows.h"
#include "store/payer_search.h"
#include "store/postgres/pg_lease_rule.h"
#include "store/postgres/postgres_row_writes.h"
#include "store/postgres/postgres_store.h"
#include "store/postgres/postgres_webhook_sql.h"
#include "store/store_errors.h"
#include "store/waiting_work.h"
#include "store/webhook_id_sql.h"

namespace recur {
namespace {

SubscriptionItem ReadItem(const PgResult& rows, int row) {
  SubscriptionItem item;
  item.id = rows.Text(row, 0);
  item.plan_slug = rows.Text(row, 1);
  item.plan_version_id = rows.Text(row, 2);
  item.interval = ParsedColumn(ParseInterval(rows.Text(row, 3)), "interval");
  item.status = ParsedColumn(ParseItemStatus(rows.Text(row, 4)), "item status");
  item.is_free_trial = rows.Bool(row, 5);
  item.amount = rows.Int64(row, 6);
  item.currency = rows.Text(row, 7);
  item.created_at = rows.InstantAt(row, 8);
  item.anchor = rows.InstantAt(row, 9);
  item.period_start = rows.InstantAt(row, 10);
  item.period_end = rows.OptionalInstant(row, 11);
  item.trial_end = rows.OptionalInstant(row, 12);
  item.canceled_at = rows.OptionalInstant(row, 13);
  item.ended_at = rows.OptionalInstant(row, 14);
  item.past_due_at = rows.OptionalInstant(row, 15);
  item.dunning_retries = rows.Int(row, 16);
  return item;
}

PaymentAttempt ReadAttempt(const PgResult& rows, int row) {
  PaymentAttempt attempt;
  attempt.id = rows.Text(row, 0);
  attempt.item_id = rows.Text(row, 1);
  attempt.purpose = ParsedColumn(ParseChargePurpose(rows.Text(row, 2)), "charge purpose");
  attempt.status = ParsedColumn(ParseAttemptStatus(rows.Text(row, 3)), "attempt status");
  attempt.amount = rows.Int64(row, 4);
  attempt.currency = rows.Text(row, 5);
  attempt.proration_credit = rows.Int64(row, 6);
  attempt.payment_method_id = rows.Text(row, 7);
  attempt.period_start = rows.InstantAt(row, 8);
  attempt.period_end = rows.InstantAt(row, 9);
  attempt.idempotency_key = rows.Text(row, 10);
  attempt.gateway_charge_id = rows.Text(row, 11);
  attempt.failed_reason = rows.Text(row, 12);
  attempt.created_at = rows.InstantAt(row, 13);
  attempt.updated_at = rows.InstantAt(row, 14);
  attempt.paid_at = rows.OptionalInstant(row, 15);
  attempt.failed_at = rows.OptionalInstant(row, 16);
  attempt.failed_code = rows.Text(row, 17);
  attempt.statement_id = rows.Text(row, 18);
  attempt.credited_period_start = rows.OptionalInstant(row, 19);
  attempt.credited_period_end = rows.OptionalInstant(row, 20);
  return attempt;
}

PgStatement InsertPayer(const Payer& payer) {
  return {
      "INSERT INTO payers (id, external_id, type, email, name, test_clock_id, "
      "subscription_id, trial_used, has_paid, default_payment_method_id, gateway_customer_id, "
      "created_at, image_url, version) "
      "VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, 1)",
      PgParams::Of(payer.id, payer.external_id, PayerTypeName(payer.type), payer.email, payer.name,
                   payer.test_clock_id, payer.subscription_id, payer.trial_used, payer.has_paid,
                   payer.default_payment_method_id, payer.gateway_customer_id, payer.created_at,
                   payer.image_url)};
}

// What an update may change; the rest of a payer is fixed at its creation. It touches no row
// when the stored version is no longer `version`: another writer changed the payer since.
PgStatement UpdatePayer(const Payer& payer, std::int64_t version) {
  return {
      "UPDATE payers SET email = $1, name = $2, trial_used = $3, has_paid = $4, "
      "default_payment_method_id = $5, gateway_customer_id = $6, version = version + 1 "
      "WHERE id = $7 AND version = $8",
      PgParams::Of(payer.email, payer.name, payer.trial_used, payer.has_paid,
                   payer.default_payment_method_id, payer.gateway_customer_id, payer.id, version)};
}

PgStatement InsertPaymentMethod(const std::string& payer_id, const PaymentMethod& method) {
  return {
      "INSERT INTO payment_methods (id, payer_id, token, brand, last4, exp_month, exp_year, "
      "created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
      PgParams::Of(method.id, payer_id, method.token, method.brand, method.last4, method.exp_month,
                   method.exp_year, method.created_at)};
}

PgStatement InsertEvent(const StoredEvent& event, const EventBodyCodec::Encoded& body) {
  PgParams params = PgParams::Of(event.id, event.type, event.payer_id, event.timestamp);
  params.AddBytes(body.frame);
  params.Add(body.dictionary_id);
  return {
      "INSERT INTO events (id, type, payer_id, timestamp, body, body_dictionary_id) "
      "VALUES ($1, $2, $3, $4, $5, $6)",
      std::move(params)};
}

// The event's webhook deliveries: one per enabled endpoint whose filter takes its type (an
// empty filter takes every type).
PgStatement QueueDeliveries(const StoredEvent& event) {
  return {
      "INSERT INTO webhook_deliveries (msg_id, event_id, endpoint_id, status, "
      "next_attempt_at) SELECT " +
          WebhookIdSql("$1::text", "e.id") +
          ", $1, e.id, 'pending', 0 FROM webhook_endpoints e WHERE e.deleted_at IS NULL AND "
          "NOT e.disabled AND " +
          PgEndpointTakesTypeSql("$2::text"),
      PgParams::Of(event.id, event.type)};
}

PgStatement InsertDueWork(const DueWork& work, const std::optional<std::string>& clock_id) {
  return {
      "INSERT INTO due_work (payer_id, item_id, kind, due_at, reference, lead_hours, retry, "
      "clock_id) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)",
      PgParams::Of(work.payer_id, work.item_id, DueKindName(work.kind), work.due_at, work.reference,
                   static_cast<std::int64_t>(work.lead.count()), work.retry, clock_id)};
}

const std::string kDatabaseNow(kPgDatabaseNow);

// done_at records the instant the work was applied for: its due time. Touches no row when the
// work is done already (another runner applied it first), or when the piece is no longer held
// under `piece.lease`, or that lease has lapsed (account_store.h).
PgStatement CompleteDueWork(const DueWork& piece) {
  return {std::string("UPDATE due_work SET done_at = due_at WHERE id = $1 AND done_at IS NULL "
                      "AND lease = $2 AND lease_until > ") +
              kDatabaseNow,
          PgParams::Of(piece.id, piece.lease)};
}

// A pending attempt just stored is held by this node while it asks the gateway
// (account_store.h).
PgStatement HoldNewAttempt(const std::string& attempt_id, const std::string& node_id,
                           std::chrono::milliseconds lease) {
  return {"UPDATE payment_attempts SET lease_owner = $2, lease_until = " + kDatabaseNow +
              " + $3 WHERE id = $1 AND status = 'pending'",
          PgParams::Of(attempt_id, node_id, static_cast<std::int64_t>(lease.count()))};
}

// Before a change settles a pending attempt: ends the attempt's lease, touching no row while
// another node holds it under a lease that is not over (it is settling the attempt). Its lock on
// the row keeps the attempt from being taken until the change commits.
PgStatement EndAttemptLease(const std::string& attempt_id, const std::string& node_id) {
  return {
      "UPDATE payment_attempts SET lease_owner = NULL, lease_until = NULL WHERE id = $1 AND "
      "(lease_owner IS NULL OR lease_owner = $2 OR " +
          LeaseLapsedSql("lease_owner", "lease_until") + ")",
      PgParams::Of(attempt_id, node_id)};
}

// Run after the completions, in their transaction: which of the pieces are stored and still not
// done. A piece whose completion touched no row is one whose lease was lost when it is listed
// here, and one done already (or not stored) when it is not.
PgStatement DueWorkNotDone(const std::vector<DueWork>& pieces) {
  std::vector<std::string> ids;
  for (const DueWork& piece : pieces) ids.push_back(std::to_string(piece.id));
  return {"SELECT id FROM due_work WHERE id = ANY ($1::bigint[]) AND done_at IS NULL",
          PgParams().AddTextArray(ids)};
}

// The payer's due work that waited for its pending checkout, and fell due meanwhile, becomes due
// at `at`, the checkout's settlement (store/waiting_work.h).
PgStatement ReleaseWaitingWork(const Payer& payer, Instant at) {
  if (payer.test_clock_id) {
    return {
        "UPDATE due_work SET due_at = $1 WHERE done_at IS NULL AND clock_id = $3 "
        "AND due_at < $1 AND payer_id = $2",
        PgParams::Of(at, payer.id, *payer.test_clock_id)};
  }
  return {
      "UPDATE due_work SET due_at = $1 WHERE done_at IS NULL AND clock_id IS NULL "
      "AND due_at < $1 AND payer_id = $2",
      PgParams::Of(at, payer.id)};
}

// The pieces' ids and the leases they were handed, as the two bigint[] parameters $1 and $2
// (to unnest side by side); further parameters follow.
PgParams HeldPieces(const std::vector<DueWork>& pieces) {
  std::vector<std::string> ids;
  std::vector<std::string> leases;
  for (const DueWork& piece : pieces) {
    ids.push_back(std::to_string(piece.id));
    leases.push_back(std::to_string(piece.lease));
  }
  PgParams params;
  params.AddTextArray(ids).AddTextArray(leases);
  return params;
}

// Why a change completing `pieces` was refused, when it was refused as a conflict or a
// concurrent change: a node whose lease lapsed (a pause) and was taken over meets the change
// of the node that applied the work in its stead (the payer's version moved on, the attempt's
// key taken), and that is the lease lost, not a conflict of its own. The first piece no longer
// held under its lease, if any.
std::optional<std::int64_t> PieceWithLeaseLost(PgPool& pool, const std::string& node_id,
                                               const std::vector<DueWork>& pieces) {
  const Doing doing{"checking the leases of due work"};
  auto lost = pool.Read(doing, [&](PgConnection& connection) {
    const PgResult rows = Required(connection.Exec(
        doing,
        "SELECT d.id FROM due_work d JOIN unnest($1::bigint[], $2::bigint[]) WITH ORDINALITY "
        "AS held (id, lease, n) ON d.id = held.id WHERE d.lease_owner IS DISTINCT FROM $3 OR "
        "d.lease <> held.lease OR d.lease_until <= " +
            kDatabaseNow + " ORDER BY held.n LIMIT 1",
        HeldPieces(pieces).Add(node_id)));
    return rows.rows() == 0 ? std::optional<std::int64_t>() : rows.Int64(0, 0);
  });
  if (!lost) return std::nullopt;  // unknown: the refusal stands as it was
  return *lost;
}

// The current statuses (IsCurrentStatus), for a text[] parameter.
std::vector<std::string> CurrentStatuses() {
  std::vector<std::string> statuses;
  for (ItemStatus status : EnumValues<ItemStatus>(ItemStatusName)) {
    if (IsCurrentStatus(status)) statuses.emplace_back(ItemStatusName(status));
  }
  return statuses;
}

bool StartingAfterExists(PgConnection& connection, const std::string& table,
                         const std::string& id) {
  return Required(connection.Exec({"reading the page cursor", id},
                                  "SELECT 1 FROM " + table + " WHERE id = $1", PgParams::Of(id)))
             .rows() > 0;
}

// The statements of a read that must see one state of the database, in one round trip.
std::vector<PgResult> ReadTogether(PgConnection& connection, const Doing& doing,
                                   std::vector<PgStatement> statements) {
  statements.insert(statements.begin(), {"BEGIN ISOLATION LEVEL REPEATABLE READ, READ ONLY", {}});
  statements.push_back({"COMMIT", {}});
  std::vector<PgResult> results = Required(connection.Pipeline(doing, statements));
  results.erase(results.begin());
  results.pop_back();
  return results;
}

// The attempts carrying `statement_id`, in the order stored, with their payer; none if none.
std::optional<StoredStatement> ReadStatement(PgConnection& connection, const Doing& doing,
                                             const std::string& statement_id) {
  if (statement_id.empty()) return std::nullopt;  // an attempt without one is on none
  const PgResult rows = Required(
      connection.Exec(doing,
                      std::string("SELECT ") + kAttemptReadColumns +
                          ", payer_id FROM payment_attempts WHERE statement_id = $1 ORDER BY seq",
                      PgParams::Of(statement_id)));
  if (rows.rows() == 0) return std::nullopt;
  StoredStatement statement{statement_id, rows.Text(0, 21), {}};
  for (int row = 0; row < rows.rows(); ++row) statement.attempts.push_back(ReadAttempt(rows, row));
  return statement;
}

}  // namespace

Result<std::optional<Account>> PostgresStore::LoadAccount(const std::string& payer_id) {
  const Doing doing{"loading payer", payer_id};
  return pool_->Read(doing, [&](PgConnection& connection) {
    const std::vector<PgResult> rows = ReadTogether(
        connection, doing,
        {{"SELECT id, external_id, type, email, name, test_clock_id, subscription_id, trial_used, "
          "has_paid, default_payment_method_id, created_at, version, gateway_customer_id, "
          "image_url FROM payers WHERE id = $1",
          PgParams::Of(payer_id)},
         {"SELECT id, token, brand, last4, exp_month, exp_year, created_at FROM payment_methods "
          "WHERE payer_id = $1 ORDER BY created_at, id COLLATE \"C\"",
          PgParams::Of(payer_id)},
         {std::string("SELECT ") + kItemReadColumns +
              " FROM subscription_items WHERE payer_id = $1 ORDER BY created_at, seq",
          PgParams::Of(payer_id)},
         {std::string("SELECT ") + kAttemptReadColumns +
              " FROM payment_attempts WHERE payer_id = $1 AND status = 'pending' "
              "ORDER BY created_at, seq",
          PgParams::Of(payer_id)}});
    const PgResult& payer_row = rows[0];
    if (payer_row.rows() == 0) return std::optional<Account>();
    Account account;
    Payer& payer = account.payer;
    payer.id = payer_row.Text(0, 0);
    payer.external_id = payer_row.Text(0, 1);
    payer.type = ParsedColumn(ParsePayerType(payer_row.Text(0, 2)), "payer type");
    payer.email = payer_row.Text(0, 3);
    payer.name = payer_row.Text(0, 4);
    payer.test_clock_id = payer_row.OptionalText(0, 5);
    payer.subscription_id = payer_row.Text(0, 6);
    payer.trial_used = payer_row.Bool(0, 7);
    payer.has_paid = payer_row.Bool(0, 8);
    payer.default_payment_method_id = payer_row.OptionalText(0, 9);
    payer.created_at = payer_row.InstantAt(0, 10);
    payer.version = payer_row.Int64(0, 11);
    payer.gateway_customer_id = payer_row.OptionalText(0, 12);
    payer.image_url = payer_row.Text(0, 13);
    const PgResult& methods = rows[1];
    for (int row = 0; row < methods.rows(); ++row) {
      account.payment_methods.push_back(
          {methods.Text(row, 0), methods.Text(row, 1), methods.Text(row, 2), methods.Text(row, 3),
           methods.Int(row, 4), methods.Int(row, 5), methods.InstantAt(row, 6)});
    }
    for (int row = 0; row < rows[2].rows(); ++row) account.items.push_back(ReadItem(rows[2], row));
    for (int row = 0; row < rows[3].rows(); ++row) {
      account.attempts.push_back(ReadAttempt(rows[3], row));
    }
    return std::optional<Account>(std::move(account));
  });
}

Result<std::optional<std::string>> PostgresStore::FindPayerId(PayerType type,
                                                              const std::string& external_id) {
  const Doing doing{"looking up a payer"};
  return pool_->Read(doing, [&](PgConnection& connection) {
    const PgResult found = Required(
        connection.Exec(doing, "SELECT id FROM payers WHERE type = $1 AND external_id = $2",
                        PgParams::Of(PayerTypeName(type), external_id)));
    if (found.rows() == 0) return std::optional<std::string>();
    return std::optional<std::string>(found.Text(0, 0));
  });
}

Result<std::optional<std::string>> PostgresStore::FindPayerIdOfItem(const std::string& item_id) {
  const Doing doing{"looking up an item"};
  return pool_->Read(doing, [&](PgConnection& connection) {
    const PgResult found = Required(connection.Exec(
        doing, "SELECT payer_id FROM subscription_items WHERE id = $1", PgParams::Of(item_id)));
    if (found.rows() == 0) return std::optional<std::string>();
    return std::optional<std::string>(found.Text(0, 0));
  });
}

Status PostgresStore::SaveTransition(const Account* before, const Account& after,
                                     const std::vector<StoredEvent>& events,
                                     const std::vector<DueWork>& scheduled,
                                     const std::vector<DueWork>& completes_work) {
  auto bodies = event_bodies_->Encode(events);
  if (!bodies) return std::unexpected(bodies.error());
  const std::string& payer_id = after.payer.id;
  const AccountChanges changes = ChangesBetween(before, after);
  const auto made = [&] { return MadeByTransition(before, after, changes); };

  // Every statement of the transition, sent together: one round trip, then the commit.
  std::vector<PgStatement> statements;
  statements.push_back(before == nullptr ? InsertPayer(after.payer)
                                         : UpdatePayer(after.payer, before->payer.version));
  for (const PaymentMethod* method : changes.new_methods) {
    statements.push_back(InsertPaymentMethod(payer_id, *method));
  }
  for (const std::string& removed : changes.removed_method_ids) {
    statements.push_back({"DELETE FROM payment_methods WHERE id = $1 AND payer_id = $2",
                          PgParams::Of(removed, payer_id)});
  }
  std::vector<std::size_t> row_updates;  // each must touch its row
  for (const auto& [item, old] : changes.items) {
    if (old == nullptr) {
      statements.push_back(
          InsertRowStatement("subscription_items", item->id, ItemColumns(payer_id, *item)));
    } else if (auto update = UpdateChangedColumnsStatement("subscription_items", item->id,
                                                           ItemColumns(payer_id, *old),
                                                           ItemColumns(payer_id, *item))) {
      row_updates.push_back(statements.size());
      statements.push_back(std::move(*update));
    }
  }
  std::vector<std::pair<std::size_t, const std::string*>> lease_ends;  // each must touch its row
  for (const auto& [attempt, old] : changes.attempts) {
    if (old != nullptr && old->status == AttemptStatus::kPending &&
        attempt->status != AttemptStatus::kPending) {
      lease_ends.emplace_back(statements.size(), &attempt->id);
      statements.push_back(EndAttemptLease(attempt->id, node_id_));
    }
    if (old == nullptr) {
      statements.push_back(
          InsertRowStatement("payment_attempts", attempt->id, AttemptColumns(payer_id, *attempt)));
      if (attempt->status == AttemptStatus::kPending) {
        statements.push_back(HoldNewAttempt(attempt->id, node_id_, options_.due_work_lease));
      }
    } else if (auto update = UpdateChangedColumnsStatement("payment_attempts", attempt->id,
                                                           AttemptColumns(payer_id, *old),
                                                           AttemptColumns(payer_id, *attempt))) {
      row_updates.push_back(statements.size());
      statements.push_back(std::move(*update));
    }
  }
  for (std::size_t i = 0; i < events.size(); ++i) {
    statements.push_back(InsertEvent(events[i], (*bodies)[i]));
    statements.push_back(QueueDeliveries(events[i]));
  }
  for (const DueWork& work : scheduled) {
    statements.push_back(InsertDueWork(work, after.payer.test_clock_id));
  }
  const std::size_t first_completion = statements.size();
  for (const DueWork& piece : completes_work) statements.push_back(CompleteDueWork(piece));
  if (!completes_work.empty()) statements.push_back(DueWorkNotDone(completes_work));
  if (const std::optional<Instant> released = WaitingWorkReleasedAt(changes)) {
    statements.push_back(ReleaseWaitingWork(after.payer, *released));
  }

  const Doing doing{"saving payer", payer_id};
  Status saved = WriteChange(doing, made, [&](PgConnection& connection) -> Status {
    const std::vector<PgResult> results = Required(connection.Pipeline(doing, statements));
    if (before != nullptr && results[0].affected() != 1)
      return ConcurrentChange("payer " + payer_id);
    for (const auto& [lease_end, attempt_id] : lease_ends) {
      if (results[lease_end].affected() != 1) return AttemptLeaseLost(*attempt_id);
    }
    for (const std::size_t update : row_updates) {
      if (results[update].affected() != 1) {
        return MakeError(ErrorKind::kUnavailable, "storage_error",
                         doing.Text() + " failed: a row it updates is not stored");
      }
    }
    for (std::size_t i = 0; i < completes_work.size(); ++i) {
      if (results[first_completion + i].affected() == 1) continue;
      const std::int64_t id = completes_work[i].id;
      const PgResult& not_done = results[first_completion + completes_work.size()];
      for (int row = 0; row < not_done.rows(); ++row) {
        if (not_done.Int64(row, 0) == id) return WorkLeaseLost(id);
      }
      return WorkAlreadyDone(id);
    }
    return Ok();
  });
  if (!saved && !completes_work.empty() &&
      (saved.error().code == "conflict" || saved.error().code == "concurrent_change")) {
    if (const std::optional<std::int64_t> lost =
            PieceWithLeaseLost(*pool_, node_id_, completes_work)) {
      return WorkLeaseLost(*lost);
    }
  }
  return saved;
}

Result<std::vector<DueWork>> PostgresStore::DueWorkUntil(Instant until,
                                                         const std::optional<std::string>& clock_id,
                                                         int limit) {
  const Doing doing{"claiming due work"};
  // One statement, so one round trip and its own transaction: the pieces due are picked, those
  // other claimers have locked this instant are skipped, and the rest are leased to this node.
  // Another node's lease is taken once it is over (pg_lease_rule.h: it lapsed, or the node is
  // dead). A lease this node holds and has not lapsed is extended under the same number; any
  // other lease taken is a new one. RETURNING gives no order, hence the outer ORDER BY.
  // A payer's work applies in due order across nodes: a payer is claimed through its head, its
  // earliest piece not yet done, which the claim locks (FOR UPDATE SKIP LOCKED) and leases with
  // the rest, so two nodes claiming at once never split one payer's work between them (the
  // second skips the payer), and a node never takes a payer whose head another node holds. A
  // head another claim leased or completed after this statement's snapshot is checked again,
  // as it stands, when it is locked, and left. Pieces after the head are taken only while no
  // earlier piece is held by another node.
  const std::string now = kDatabaseNow;
  const std::string clock = clock_id ? "clock_id = $5" : "clock_id IS NULL";
  const std::string free =
      "(lease_owner = $3 OR " + LeaseLapsedSql("lease_owner", "lease_until") + ")";
  const std::string sql =
      "WITH heads AS (SELECT id, payer_id FROM due_work WHERE done_at IS NULL AND " + clock +
      " AND due_at <= $1 AND " + free + " AND " + kNotWaitingForACheckoutSql +
      " AND NOT EXISTS (SELECT 1 FROM due_work earlier WHERE earlier.payer_id = "
      "due_work.payer_id AND earlier.done_at IS NULL AND (earlier.due_at, earlier.id) < "
      "(due_work.due_at, due_work.id)) ORDER BY due_at, id LIMIT $2 FOR UPDATE SKIP LOCKED), "
      "picked AS (SELECT due_work.id FROM due_work JOIN heads ON heads.payer_id = "
      "due_work.payer_id WHERE done_at IS NULL AND " +
      clock + " AND due_at <= $1 AND " + free +
      " AND NOT EXISTS (SELECT 1 FROM due_work earlier WHERE earlier.payer_id = "
      "due_work.payer_id AND earlier.done_at IS NULL AND (earlier.due_at, earlier.id) < "
      "(due_work.due_at, due_work.id) AND earlier.lease_owner <> $3 AND NOT " +
      LeaseLapsedSql("earlier.lease_owner", "earlier.lease_until") +
      ") ORDER BY due_at, due_work.id LIMIT $2 FOR UPDATE OF due_work SKIP LOCKED), "
      "claimed AS (UPDATE due_work SET lease = CASE WHEN lease_owner = $3 AND lease_until > " +
      now +
      " THEN lease ELSE nextval('due_work_leases') END, lease_owner = $3, lease_until = " + now +
      " + $4 FROM picked WHERE due_work.id = picked.id RETURNING due_work.id, payer_id, "
      "item_id, kind, due_at, reference, lead_hours, retry, lease) "
      "SELECT * FROM claimed ORDER BY due_at, id";
  // As SQL's LIMIT elsewhere: a negative limit is none, which PostgreSQL says with NULL.
  PgParams params =
      PgParams::Of(until, limit < 0 ? std::optional<int>() : std::optional(limit), node_id_,
                   static_cast<std::int64_t>(options_.due_work_lease.count()));
  if (clock_id) params.Add(*clock_id);
  return pool_->Read(doing, [&](PgConnection& connection) {
    const PgResult rows = Required(connection.Exec(doing, sql, params));
    std::vector<DueWork> work;
    for (int row = 0; row < rows.rows(); ++row) {
      DueWork piece;
      piece.id = rows.Int64(row, 0);
      piece.payer_id = rows.Text(row, 1);
      piece.item_id = rows.Text(row, 2);
      piece.kind = ParsedColumn(ParseDueKind(rows.Text(row, 3)), "due work kind");
      piece.due_at = rows.InstantAt(row, 4);
      piece.reference = rows.InstantAt(row, 5);
      piece.lead = std::chrono::hours(rows.Int64(row, 6));
      piece.retry = rows.Int(row, 7);
      piece.lease = rows.Int64(row, 8);
      work.push_back(std::move(piece));
    }
    return work;
  });
}

Status PostgresStore::ReleaseDueWork(const std::vector<DueWork>& pieces) {
  if (pieces.empty()) return Ok();
  const Doing doing{"giving back due work"};
  // Only what this node still holds under the lease it was handed: the piece's next reader,
  // this node included, takes it under a new lease.
  return pool_->Write(doing, [&](PgConnection& connection) -> Status {
    Required(connection.Exec(
        doing,
        "UPDATE due_work d SET lease_owner = NULL, lease_until = NULL "
        "FROM unnest($1::bigint[], $2::bigint[]) AS released (id, lease) "
        "WHERE d.id = released.id AND d.lease = released.lease AND d.lease_owner = $3 AND "
        "d.done_at IS NULL",
        HeldPieces(pieces).Add(node_id_)));
    return Ok();
  });
}

Result<std::int64_t> PostgresStore::AdvanceWorkLeft(const std::string& clock_id, Instant until) {
  const Doing doing{"looking for the work of test clock", clock_id};
  return pool_->Read(doing, [&](PgConnection& connection) {
    return Required(connection.Exec(
                        doing,
                        std::string("SELECT count(*) FROM due_work WHERE done_at IS NULL AND "
                                    "clock_id = $1 AND due_at <= $2 AND ") +
                            kNotWaitingForACheckoutSql,
                        PgParams::Of(clock_id, until)))
        .Int64(0, 0);
  });
}

Result<Page<PaymentAttempt>> PostgresStore::ListPaymentAttempts(const std::string& payer_id,
                                                                const ListOptions& options) {
  const Doing doing{"listing payment attempts"};
  return pool_->Read(doing, [&](PgConnection& connection) -> Result<Page<PaymentAttempt>> {
    const std::string& after = options.starting_after;
    if (!after.empty() && !StartingAfterExists(connection, "payment_attempts", after)) {
      return UnknownStartingAfter(after);
    }
    const int limit = PageLimit(options);
    // Newest first: by seq, the order they were stored in.
    const std::string columns =
        std::string("SELECT ") + kAttemptReadColumns + " FROM payment_attempts WHERE payer_id = $1";
    const PgResult rows = Required(
        after.empty() ? connection.Exec(doing, columns + " ORDER BY seq DESC LIMIT $2",
                                        PgParams::Of(payer_id, limit + 1))
                      : connection.Exec(
                            doing,
                            columns + " AND seq < (SELECT seq FROM payment_attempts WHERE id = $3)"
                                      " ORDER BY seq DESC LIMIT $2",
                            PgParams::Of(payer_id, limit + 1, after)));
    std::vector<PaymentAttempt> read;
    for (int row = 0; row < rows.rows(); ++row) read.push_back(ReadAttempt(rows, row));
    return PageOf(std::move(read), limit);
  });
}

Result<Page<StoredStatement>> PostgresStore::ListStatements(const std::string& payer_id,
                                                            const ListOptions& options) {
  const Doing doing{"listing statements"};
  return pool_->Read(doing, [&](PgConnection& connection) -> Result<Page<StoredStatement>> {
    const std::string& after = options.starting_after;
    std::optional<std::int64_t> before_cycle;
    if (!after.empty()) {
      const PgResult cursor =
          Required(connection.Exec(doing,
                                   "SELECT period_start FROM payment_attempts "
                                   "WHERE payer_id = $1 AND statement_id = $2 LIMIT 1",
                                   PgParams::Of(payer_id, after)));
      if (cursor.rows() == 0) return UnknownStartingAfter(after);
      before_cycle = cursor.Int64(0, 0);
    }
    const int limit = PageLimit(options);
    // A statement's attempts share the start of the period they charge for.
    const std::string ids =
        "SELECT statement_id FROM payment_attempts WHERE payer_id = $1 AND statement_id <> ''";
    const std::string newest_first =
        " GROUP BY statement_id ORDER BY MAX(period_start) DESC, statement_id DESC LIMIT $2";
    const PgResult rows = Required(
        before_cycle
            ? connection.Exec(doing, ids + " AND period_start < $3" + newest_first,
                              PgParams::Of(payer_id, limit + 1, *before_cycle))
            : connection.Exec(doing, ids + newest_first, PgParams::Of(payer_id, limit + 1)));
    std::vector<StoredStatement> read;
    for (int row = 0; row < rows.rows(); ++row) {
      read.push_back(*ReadStatement(connection, doing, rows.Text(row, 0)));
    }
    return PageOf(std::move(read), limit);
  });
}

Result<std::optional<StoredStatement>> PostgresStore::LoadStatement(
    const std::string& statement_id) {
  const Doing doing{"loading statement", statement_id};
  return pool_->Read(doing, [&](PgConnection& connection) {
    return ReadStatement(connection, doing, statement_id);
  });
}

Result<std::optional<AttemptOfPayer>> PostgresStore::LoadPaymentAttempt(
    const std::string& attempt_id) {
  const Doing doing{"loading payment attempt", attempt_id};
  return pool_->Read(doing, [&](PgConnection& connection) {
    const PgResult rows =
        Required(connection.Exec(doing,
                                 std::string("SELECT ") + kAttemptReadColumns +
                                     ", payer_id FROM payment_attempts WHERE id = $1",
                                 PgParams::Of(attempt_id)));
    if (rows.rows() == 0) return std::optional<AttemptOfPayer>();
    return std::optional<AttemptOfPayer>(AttemptOfPayer{rows.Text(0, 21), ReadAttempt(rows, 0)});
  });
}

Result<Page<std::string>> PostgresStore::ListPayerIds(const std::string& query,
                                                      const ListOptions& options) {
  const Doing doing{"listing payers"};
  return pool_->Read(doing, [&](PgConnection& connection) -> Result<Page<std::string>> {
    const std::string& after = options.starting_after;
    if (!after.empty() && !StartingAfterExists(connection, "payers", after)) {
      return UnknownStartingAfter(after);
    }
    const int limit = PageLimit(options);
    PgParams params = PgParams::Of(limit + 1);
    auto next = [&](const std::string& value) {
      params.Add(value);
      return "$" + std::to_string(params.size());
    };
    std::string sql = "SELECT id FROM payers WHERE true";
    if (!query.empty()) {
      // Each arm through its own index (0021_console.sql); the email folded as AsciiLowercase
      // folds it.
      const std::string folded_email =
          "translate(email, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') "
          "COLLATE \"C\"";
      const PrefixRange external_id = PrefixRangeOf(query);
      const PrefixRange email = PrefixRangeOf(AsciiLowercase(query));
      sql += " AND id IN (SELECT id FROM payers WHERE id = " + next(query) +
             " UNION SELECT id FROM payers WHERE external_id COLLATE \"C\" >= " +
             next(external_id.from);
      if (external_id.to) sql += " AND external_id COLLATE \"C\" < " + next(*external_id.to);
      sql += " UNION SELECT id FROM payers WHERE " + folded_email + " >= " + next(email.from);
      if (email.to) sql += " AND " + folded_email + " < " + next(*email.to);
      sql += ")";
    }
    if (!after.empty()) {
      sql +=
          " AND (created_at, id) < (SELECT created_at, id FROM payers WHERE id = " + next(after) +
          ")";
    }
    sql += " ORDER BY created_at DESC, id DESC LIMIT $1";
    const PgResult rows = Required(connection.Exec(doing, sql, params));
    std::vector<std::string> read;
    for (int row = 0; row < rows.rows(); ++row) read.push_back(rows.Text(row, 0));
    return PageOf(std::move(read), limit);
  });
}

Result<Page<StoredEvent>> PostgresStore::ListEvents(const std::string& payer_id,
                                                    const std::string& type,
                                                    const ListOptions& options) {
  const Doing doing{"listing events"};
  return pool_->Read(doing, [&](PgConnection& connection) -> Result<Page<StoredEvent>> {
    const std::string& after = options.starting_after;
    if (!after.empty() && !StartingAfterExists(connection, "events", after)) {
      return UnknownStartingAfter(after);
    }
    const int limit = PageLimit(options);
    PgParams params = PgParams::Of(limit + 1);
    std::string sql =
        "SELECT id, type, payer_id, timestamp, body, body_dictionary_id FROM events WHERE true";
    if (!payer_id.empty()) {
      params.Add(payer_id);
      sql += " AND payer_id = $" + std::to_string(params.size());
    }
    if (!type.empty()) {
      params.Add(type);
      sql += " AND type = $" + std::to_string(params.size());
    }
    if (!after.empty()) {
      params.Add(after);
      sql +=
          " AND seq < (SELECT seq FROM events WHERE id = $" + std::to_string(params.size()) + ")";
    }
    sql += " ORDER BY seq DESC LIMIT $1";
    const PgResult rows = Required(connection.Exec(doing, sql, params));
    std::vector<StoredEvent> read;
    for (int row = 0; row < rows.rows(); ++row) {
      read.push_back({rows.Text(row, 0), rows.Text(row, 1), rows.Text(row, 2),
                      rows.InstantAt(row, 3),
                      ReadEventBody(*event_bodies_, connection, rows, row, 4, 5)});
    }
    return PageOf(std::move(read), limit);
  });
}

Result<std::vector<AccountStore::CurrentPlan>> PostgresStore::ListCurrentPlans() {
  const Doing doing{"listing current plans"};
  return pool_->Read(doing, [&](PgConnection& connection) {
    const PgResult rows = Required(
        connection.Exec(doing,
                        "SELECT i.payer_id, p.type, p.external_id, i.plan_slug, i.status "
                        "FROM subscription_items i JOIN payers p ON p.id = i.payer_id "
                        "WHERE i.status = ANY ($1::text[]) ORDER BY i.payer_id COLLATE \"C\"",
                        PgParams().AddTextArray(CurrentStatuses())));
    std::vector<CurrentPlan> plans;
    for (int row = 0; row < rows.rows(); ++row) {
      plans.push_back({rows.Text(row, 0),
                       ParsedColumn(ParsePayerType(rows.Text(row, 1)), "payer type"),
                       rows.Text(row, 2), rows.Text(row, 3),
                       ParsedColumn(ParseItemStatus(rows.Text(row, 4)), "item status")});
    }
    return plans;
  });
}

Result<std::vector<TakenAttempt>> PostgresStore::TakePendingAttempts(int limit) {
  const Doing doing{"taking pending payment attempts"};
  // One statement, its own transaction: the attempts whose lease is over (pg_lease_rule.h:
  // lapsed, or held by a dead node; a postponed one has no owner and waits out its time), those
  // another node is taking this instant skipped, the rest held by this node.
  const std::string sql =
      "WITH picked AS (SELECT id FROM payment_attempts WHERE status = 'pending' AND " +
      LeaseLapsedSql("lease_owner", "lease_until") +
      " ORDER BY seq LIMIT $1 FOR UPDATE SKIP LOCKED), taken AS (UPDATE payment_attempts a SET "
      "lease_owner = $2, lease_until = " +
      kDatabaseNow +
      " + $3 FROM picked WHERE a.id = picked.id RETURNING a.payer_id, a.id, "
      "a.still_pending_answers, a.seq) SELECT payer_id, id, still_pending_answers FROM taken "
      "ORDER BY seq";
  const PgParams params =
      PgParams::Of(limit < 0 ? std::optional<int>() : std::optional(limit), node_id_,
                   static_cast<std::int64_t>(options_.due_work_lease.count()));
  return pool_->Read(doing, [&](PgConnection& connection) {
    const PgResult rows = Required(connection.Exec(doing, sql, params));
    std::vector<TakenAttempt> taken;
    for (int row = 0; row < rows.rows(); ++row) {
      taken.push_back({rows.Text(row, 0), rows.Text(row, 1), rows.Int(row, 2)});
    }
    return taken;
  });
}

Status PostgresStore::PostponePendingAttempt(const std::string& attempt_id,
                                             std::chrono::milliseconds wait) {
  const Doing doing{"postponing the look-up of payment attempt", attempt_id};
  return pool_->Write(doing, [&](PgConnection& connection) -> Status {
    Required(connection.Exec(
        doing,
        "UPDATE payment_attempts SET lease_owner = NULL, lease_until = " + kDatabaseNow +
            " + $2, still_pending_answers = still_pending_answers + 1 WHERE id = $1 AND "
            "status = 'pending' AND lease_owner = $3",
        PgParams::Of(attempt_id, static_cast<std::int64_t>(wait.count()), node_id_)));
    return Ok();
  });
}

}  // namespace recur
