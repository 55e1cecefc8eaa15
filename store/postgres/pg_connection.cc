#include "store/postgres/pg_connection.h"

#include <poll.h>

#include <string>

#include "store/postgres/pg_conninfo.h"
#include "store/postgres/pg_errors.h"

namespace recur {
namespace {

using OwnedResult = std::unique_ptr<PGresult, void (*)(PGresult*)>;

OwnedResult Own(PGresult* result) { return OwnedResult(result, &PQclear); }

bool Succeeded(const PGresult* result) {
  const ExecStatusType status = PQresultStatus(result);
  return status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK;
}

}  // namespace

Result<std::unique_ptr<PgConnection>> PgConnection::Open(const Settings& settings) {
  if (Status readable = CheckConninfo(settings.conninfo); !readable) {
    return std::unexpected(readable.error());
  }
  const auto seconds =
      std::chrono::duration_cast<std::chrono::seconds>(settings.connect_timeout).count();
  const std::string connect_timeout = std::to_string(seconds < 1 ? 1 : seconds);
  // Earlier words are defaults that the connection string's own settings override.
  const char* keywords[] = {"connect_timeout", "application_name", "dbname", nullptr};
  const char* values[] = {connect_timeout.c_str(), "recur", settings.conninfo.c_str(), nullptr};
  PGconn* raw = PQconnectdbParams(keywords, values, /*expand_dbname=*/1);
  if (raw == nullptr) {
    return MakeError(ErrorKind::kUnavailable, "unavailable",
                     "cannot connect to PostgreSQL: out of memory");
  }
  std::unique_ptr<PgConnection> connection(new PgConnection(raw));
  if (PQstatus(raw) != CONNECTION_OK) {
    const std::string database = DescribeConninfo(settings.conninfo);
    return std::unexpected(
        PostgresFailure({"connecting to PostgreSQL", database}, "", PQerrorMessage(raw)));
  }
  const std::string session =
      "SET statement_timeout = " + std::to_string(settings.statement_timeout.count()) +
      "; SET TIME ZONE 'UTC'; SET client_min_messages = warning";
  if (Status set = connection->Script({"setting up the connection"}, session); !set) {
    return std::unexpected(set.error());
  }
  return connection;
}

PgConnection::~PgConnection() { PQfinish(connection_); }

bool PgConnection::broken() const { return PQstatus(connection_) != CONNECTION_OK; }

bool PgConnection::ClosedByServer() {
  // An idle connection has nothing to read but a notice, or the server's last words (a FATAL
  // message) and then the end: two reads at most tell them apart.
  for (int read = 0; read < 2 && !broken(); ++read) {
    pollfd socket{PQsocket(connection_), POLLIN, 0};
    if (::poll(&socket, 1, 0) <= 0) break;
    if (PQconsumeInput(connection_) == 0) return true;
  }
  return broken();
}

bool PgConnection::in_transaction() const {
  return !pending_begin_.empty() || PQtransactionStatus(connection_) != PQTRANS_IDLE;
}

Error PgConnection::Failure(const Doing& doing, const PGresult* result) const {
  const char* sqlstate =
      result != nullptr && !broken() ? PQresultErrorField(result, PG_DIAG_SQLSTATE) : nullptr;
  const char* message = result != nullptr ? PQresultErrorMessage(result) : "";
  if (message == nullptr || *message == '\0') message = PQerrorMessage(connection_);
  return PostgresFailure(doing, sqlstate != nullptr ? sqlstate : "", message);
}

Result<PgResult> PgConnection::Exec(const Doing& doing, const std::string& sql,
                                    const PgParams& params) {
  if (!pending_begin_.empty()) {
    auto results = Pipeline(doing, {{sql, params}});
    if (!results) return std::unexpected(results.error());
    return std::move(results->front());
  }
  auto prepared = prepared_.find(sql);
  if (prepared == prepared_.end()) {
    const std::string name = "s" + std::to_string(prepared_.size() + 1);
    ++round_trips_;
    OwnedResult made = Own(PQprepare(connection_, name.c_str(), sql.c_str(), 0, nullptr));
    if (!Succeeded(made.get())) return std::unexpected(Failure(doing, made.get()));
    prepared = prepared_.emplace(sql, name).first;
  }
  ++round_trips_;
  PGresult* result =
      PQexecPrepared(connection_, prepared->second.c_str(), params.size(), params.values(),
                     params.lengths(), params.formats(), /*resultFormat=*/0);
  if (!Succeeded(result)) {
    Error error = Failure(doing, result);
    PQclear(result);
    return std::unexpected(std::move(error));
  }
  return PgResult(result);
}

Result<std::vector<PgResult>> PgConnection::Pipeline(const Doing& doing,
                                                     const std::vector<PgStatement>& statements) {
  if (PQenterPipelineMode(connection_) != 1) return std::unexpected(Failure(doing, nullptr));
  // BEGIN and the statements that open the transaction go first; their results are dropped.
  std::size_t leading = 0;
  bool sent = true;
  auto send = [&](const PgStatement& statement) {
    if (!sent) return;
    const PgParams& params = statement.params;
    sent = PQsendQueryParams(connection_, statement.sql.c_str(), params.size(), nullptr,
                             params.values(), params.lengths(), params.formats(), 0) == 1;
  };
  if (!pending_begin_.empty()) {
    send({pending_begin_, {}});
    for (const PgStatement& statement : pending_opening_) send(statement);
    leading = 1 + pending_opening_.size();
    pending_begin_.clear();
    pending_opening_.clear();
  }
  for (const PgStatement& statement : statements) send(statement);
  if (!sent || PQpipelineSync(connection_) != 1) {
    return std::unexpected(Failure(doing, nullptr));
  }
  ++round_trips_;

  std::vector<PgResult> results;
  results.reserve(statements.size());
  std::optional<Error> first_failure;
  const std::size_t expected = leading + statements.size();
  for (std::size_t i = 0; i < expected; ++i) {
    PGresult* result = PQgetResult(connection_);
    if (result == nullptr) return std::unexpected(Failure(doing, nullptr));  // connection lost
    if (PQresultStatus(result) == PGRES_FATAL_ERROR && !first_failure) {
      first_failure = Failure(doing, result);
    }
    if (i < leading) {
      PQclear(result);
    } else {
      results.emplace_back(result);
    }
    // Each statement's results end with a null.
    while (PGresult* extra = PQgetResult(connection_)) PQclear(extra);
  }
  OwnedResult sync = Own(PQgetResult(connection_));
  if (sync == nullptr || PQresultStatus(sync.get()) != PGRES_PIPELINE_SYNC) {
    return std::unexpected(Failure(doing, sync.get()));
  }
  if (PQexitPipelineMode(connection_) != 1) return std::unexpected(Failure(doing, nullptr));
  if (first_failure) return std::unexpected(std::move(*first_failure));
  return results;
}

Status PgConnection::Script(const Doing& doing, const std::string& sql) {
  if (!pending_opening_.empty()) {
    // Statements with parameters cannot go in a script: they open the transaction first.
    if (auto opened = Pipeline(doing, {}); !opened) return std::unexpected(opened.error());
  }
  std::string text = sql;
  if (!pending_begin_.empty()) {
    text = pending_begin_ + "; " + sql;
    pending_begin_.clear();
  }
  ++round_trips_;
  OwnedResult result = Own(PQexec(connection_, text.c_str()));
  if (!Succeeded(result.get())) return std::unexpected(Failure(doing, result.get()));
  return Ok();
}

}  // namespace recur
