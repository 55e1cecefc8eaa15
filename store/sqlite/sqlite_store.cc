#include "store/sqlite/sqlite_store.h"

#include <SQLiteCpp/Exception.h>
#include <SQLiteCpp/Statement.h>

#include "domain/catalog/plan_file.h"
#include "store/sqlite/migration.h"
#include "store/sqlite/sqlite_values.h"

namespace recur {
namespace {

void InsertVersion(SQLite::Database& db, const PlanVersion& version) {
  Prepared(db,
           "INSERT INTO plan_versions (id, plan_slug, version, amount, annual_amount, currency, "
           "created_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
           version.id, version.plan_slug, version.version, version.amount, version.annual_amount,
           version.currency, version.created_at)
      ->exec();
}

int NextVersionNumber(SQLite::Database& db, const std::string& slug) {
  StatementLease query = Prepared(
      db, "SELECT COALESCE(MAX(version), 0) + 1 FROM plan_versions WHERE plan_slug = ?", slug);
  query->executeStep();
  return query->getColumn(0).getInt();
}

}  // namespace

namespace {

// Not from the store's IdGenerator, whose ids a run hands out in a fixed order.
std::string RandomRunId() {
  unsigned char bytes[12];
  FillRandomBytes(bytes, sizeof bytes);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string id = "run_";
  for (unsigned char byte : bytes) {
    id += kHex[byte >> 4];
    id += kHex[byte & 15];
  }
  return id;
}

}  // namespace

SqliteStore::SqliteStore(std::unique_ptr<SqliteConnections> connections, IdGenerator& ids)
    : connections_(std::move(connections)),
      event_body_dictionaries_(*connections_),
      ids_(ids),
      run_id_(RandomRunId()) {}

Result<std::unique_ptr<SqliteStore>> SqliteStore::Open(const std::string& path, IdGenerator& ids,
                                                       Instant now) {
  auto connections = SqliteConnections::Open(path, [now](SQLite::Database& db) -> Status {
    auto applied = ApplyMigrations(db, EmbeddedMigrations(), now);
    if (!applied) return std::unexpected(applied.error());
    return Ok();
  });
  if (!connections) return std::unexpected(connections.error());
  std::unique_ptr<SqliteStore> store(new SqliteStore(std::move(*connections), ids));
  auto event_bodies = EventBodyCodec::Load(store->event_body_dictionaries_);
  if (!event_bodies) return std::unexpected(event_bodies.error());
  store->event_bodies_ = std::move(*event_bodies);
  return store;
}

namespace {

std::shared_ptr<const Catalog> ReadCatalog(SQLite::Database& db) {
  std::vector<CatalogPlan> plans;
  StatementLease plan_rows = Prepared(db,
                                      "SELECT slug, definition, current_version_id, archived_at "
                                      "FROM plans ORDER BY slug");
  while (plan_rows->executeStep()) {
    const std::string slug = plan_rows->getColumn(0).getString();
    PlanFileContents parsed =
        ParsePlanFile("stored plan " + slug, plan_rows->getColumn(1).getString());
    if (!parsed.problems.empty() || parsed.plans.size() != 1) {
      throw SQLite::Exception("stored definition of plan " + slug +
                              " is unreadable: " + FormatProblems(parsed.problems));
    }
    CatalogPlan plan{std::move(parsed.plans[0].plan), plan_rows->getColumn(2).getString()};
    plan.archived_at = OptionalInstant(plan_rows->getColumn(3));
    plans.push_back(std::move(plan));
  }
  std::vector<PlanVersion> versions;
  StatementLease version_rows = Prepared(db,
                                         "SELECT id, plan_slug, version, amount, annual_amount, "
                                         "currency, created_at FROM plan_versions "
                                         "ORDER BY plan_slug, version");
  while (version_rows->executeStep()) {
    versions.push_back(
        {version_rows->getColumn(0).getString(), version_rows->getColumn(1).getString(),
         version_rows->getColumn(2).getInt(), version_rows->getColumn(3).getInt64(),
         OptionalInt64(version_rows->getColumn(4)), version_rows->getColumn(5).getString(),
         InstantOf(version_rows->getColumn(6))});
  }
  return std::make_shared<const Catalog>(std::move(plans), std::move(versions));
}

void ApplySyncSteps(SQLite::Database& db, const CatalogSync& sync, IdGenerator& ids, Instant now) {
  for (const PlanSyncStep& step : sync.steps) {
    if (step.archive) {
      Prepared(db, "UPDATE plans SET archived_at = ?, updated_at = ? WHERE slug = ?", now, now,
               step.slug)
          ->exec();
      continue;
    }
    const PlanDefinition& plan = *step.desired;
    std::optional<PlanVersion> version;
    if (step.new_price) {
      version = PlanVersion{ids.NewId("cplan"),
                            plan.slug,
                            step.is_new ? 1 : NextVersionNumber(db, plan.slug),
                            plan.amount,
                            plan.annual_amount,
                            plan.currency,
                            now};
    }
    if (step.is_new) {
      Prepared(db,
               "INSERT INTO plans (slug, payer_type, definition, current_version_id, "
               "archived_at, created_at, updated_at) VALUES (?, ?, ?, ?, NULL, ?, ?)",
               plan.slug, PayerTypeName(plan.payer_type), SerializePlan(plan), version->id, now,
               now)
          ->exec();
    } else {
      Prepared(db,
               "UPDATE plans SET definition = ?, archived_at = NULL, "
               "current_version_id = COALESCE(?, current_version_id), updated_at = ? "
               "WHERE slug = ?",
               SerializePlan(plan), version ? std::optional(version->id) : std::nullopt, now,
               plan.slug)
          ->exec();
    }
    if (version) InsertVersion(db, *version);
  }
}

}  // namespace

Result<std::shared_ptr<const Catalog>> SqliteStore::LoadCatalog() {
  return connections_->Read({"reading the catalog"},
                            [](SQLite::Database& db) { return ReadCatalog(db); });
}

Result<CatalogSyncResult> SqliteStore::SyncCatalog(const std::vector<PlanSource>& desired,
                                                   Instant now) {
  CatalogSyncResult result;
  auto written =
      WriteChange({"storing the catalog"}, "catalog", [&](SQLite::Database& db) -> Status {
        CatalogSync sync = PlanCatalogSync(*ReadCatalog(db), desired);
        if (!sync.problems.empty()) {
          result.problems = std::move(sync.problems);
          return MakeError(ErrorKind::kFailedPrecondition, "catalog_invalid", "refused");
        }
        ApplySyncSteps(db, sync, ids_, now);
        result.changes = sync.Summary();
        result.catalog = ReadCatalog(db);
        return Ok();
      });
  if (!written && result.problems.empty()) return std::unexpected(written.error());
  if (!result.problems.empty()) result.catalog.reset();
  return result;
}

Result<std::optional<std::string>> SqliteStore::GetSetting(const std::string& key) {
  return connections_->Read({"reading setting", key}, [&](SQLite::Database& db) {
    StatementLease query = Prepared(db, "SELECT value FROM settings WHERE key = ?", key);
    if (!query->executeStep()) return std::optional<std::string>();
    return std::optional<std::string>(query->getColumn(0).getString());
  });
}

Status SqliteStore::PutSetting(const std::string& key, const std::string& value) {
  return WriteChange({"writing setting", key}, key, [&](SQLite::Database& db) -> Status {
    Prepared(db,
             "INSERT INTO settings (key, value) VALUES (?, ?) "
             "ON CONFLICT (key) DO UPDATE SET value = excluded.value",
             key, value)
        ->exec();
    return Ok();
  });
}

}  // namespace recur
