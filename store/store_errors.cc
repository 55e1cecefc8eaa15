#include "store/store_errors.h"

#include <string>

namespace recur {

std::unexpected<Error> Conflict(std::string_view what) {
  return MakeError(ErrorKind::kAlreadyExists, "conflict",
                   "the change conflicts with stored data: " + std::string(what));
}

std::unexpected<Error> ConcurrentChange(std::string_view what_changed) {
  return MakeError(ErrorKind::kAborted, "concurrent_change",
                   std::string(what_changed) + " was changed by another request; retry");
}

std::unexpected<Error> WorkAlreadyDone(std::int64_t work_id) {
  return MakeError(ErrorKind::kAborted, "work_already_done",
                   "due work " + std::to_string(work_id) + " was done already");
}

std::unexpected<Error> WorkLeaseLost(std::int64_t work_id) {
  return MakeError(ErrorKind::kAborted, "work_lease_lost",
                   "the lease on due work " + std::to_string(work_id) +
                       " lapsed or was taken over; the change was not stored");
}

std::unexpected<Error> AttemptLeaseLost(std::string_view attempt_id) {
  return MakeError(ErrorKind::kAborted, "attempt_lease_lost",
                   "payment attempt " + std::string(attempt_id) +
                       " is held by another node, which settles it; the change was not stored");
}

std::unexpected<Error> GatewayEventAlreadyApplied(std::string_view event_id) {
  return MakeError(ErrorKind::kAborted, "gateway_event_applied",
                   "the gateway's message " + std::string(event_id) +
                       " was applied already; the change was not stored");
}

}  // namespace recur
