// SHA-256 digests (OpenSSL) as lower-case hex, and a comparison of secrets in constant time.
#pragma once

#include <string>
#include <string_view>

namespace recur {

std::string Sha256Hex(std::string_view data);

// True when a == b, taking the same time for any two inputs of the same length.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace recur
