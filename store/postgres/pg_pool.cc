#include "store/postgres/pg_pool.h"

namespace recur {

Result<std::unique_ptr<PgPool>> PgPool::Open(const Settings& settings) {
  if (settings.max_connections < 1) {
    return MakeError(ErrorKind::kInvalidArgument, "pool_size_invalid",
                     "the PostgreSQL pool needs at least one connection, not " +
                         std::to_string(settings.max_connections));
  }
  std::unique_ptr<PgPool> pool(new PgPool(settings));
  auto first = pool->Acquire({"connecting to PostgreSQL"});
  if (!first) return std::unexpected(first.error());
  return pool;
}

Result<PgPool::Lease> PgPool::Acquire(const Doing& doing) {
  while (true) {
    std::unique_ptr<PgConnection> idle;
    {
      std::unique_lock lock(mutex_);
      const bool available = returned_.wait_for(lock, settings_.acquire_timeout, [&] {
        return !idle_.empty() || open_ < settings_.max_connections;
      });
      if (!available) {
        return MakeError(ErrorKind::kUnavailable, "unavailable",
                         doing.Text() + " failed: all " +
                             std::to_string(settings_.max_connections) +
                             " PostgreSQL connections stayed busy for " +
                             std::to_string(settings_.acquire_timeout.count()) + " ms");
      }
      if (idle_.empty()) {
        ++open_;  // a place taken for the connection opened below, outside the lock
        break;
      }
      idle = std::move(idle_.back());
      idle_.pop_back();
    }
    // One the server closed while it was idle (it restarted, say) is dropped, not used to fail
    // this call.
    if (!idle->ClosedByServer()) return Lease(*this, std::move(idle));
    {
      std::lock_guard lock(mutex_);
      round_trips_of_closed_ += idle->round_trips();
      --open_;
    }
    idle.reset();
  }
  auto opened = PgConnection::Open(settings_.connection);
  if (!opened) {
    {
      std::lock_guard lock(mutex_);
      --open_;
    }
    returned_.notify_one();
    return std::unexpected(opened.error());
  }
  return Lease(*this, std::move(*opened));
}

void PgPool::GiveBack(std::unique_ptr<PgConnection> connection) {
  if (!connection->broken() && connection->in_transaction()) {
    // A job left a transaction open (it failed midway): undone before anyone else uses it.
    if (!connection->Script({"rolling back"}, "ROLLBACK")) connection.reset();
  }
  {
    std::lock_guard lock(mutex_);
    if (connection != nullptr && !connection->broken()) {
      idle_.push_back(std::move(connection));
    } else {
      if (connection != nullptr) round_trips_of_closed_ += connection->round_trips();
      --open_;
    }
  }
  returned_.notify_one();
}

PgPool::Lease::~Lease() {
  if (connection_ != nullptr) pool_->GiveBack(std::move(connection_));
}

Error PgPool::ExceptionFailure(const Doing& doing, const std::exception& error) {
  if (const auto* failure = dynamic_cast<const PgFailure*>(&error)) return failure->error;
  return {ErrorKind::kUnavailable, "storage_error", doing.Text() + " failed: " + error.what()};
}

Status PgPool::Write(const Doing& doing, const WriteJob& write, std::vector<PgStatement> opening) {
  auto lease = Acquire(doing);
  if (!lease) return std::unexpected(lease.error());
  PgConnection& connection = **lease;
  connection.BeginLazily("BEGIN", std::move(opening));
  Status done;
  try {
    done = write(connection);
  } catch (const std::exception& error) {
    done = std::unexpected(ExceptionFailure(doing, error));
  }
  if (!done) return done;                         // the lease's end rolls the transaction back
  if (connection.DropUnsentBegin()) return done;  // the job ran no statement
  const auto committing = std::chrono::steady_clock::now();
  Status committed = connection.Script(doing, "COMMIT");
  commit_latency_.Observe(std::chrono::steady_clock::now() - committing);
  return committed;
}

std::int64_t PgPool::round_trips() const {
  std::lock_guard lock(mutex_);
  std::int64_t total = round_trips_of_closed_;
  for (const auto& connection : idle_) total += connection->round_trips();
  return total;
}

}  // namespace recur
