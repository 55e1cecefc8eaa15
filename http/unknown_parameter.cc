#include "http/unknown_parameter.h"

#include "base/suggest.h"

namespace recur {

Error UnknownParameter(std::string_view kind, const std::string& name,
                       std::span<const std::string_view> known) {
  return MakeError(ErrorKind::kInvalidArgument, "unknown_parameter",
                   "unknown " + std::string(kind) + " " + name + DidYouMean(name, known), name)
      .error();
}

}  // namespace recur
