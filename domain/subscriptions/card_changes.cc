#include "domain/subscriptions/card_changes.h"

#include <algorithm>

namespace recur {
namespace {

std::unexpected<Error> MethodNotFound(const Account& account, std::string_view method_id) {
  return MakeError(ErrorKind::kNotFound, "payment_method_not_found",
                   "payer " + account.payer.id + " has no payment method " + std::string(method_id),
                   "payment_method");
}

}  // namespace

const PaymentMethod* FindPaymentMethod(const Account& account, std::string_view id_or_token) {
  for (const PaymentMethod& method : account.payment_methods) {
    if (method.id == id_or_token || method.token == id_or_token) return &method;
  }
  return nullptr;
}

bool HasPaidItem(const Account& account) {
  return std::ranges::any_of(account.items, [](const SubscriptionItem& item) {
    return IsLiveStatus(item.status) && item.amount > 0;
  });
}

Result<Transition> SetDefaultPaymentMethod(Account& account, std::string_view method_id) {
  const PaymentMethod* method = FindPaymentMethod(account, method_id);
  if (method == nullptr || method->id != method_id) return MethodNotFound(account, method_id);
  account.payer.default_payment_method_id = method->id;
  return Transition{};
}

Result<Transition> RemovePaymentMethod(Account& account, std::string_view method_id,
                                       DefaultCardRule rule) {
  const PaymentMethod* method = FindPaymentMethod(account, method_id);
  if (method == nullptr || method->id != method_id) return MethodNotFound(account, method_id);
  const bool is_default = account.payer.default_payment_method_id == method->id;
  if (is_default && rule == DefaultCardRule::kKeepForPaidItems && HasPaidItem(account)) {
    return MakeError(ErrorKind::kAlreadyExists, "default_payment_method_in_use",
                     "payment method " + method->id + " is the default card of payer " +
                         account.payer.id +
                         ", whose paid subscription item is charged to it; make another card "
                         "the default first",
                     "payment_method");
  }
  if (is_default) account.payer.default_payment_method_id.reset();
  std::erase_if(account.payment_methods,
                [&](const PaymentMethod& saved) { return saved.id == method_id; });
  return Transition{};
}

Result<Transition> KeepGatewayCustomer(Account& account, const std::string& customer) {
  if (customer.empty()) {
    account.payer.gateway_customer_id.reset();
  } else {
    account.payer.gateway_customer_id = customer;
  }
  return Transition{};
}

}  // namespace recur
