// Text put into HTML: & < > " ' written as character references, so that data shown on a page
// (a name, an email) is read as text in element content and in quoted attribute values, never
// as markup. Pure; thread-safe.
#pragma once

#include <string>
#include <string_view>

namespace recur {

std::string EscapeHtml(std::string_view text);

}  // namespace recur
