#include "services/scheduler/test_clocks.h"

#include <algorithm>
#include <atomic>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "base/log.h"

namespace recur {
namespace {

Error Advancing(const std::string& id) {
  return {ErrorKind::kAborted, "test_clock_advancing",
          "test clock " + id +
              " is being advanced (through this node or another): one advance of a clock at a "
              "time; ask again once it has finished",
          "id"};
}

// Renews an advance's lease every third of it, on a thread of its own, for as long as it
// lives; a store that holds advances without a lease (lease 0) needs none.
class AdvanceRenewal {
 public:
  AdvanceRenewal(TestClockStore& store, const ClockAdvance& advance, const Clock& clock) {
    if (advance.lease.count() <= 0) return;
    renewer_ = std::jthread([this, &store, advance, &clock](std::stop_token stop) {
      const auto every = std::max(advance.lease / 3, std::chrono::milliseconds(1));
      while (true) {
        {
          std::unique_lock lock(mutex_);
          stopped_.wait_for(lock, stop, every, [&stop] { return stop.stop_requested(); });
          if (stop.stop_requested()) return;
        }
        // A renewal that fails is tried again a third of the lease later; one that finds the
        // advance taken over stops: finishing it would be refused too.
        Status renewed = store.RenewAdvance(advance);
        if (renewed) continue;
        Log(clock.Now(), "warn", "test_clock_advance_not_renewed",
            {{"clock_id", advance.clock_id}, {"error", renewed.error().message}});
        if (renewed.error().code == "test_clock_advance_lost") {
          lost_ = true;
          return;
        }
      }
    });
  }

  bool lost() const { return lost_; }

 private:
  std::mutex mutex_;
  std::condition_variable_any stopped_;
  std::atomic<bool> lost_ = false;
  std::jthread renewer_;  // last: stopped and joined before the members it uses go
};

Status CheckRange(Instant t, const char* param) {
  if (ToUnixMillis(t) < 0 || ToUnixMillis(t) > kLatestUnixMillis) {
    return MakeError(ErrorKind::kInvalidArgument, "invalid_parameter",
                     std::string(param) + " must be Unix milliseconds from 1970 to 9999", param);
  }
  return Ok();
}

}  // namespace

Result<TestClock> TestClocks::Create(Instant frozen_time, std::string name) {
  if (auto valid = CheckRange(frozen_time, "frozen_time"); !valid) {
    return std::unexpected(valid.error());
  }
  TestClock test_clock{ids_.NewId("clock"), std::move(name), frozen_time, TestClockStatus::kReady,
                       clock_.Now()};
  if (auto created = store_.CreateTestClock(test_clock); !created) {
    return std::unexpected(created.error());
  }
  return test_clock;
}

Result<Page<TestClock>> TestClocks::List(const ListOptions& options) {
  return store_.ListTestClocks(options);
}

Result<TestClock> TestClocks::Get(const std::string& id) {
  auto found = store_.GetTestClock(id);
  if (!found) return std::unexpected(found.error());
  if (!*found) {
    return MakeError(ErrorKind::kNotFound, "test_clock_not_found", "no test clock " + id, "id");
  }
  return **found;
}

Result<TestClock> TestClocks::Delete(const std::string& id) {
  // One conditional write: an advance begun between a read and a write cannot be overwritten.
  auto after = store_.DeleteTestClock(id);
  if (!after) return std::unexpected(after.error());
  if (!*after) {
    return MakeError(ErrorKind::kNotFound, "test_clock_not_found", "no test clock " + id, "id");
  }
  if ((*after)->status == TestClockStatus::kAdvancing) return std::unexpected(Advancing(id));
  return **after;
}

Result<TestClock> TestClocks::Advance(const std::string& id, Instant to) {
  if (auto valid = CheckRange(to, "frozen_time"); !valid) return std::unexpected(valid.error());
  // A clock that changes between the read and the take (another advance began, or finished, or
  // the clock was deleted) is read again; it stays advancing only while another advance holds it.
  for (int read = 0; read < 3; ++read) {
    auto found = Get(id);
    if (!found) return found;
    if (found->status == TestClockStatus::kDeleted) {
      return MakeError(ErrorKind::kFailedPrecondition, "test_clock_deleted",
                       "test clock " + id + " is deleted");
    }
    if (to <= found->frozen_time) {
      return MakeError(ErrorKind::kInvalidArgument, "invalid_frozen_time",
                       "a test clock only moves forward: frozen_time must be later than " +
                           std::to_string(ToUnixMillis(found->frozen_time)),
                       "frozen_time");
    }
    auto taken = store_.BeginAdvance(id, found->frozen_time, to);
    if (!taken) return std::unexpected(taken.error());
    if (*taken) {
      if (Status ran = Run(**taken); !ran) return std::unexpected(ran.error());
      found->frozen_time = to;
      found->status = TestClockStatus::kReady;
      return found;
    }
    if (found->status == TestClockStatus::kAdvancing) break;
  }
  return std::unexpected(Advancing(id));
}

Status TestClocks::Run(const ClockAdvance& advance) {
  const AdvanceRenewal renewal(store_, advance, clock_);
  const auto give_up = [&](Error error) -> Status {
    (void)store_.GiveUpAdvance(advance);
    return std::unexpected(std::move(error));
  };
  std::chrono::milliseconds wait = options_.first_wait;
  std::optional<std::int64_t> least_left;
  auto last_progress = std::chrono::steady_clock::now();
  while (true) {
    auto ran = scheduler_.RunUntil(advance.to, advance.clock_id);
    if (!ran) return give_up(ran.error());
    // What is left is held by other nodes (their schedulers share the advance): wait for them,
    // and take over what a node that died or paused holds once its leases lapse.
    auto left = store_.AdvanceWorkLeft(advance.clock_id, advance.to);
    if (!left) return give_up(left.error());
    if (*left == 0) break;
    if (renewal.lost()) return std::unexpected(TestClockAdvanceLost(advance));
    const auto now = std::chrono::steady_clock::now();
    if (!least_left || *left < *least_left) {
      least_left = *left;
      last_progress = now;
    } else if (now - last_progress > options_.stall_limit) {
      return give_up({ErrorKind::kUnavailable, "test_clock_advance_stalled",
                      "the advance of test clock " + advance.clock_id + " to " +
                          std::to_string(ToUnixMillis(advance.to)) +
                          " gave up: " + std::to_string(*left) +
                          " pieces of its work, held by other nodes, have not moved; the work "
                          "done stays done, and the clock is back at its time",
                      ""});
    }
    std::this_thread::sleep_for(wait);
    wait = std::min(wait * 2, options_.longest_wait);
  }
  return store_.FinishAdvance(advance);
}

}  // namespace recur
