#include "store/gateway_event_scope.h"

namespace recur {
namespace {

thread_local GatewayEventScope* current_scope = nullptr;

}  // namespace

GatewayEventScope::GatewayEventScope(std::string id, std::string type, Instant at)
    : record_{std::move(id), std::move(type), at} {
  current_scope = this;
}

GatewayEventScope::~GatewayEventScope() { current_scope = nullptr; }

std::optional<GatewayEventRecord> GatewayEventScope::Pending() {
  if (current_scope == nullptr || current_scope->recorded_) return std::nullopt;
  return current_scope->record_;
}

void GatewayEventScope::Recorded() {
  if (current_scope != nullptr) current_scope->recorded_ = true;
}

}  // namespace recur
