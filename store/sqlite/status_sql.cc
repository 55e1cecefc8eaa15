#include "store/sqlite/status_sql.h"

#include "base/enum_names.h"
#include "domain/subscriptions/account.h"

namespace recur {

std::string CurrentStatusesSql() {
  std::string list;
  for (ItemStatus status : EnumValues<ItemStatus>(ItemStatusName)) {
    if (!IsCurrentStatus(status)) continue;
    list.append(list.empty() ? "('" : ", '").append(ItemStatusName(status)).append("'");
  }
  return list + ")";
}

}  // namespace recur
