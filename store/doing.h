// What a store call was doing, for the message of its error ("loading payer cpayer_..."), on
// every backend. Only views are kept, and the text is made only when the call fails, so naming
// the payer costs a read that succeeds nothing. Pure.
#pragma once

#include <string>
#include <string_view>

namespace recur {

struct Doing {
  std::string_view what;
  std::string_view subject = {};
  std::string Text() const {
    std::string text(what);
    if (!subject.empty()) text.append(" ").append(subject);
    return text;
  }
};

}  // namespace recur
