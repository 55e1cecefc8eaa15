// Recur's version, as it names itself to operators (`recur --version`) and to other systems
// (the User-Agent of its requests to a payment gateway). The project's version in
// CMakeLists.txt is the one source of it. A constant.
#pragma once

#include <string_view>

namespace recur {

extern const std::string_view kRecurVersion;

}  // namespace recur
