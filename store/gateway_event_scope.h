// Which gateway message (a Stripe webhook event) the current thread is applying, so that a store
// records the message's id in the transaction of the first change it makes while applying it:
// the change and the record commit together or not at all, and a message delivered again, even
// after a crash right after the commit, finds its id recorded (gateway_event_store.h). The
// webhook handler opens a scope around ApplyNotice; the services in between know nothing of it.
// When the id is recorded already (another delivery of the message applied it first, on this
// node or another), that first change is refused whole with "gateway_event_applied"
// (store_errors.h), so the message changes nothing twice. Changes after the first one in the
// scope (charges the first one asked for) record nothing more. A backend that hands its writes
// to a thread of its own reads Pending() on the caller's thread, and calls Recorded() there
// once the write committed.
// Thread safety: a scope belongs to the thread that made it; scopes do not nest.
#pragma once

#include <optional>
#include <string>

#include "base/clock.h"

namespace recur {

struct GatewayEventRecord {
  std::string id;
  std::string type;
  Instant at;
};

class GatewayEventScope {
 public:
  GatewayEventScope(std::string id, std::string type, Instant at);
  ~GatewayEventScope();
  GatewayEventScope(const GatewayEventScope&) = delete;
  GatewayEventScope& operator=(const GatewayEventScope&) = delete;

  // The message to record with the next change on this thread: none outside a scope, or once a
  // change of the scope recorded it.
  static std::optional<GatewayEventRecord> Pending();
  // A change of the scope open on this thread committed with the message's id.
  static void Recorded();

  // Whether a change of this scope committed with the message's id.
  bool recorded() const { return recorded_; }

 private:
  GatewayEventRecord record_;
  bool recorded_ = false;
};

}  // namespace recur
