// What LoadAccount returns after a successful SaveTransition(before, after), worked out from the
// two accounts alone, so that a cache can keep the account it just stored instead of reading it
// back. It follows the AccountStore contract (account_store.h): a payer keeps the fields it was
// created with, its version goes up by one, methods are never changed or removed, items and
// attempts are never removed, only pending attempts are held, and each list is oldest first
// (methods by creation then id, items and attempts by creation).
// Where `after` does not say it all, nothing is returned and the caller reads the store: when
// `after` changes a fixed payer field or an existing method, leaves out something `before`
// held, or adds an item or attempt whose place among equal creation instants the store decides:
// one created at the same instant as another new one, or placed in `after` before an old one
// of its instant (the store puts what it adds after what it holds, so a payer on a frozen test
// clock is still predicted).
// Pure.
#pragma once

#include <optional>

#include "domain/subscriptions/account.h"

namespace recur {

// `before` is null for a new payer.
std::optional<Account> AccountAsStored(const Account* before, const Account& after);

// Puts the account's lists in the order LoadAccount returns them: methods by creation then id,
// items and attempts by creation (stable, so equal instants keep their order).
void SortAsLoaded(Account& account);

}  // namespace recur
