// Shared set-up of the end-to-end tests: a temporary folder holding a copy of the shipped
// plan catalog and a database, and a running `recur serve` on them with a known key. The
// database is a SQLite file in the folder, or, when RECUR_E2E_DATABASE is "postgres" (the
// suite's PostgreSQL run, postgres_main.cc), a fresh database of the test cluster
// (tests/support/temporary_postgres.h), made for the test and dropped after it.
#pragma once

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <SQLiteCpp/Database.h>

#include "base/ids.h"
#include "store/postgres/postgres_store.h"
#include "store/sqlite/sqlite_store.h"
#include "tests/e2e/recur_process.h"
#include "tests/support/invariants.h"
#include "tests/support/temporary_postgres.h"
#include "tests/support/wait.h"

namespace recur::testing {

inline constexpr const char* kTestSecretKey = "sk_test_0123456789abcdefghijklmnopqrstuvwxyzABCD";

class ServeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    std::filesystem::copy(std::string(RECUR_SOURCE_DIR) + "/plans", plans_dir());
    if (OnPostgres()) {
      postgres_ = std::make_unique<TemporaryPostgresDatabase>();
      ASSERT_TRUE(postgres_->ok()) << postgres_->error();
    }
  }

  // Whether this run of the suite serves on PostgreSQL.
  static bool OnPostgres() {
    const char* database = std::getenv("RECUR_E2E_DATABASE");
    return database != nullptr && std::string(database) == "postgres";
  }

  std::string plans_dir() const { return dir_ / "plans"; }
  // The SQLite file the server keeps its data in (tests about SQLite's files use it).
  std::string db_path() const { return dir_ / "recur.db"; }
  // What --db names: the SQLite file, or the PostgreSQL database's connection string.
  std::string database() const { return postgres_ ? postgres_->conninfo() : db_path(); }

  RecurServer::Options Options() const {
    return {database(), plans_dir(), {{"RECUR_SECRET_KEY", kTestSecretKey}}};
  }

  // The one value a query (of SQL both backends read alike) gives, as text, read from the
  // database beside the running server; throws when it cannot.
  std::string StoredText(const std::string& sql) const {
    if (postgres_) {
      auto connection = PgConnection::Open({postgres_->conninfo()});
      if (!connection) throw std::runtime_error(connection.error().message);
      auto result = (*connection)->Exec({"reading for a test"}, sql);
      if (!result) throw std::runtime_error(result.error().message);
      return result->Text(0, 0);
    }
    SQLite::Database db(db_path(), SQLite::OPEN_READONLY);
    return db.execAndGet(sql).getString();
  }
  std::int64_t StoredNumber(const std::string& sql) const { return std::stoll(StoredText(sql)); }

  // `text` as an SQL string literal.
  static std::string Quoted(const std::string& text) {
    std::string quoted = "'";
    for (const char c : text) quoted += c == '\'' ? std::string("''") : std::string(1, c);
    return quoted + "'";
  }

  // Serves with Options(); with `args`, more flags.
  RecurServer& Serve(const std::vector<std::string>& args = {}) {
    RecurServer::Options options = Options();
    options.args.insert(options.args.end(), args.begin(), args.end());
    server_ = RecurServer::Start(options);
    if (!server_) throw std::runtime_error("recur serve did not start");
    return *server_;
  }

  // Serves on a wall clock the test steps (tests/support/shifted_wall_clock.cc, preloaded), at
  // the real time until StepClockTo; with `args`, more flags.
  RecurServer& ServeOnShiftedClock(const std::vector<std::string>& args = {}) {
    StepClockTo(0);
    RecurServer::Options options = Options();
    options.args.insert(options.args.end(), args.begin(), args.end());
    const std::string library =
        (std::filesystem::path(RecurBinary()).parent_path() / "librecur_shifted_wall_clock.so")
            .string();
    options.env["LD_PRELOAD"] = library;
    options.env["RECUR_TEST_CLOCK_SHIFT_FILE"] = shift_file();
    // Under AddressSanitizer, a preloaded library comes before its runtime, which it allows.
    const char* asan = std::getenv("ASAN_OPTIONS");
    options.env["ASAN_OPTIONS"] =
        std::string(asan ? asan : "") + (asan ? ":" : "") + "verify_asan_link_order=0";
    server_ = RecurServer::Start(options);
    if (!server_) throw std::runtime_error("recur serve did not start on a shifted clock");
    return *server_;
  }
  // Steps the wall clock of a server of ServeOnShiftedClock to `shift_ms` from the real time.
  void StepClockTo(std::int64_t shift_ms) { WriteFile(shift_file(), std::to_string(shift_ms)); }
  std::string shift_file() const { return dir_ / "clock-shift"; }

  static httplib::Headers Auth() {
    return {{"Authorization", std::string("Bearer ") + kTestSecretKey}};
  }

  static nlohmann::json Json(const httplib::Result& result) {
    if (!result) throw std::runtime_error("no HTTP answer");
    return nlohmann::json::parse(result->body);
  }

  struct Answer {
    int status = 0;
    nlohmann::json body;
  };
  // Authenticated JSON requests to the running server.
  Answer Call(const std::string& method, const std::string& path,
              const nlohmann::json& body = nullptr) {
    auto client = server_->Client();
    const std::string text = body.is_null() ? "" : body.dump();
    httplib::Result result = method == "GET"      ? client.Get(path, Auth())
                             : method == "DELETE" ? client.Delete(path, Auth())
                             : method == "PATCH"
                                 ? client.Patch(path, Auth(), text, "application/json")
                                 : client.Post(path, Auth(), text, "application/json");
    if (!result) throw std::runtime_error("no HTTP answer to " + method + " " + path);
    return {result->status, nlohmann::json::parse(result->body)};
  }

  // A new payer; with `token`, a default payment method too; with `test_clock`, living at that
  // clock's time.
  std::string NewPayer(const std::string& external_id, const std::string& token = "",
                       const std::string& type = "user", const std::string& test_clock = "") {
    nlohmann::json fields = {{"external_id", external_id},
                             {"type", type},
                             {"email", external_id + "@example.com"},
                             {"name", "Test Payer"}};
    if (!test_clock.empty()) fields["test_clock"] = test_clock;
    Answer payer = Call("POST", "/v1/payers", fields);
    if (payer.status != 200) throw std::runtime_error("payer: " + payer.body.dump());
    const std::string id = payer.body["id"];
    if (!token.empty()) {
      Answer method = Call("POST", "/v1/payers/" + id + "/payment_methods", {{"token", token}});
      if (method.status != 200) throw std::runtime_error("method: " + method.body.dump());
    }
    return id;
  }

  // Serves, subscribes a new payer whose card pays to the business plan, and stops the server:
  // the gateway's id of the one charge that made (what the sandbox keeps it under).
  std::string ChargeOnceAndStop() {
    Serve();
    const std::string payer = NewPayer("user_1", "pm_card_visa");
    Answer subscribed =
        Call("POST", "/v1/payers/" + payer + "/subscription_items", {{"plan", "business"}});
    if (subscribed.status != 200) throw std::runtime_error(subscribed.body.dump());
    Answer attempts = Call("GET", "/v1/payment_attempts?payer_id=" + payer);
    if (attempts.body["data"].size() != 1) throw std::runtime_error(attempts.body.dump());
    server_.reset();
    return attempts.body["data"][0]["gateway_external_id"];
  }

  // A new test clock frozen at `frozen_time` (Unix ms).
  std::string NewClock(std::int64_t frozen_time) {
    Answer clock = Call("POST", "/v1/test_clocks", {{"frozen_time", frozen_time}});
    if (clock.status != 200) throw std::runtime_error(clock.body.dump());
    return clock.body["id"];
  }

  // An advance answers when all its work is done: a large one, under the sanitizers, takes
  // far longer than an ordinary request.
  Answer Advance(const std::string& clock, std::int64_t to) {
    auto client = server_->Client();
    client.set_read_timeout(std::chrono::minutes(5));
    auto result = client.Post("/v1/test_clocks/" + clock + "/advance", Auth(),
                              nlohmann::json{{"frozen_time", to}}.dump(), "application/json");
    if (!result) throw std::runtime_error("no answer to the advance of " + clock);
    return {result->status, nlohmann::json::parse(result->body)};
  }

  // Events as GET /v1/events lists them (the envelope plus `id` and `payer_id`), read page by
  // page, oldest first; only the payer's when `payer_id` is given.
  std::vector<nlohmann::json> Events(const std::string& payer_id = "") {
    std::vector<nlohmann::json> events;
    std::string after;
    while (true) {
      Answer page =
          Call("GET", "/v1/events?limit=100" + (payer_id.empty() ? "" : "&payer_id=" + payer_id) +
                          (after.empty() ? "" : "&starting_after=" + after));
      if (page.status != 200) throw std::runtime_error("events: " + page.body.dump());
      for (const nlohmann::json& event : page.body["data"]) events.push_back(event);
      if (!page.body["has_more"].get<bool>()) break;
      after = page.body["data"].back()["id"];
    }
    std::reverse(events.begin(), events.end());
    return events;
  }

  // The body a webhook delivery carries for an event of Events(): the stored envelope, without
  // the `id` and `payer_id` the list adds.
  static nlohmann::json DeliveredEnvelope(nlohmann::json event) {
    event.erase("id");
    event.erase("payer_id");
    return event;
  }

  // Event types of a payer, oldest first.
  std::vector<std::string> EventTypes(const std::string& payer_id) {
    std::vector<std::string> types;
    for (const nlohmann::json& event : Events(payer_id)) types.push_back(event["type"]);
    return types;
  }

  // The invariants of the payer's account as stored, read from the database beside the running
  // server (on SQLite, WAL lets a second connection read while it writes).
  std::vector<std::string> InvariantViolations(const std::string& payer_id) {
    SeededIdGenerator ids(1);
    auto store = OpenStore(ids);
    if (!store) return {"cannot open the database: " + store.error().message};
    auto account = (*store)->LoadAccount(payer_id);
    if (!account || !*account) return {"cannot load payer " + payer_id};
    return CheckAccountInvariants(**account);
  }

  // A store of the test's own on the server's database.
  Result<std::unique_ptr<Store>> OpenStore(IdGenerator& ids) const {
    if (postgres_) {
      auto store = PostgresStore::Open(postgres_->settings(1), ids, Instant{});
      if (!store) return std::unexpected(store.error());
      return std::unique_ptr<Store>(std::move(*store));
    }
    auto store = SqliteStore::Open(db_path(), ids, Instant{});
    if (!store) return std::unexpected(store.error());
    return std::unique_ptr<Store>(std::move(*store));
  }

  TempDir dir_;
  std::unique_ptr<TemporaryPostgresDatabase> postgres_;  // on PostgreSQL; dropped after the server
  std::unique_ptr<RecurServer> server_;
};

}  // namespace recur::testing
