// The changes to a payer's saved cards and gateway customer beyond adding a card
// (lifecycle.h's AddPaymentMethod): making a saved card the default, removing one, and keeping
// or forgetting the payer's customer at the gateway. None of them emits an event. Pure.
#pragma once

#include <string>
#include <string_view>

#include "base/error.h"
#include "domain/subscriptions/lifecycle.h"

namespace recur {

// The payer's saved method whose Recur id (cpm_...) or gateway token is `id_or_token`, or null.
const PaymentMethod* FindPaymentMethod(const Account& account, std::string_view id_or_token);

// Whether the payer has a live item (current or upcoming) that costs money: the default card
// is what that item's next charge takes.
bool HasPaidItem(const Account& account);

// Makes the saved method `method_id` the payer's default. Unknown: kNotFound
// "payment_method_not_found".
Result<Transition> SetDefaultPaymentMethod(Account& account, std::string_view method_id);

// Whether the default card of a payer with a paid item may be removed.
enum class DefaultCardRule {
  kKeepForPaidItems,   // refused: the payer asked, and another card must be the default first
  kGatewayDetachedIt,  // removed: the gateway cannot charge it any more whatever Recur keeps
};

// Removes the saved method `method_id`. Under kKeepForPaidItems the default card of a payer with
// a paid item is refused (kAlreadyExists, HTTP 409, "default_payment_method_in_use"): another
// card must be made the default first. Removing the default leaves the payer without one.
// Unknown: kNotFound "payment_method_not_found".
Result<Transition> RemovePaymentMethod(Account& account, std::string_view method_id,
                                       DefaultCardRule rule = DefaultCardRule::kKeepForPaidItems);

// Keeps the payer's customer at the gateway; an empty `customer` forgets it (the gateway deleted
// it: the next need makes a new one).
Result<Transition> KeepGatewayCustomer(Account& account, const std::string& customer);

}  // namespace recur
