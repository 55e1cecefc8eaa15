// PostgresStore's opening, its CatalogStore, SettingsStore and StoredVersions halves, and
// WriteChange.
#include "store/postgres/postgres_store.h"

#include "domain/catalog/plan_file.h"
#include "store/gateway_event_scope.h"
#include "store/idempotent_request_scope.h"
#include "store/postgres/postgres_migration.h"
#include "store/store_errors.h"

namespace recur {
namespace {

std::shared_ptr<const Catalog> ReadCatalog(PgConnection& connection) {
  const Doing doing{"reading the catalog"};
  std::vector<CatalogPlan> plans;
  const PgResult plan_rows = Required(connection.Exec(
      doing, "SELECT slug, definition, current_version_id, archived_at FROM plans ORDER BY slug"));
  for (int row = 0; row < plan_rows.rows(); ++row) {
    const std::string slug = plan_rows.Text(row, 0);
    PlanFileContents parsed = ParsePlanFile("stored plan " + slug, plan_rows.Text(row, 1));
    if (!parsed.problems.empty() || parsed.plans.size() != 1) {
      throw std::runtime_error("stored definition of plan " + slug +
                               " is unreadable: " + FormatProblems(parsed.problems));
    }
    CatalogPlan plan{std::move(parsed.plans[0].plan), plan_rows.Text(row, 2)};
    plan.archived_at = plan_rows.OptionalInstant(row, 3);
    plans.push_back(std::move(plan));
  }
  std::vector<PlanVersion> versions;
  const PgResult version_rows =
      Required(connection.Exec(doing,
                               "SELECT id, plan_slug, version, amount, annual_amount, currency, "
                               "created_at FROM plan_versions ORDER BY plan_slug, version"));
  for (int row = 0; row < version_rows.rows(); ++row) {
    versions.push_back({version_rows.Text(row, 0), version_rows.Text(row, 1),
                        version_rows.Int(row, 2), version_rows.Int64(row, 3),
                        version_rows.OptionalInt64(row, 4), version_rows.Text(row, 5),
                        version_rows.InstantAt(row, 6)});
  }
  return std::make_shared<const Catalog>(std::move(plans), std::move(versions));
}

void ApplySyncSteps(PgConnection& connection, const CatalogSync& sync, IdGenerator& ids,
                    Instant now) {
  const Doing doing{"storing the catalog"};
  for (const PlanSyncStep& step : sync.steps) {
    if (step.archive) {
      Required(connection.Exec(doing,
                               "UPDATE plans SET archived_at = $1, updated_at = $1 WHERE slug = $2",
                               PgParams::Of(now, step.slug)));
      continue;
    }
    const PlanDefinition& plan = *step.desired;
    std::optional<PlanVersion> version;
    if (step.new_price) {
      int number = 1;
      if (!step.is_new) {
        number = Required(connection.Exec(doing,
                                          "SELECT COALESCE(MAX(version), 0) + 1 FROM "
                                          "plan_versions WHERE plan_slug = $1",
                                          PgParams::Of(plan.slug)))
                     .Int(0, 0);
      }
      version = PlanVersion{ids.NewId("cplan"), plan.slug,     number, plan.amount,
                            plan.annual_amount, plan.currency, now};
    }
    if (step.is_new) {
      Required(connection.Exec(doing,
                               "INSERT INTO plans (slug, payer_type, definition, "
                               "current_version_id, archived_at, created_at, updated_at) "
                               "VALUES ($1, $2, $3, $4, NULL, $5, $5)",
                               PgParams::Of(plan.slug, PayerTypeName(plan.payer_type),
                                            SerializePlan(plan), version->id, now)));
    } else {
      Required(connection.Exec(
          doing,
          "UPDATE plans SET definition = $1, archived_at = NULL, "
          "current_version_id = COALESCE($2, current_version_id), updated_at = $3 "
          "WHERE slug = $4",
          PgParams::Of(SerializePlan(plan), version ? std::optional(version->id) : std::nullopt,
                       now, plan.slug)));
    }
    if (version) {
      Required(connection.Exec(
          doing,
          "INSERT INTO plan_versions (id, plan_slug, version, amount, "
          "annual_amount, currency, created_at) "
          "VALUES ($1, $2, $3, $4, $5, $6, $7)",
          PgParams::Of(version->id, version->plan_slug, version->version, version->amount,
                       version->annual_amount, version->currency, version->created_at)));
    }
  }
}

}  // namespace

PostgresStore::PostgresStore(std::unique_ptr<PgPool> pool, IdGenerator& ids,
                             const PostgresStoreOptions& options)
    : pool_(std::move(pool)), event_body_dictionaries_(*pool_), ids_(ids), options_(options) {}

Result<std::unique_ptr<PostgresStore>> PostgresStore::Open(const PgPool::Settings& settings,
                                                           IdGenerator& ids, Instant now,
                                                           const PostgresStoreOptions& options) {
  if (Status migrated = ApplyEmbeddedPostgresMigrations(settings.connection, now); !migrated) {
    return std::unexpected(migrated.error());
  }
  auto pool = PgPool::Open(settings);
  if (!pool) return std::unexpected(pool.error());
  std::unique_ptr<PostgresStore> store(new PostgresStore(std::move(*pool), ids, options));
  store->node_id_ = ids.NewId("node");
  auto liveness =
      PgNodeLiveness::Start(settings.connection, store->node_id_, options.liveness_check);
  if (!liveness) return std::unexpected(liveness.error());
  store->liveness_ = std::move(*liveness);
  auto event_bodies = EventBodyCodec::Load(store->event_body_dictionaries_);
  if (!event_bodies) return std::unexpected(event_bodies.error());
  store->event_bodies_ = std::move(*event_bodies);
  return store;
}

Status PostgresStore::WriteChange(const Doing& doing, const std::function<std::string()>& made,
                                  const PgPool::WriteJob& job) {
  const std::optional<GatewayEventRecord> message = GatewayEventScope::Pending();
  // The change applies the gateway's message: its id is recorded first, in the same
  // transaction, and the change refused when another delivery recorded it (a concurrent one
  // waits on the row's key until that one commits or rolls back).
  const PgPool::WriteJob applying = [&](PgConnection& connection) -> Status {
    const Doing recording{"recording gateway event", message->id};
    auto inserted = connection.Exec(recording,
                                    "INSERT INTO gateway_events (id, type, applied_at) "
                                    "VALUES ($1, $2, $3) ON CONFLICT (id) DO NOTHING RETURNING id",
                                    PgParams::Of(message->id, message->type, message->at));
    if (!inserted) return std::unexpected(inserted.error());
    if (inserted->rows() == 0) return GatewayEventAlreadyApplied(message->id);
    return job(connection);
  };
  const PgPool::WriteJob& write = message ? applying : job;
  const std::optional<std::string> key = IdempotentRequestScope::CurrentKey();
  Status written = [&] {
    if (!key) return pool_->Write(doing, write);
    // The fence (schema/postgres/0009): sent with BEGIN, ahead of the change's own statements
    // and in their round trip, it records what the change made if the key is still claimed by
    // the scope's instance under a running lease, and refuses the whole change otherwise.
    return pool_->Write(doing, write,
                        {{"SELECT record_idempotent_change($1, $2, $3)",
                          PgParams::Of(*key, *IdempotentRequestScope::CurrentClaimant(), made())}});
  }();
  if (written && message) GatewayEventScope::Recorded();
  return written;
}

Result<std::shared_ptr<const Catalog>> PostgresStore::LoadCatalog() {
  return pool_->Read({"reading the catalog"},
                     [](PgConnection& connection) { return ReadCatalog(connection); });
}

Result<CatalogSyncResult> PostgresStore::SyncCatalog(const std::vector<PlanSource>& desired,
                                                     Instant now) {
  CatalogSyncResult result;
  auto written =
      WriteChange({"storing the catalog"}, "catalog", [&](PgConnection& connection) -> Status {
        // Nodes syncing at once take turns, each planning from what the one before stored.
        if (auto locked = connection.Exec({"waiting for the catalog lock"},
                                          "SELECT pg_advisory_xact_lock(512105820787)");
            !locked) {
          return std::unexpected(locked.error());
        }
        CatalogSync sync = PlanCatalogSync(*ReadCatalog(connection), desired);
        if (!sync.problems.empty()) {
          result.problems = std::move(sync.problems);
          return MakeError(ErrorKind::kFailedPrecondition, "catalog_invalid", "refused");
        }
        ApplySyncSteps(connection, sync, ids_, now);
        if (!sync.steps.empty()) {
          // Other nodes see by this one read that the catalog they have in force is stale.
          Required(connection.Exec({"moving the catalog revision on"},
                                   "UPDATE catalog_revision SET revision = revision + 1"));
        }
        result.changes = sync.Summary();
        result.catalog = ReadCatalog(connection);
        return Ok();
      });
  if (!written && result.problems.empty()) return std::unexpected(written.error());
  if (!result.problems.empty()) result.catalog.reset();
  return result;
}

Result<std::optional<std::int64_t>> PostgresStore::PayerVersion(const std::string& payer_id) {
  const Doing doing{"reading payer version", payer_id};
  return pool_->Read(doing, [&](PgConnection& connection) {
    const PgResult row = Required(
        connection.Exec(doing, "SELECT version FROM payers WHERE id = $1", PgParams::Of(payer_id)));
    if (row.rows() == 0) return std::optional<std::int64_t>();
    return std::optional<std::int64_t>(row.Int64(0, 0));
  });
}

Result<std::int64_t> PostgresStore::CatalogRevision() {
  const Doing doing{"reading the catalog revision"};
  return pool_->Read(doing, [&](PgConnection& connection) {
    return Required(connection.Exec(doing, "SELECT revision FROM catalog_revision")).Int64(0, 0);
  });
}

Result<std::optional<std::string>> PostgresStore::GetSetting(const std::string& key) {
  return pool_->Read({"reading setting", key}, [&](PgConnection& connection) {
    const PgResult value = Required(connection.Exec(
        {"reading setting", key}, "SELECT value FROM settings WHERE key = $1", PgParams::Of(key)));
    if (value.rows() == 0) return std::optional<std::string>();
    return std::optional<std::string>(value.Text(0, 0));
  });
}

Status PostgresStore::PutSetting(const std::string& key, const std::string& value) {
  const Doing doing{"writing setting", key};
  return WriteChange(doing, key, [&](PgConnection& connection) -> Status {
    auto written = connection.Exec(doing,
                                   "INSERT INTO settings (key, value) VALUES ($1, $2) "
                                   "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
                                   PgParams::Of(key, value));
    if (!written) return std::unexpected(written.error());
    return Ok();
  });
}

}  // namespace recur
