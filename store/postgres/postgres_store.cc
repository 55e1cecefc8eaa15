// PostgresStore's opening, its CatalogStore and SettingsStore halves, and WriteChange.
#include "store/postgres/postgres_store.h"

#include "domain/catalog/plan_file.h"
#include "store/idempotent_request_scope.h"
#include "store/postgres/postgres_migration.h"

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
  {
    // On a connection of its own, whose end releases the migration lock whatever happens, and
    // without the statement timeout: a migration, or the wait for another node's, may be long.
    PgConnection::Settings unhurried = settings.connection;
    unhurried.statement_timeout = std::chrono::milliseconds(0);
    auto migrating = PgConnection::Open(unhurried);
    if (!migrating) return std::unexpected(migrating.error());
    auto applied = ApplyPostgresMigrations(**migrating, EmbeddedPostgresMigrations(), now);
    if (!applied) return std::unexpected(applied.error());
  }
  auto pool = PgPool::Open(settings);
  if (!pool) return std::unexpected(pool.error());
  std::unique_ptr<PostgresStore> store(new PostgresStore(std::move(*pool), ids, options));
  store->node_id_ = ids.NewId("node");
  auto event_bodies = EventBodyCodec::Load(store->event_body_dictionaries_);
  if (!event_bodies) return std::unexpected(event_bodies.error());
  store->event_bodies_ = std::move(*event_bodies);
  return store;
}

Status PostgresStore::WriteChange(const Doing& doing, const std::function<std::string()>& made,
                                  const PgPool::WriteJob& job) {
  const std::optional<std::string> key = IdempotentRequestScope::CurrentKey();
  if (!key) return pool_->Write(doing, job);
  const std::string what = made();
  return pool_->Write(doing, [&](PgConnection& connection) -> Status {
    if (Status done = job(connection); !done) return done;
    // What the change made, noted in the key's row in the same transaction (the first thing
    // only; a key already answered is left alone).
    auto recorded = connection.Exec({"recording what an idempotent request made", *key},
                                    "UPDATE idempotency_keys SET made = COALESCE(made, $1) "
                                    "WHERE key = $2 AND status IS NULL",
                                    PgParams::Of(what, *key));
    if (!recorded) return std::unexpected(recorded.error());
    return Ok();
  });
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
        result.changes = sync.Summary();
        result.catalog = ReadCatalog(connection);
        return Ok();
      });
  if (!written && result.problems.empty()) return std::unexpected(written.error());
  if (!result.problems.empty()) result.catalog.reset();
  return result;
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
