#include "base/version.h"

namespace recur {

// RECUR_VERSION is defined for this file alone, from the project's version (CMakeLists.txt).
const std::string_view kRecurVersion = RECUR_VERSION;

}  // namespace recur
