// Recur's version, as it names itself to other systems (the User-Agent of its requests to a
// payment gateway). A constant.
#pragma once

#include <string_view>

namespace recur {

inline constexpr std::string_view kRecurVersion = "0.1.0";

}  // namespace recur
