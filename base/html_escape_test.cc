#include "base/html_escape.h"

#include <gtest/gtest.h>

namespace recur::html_escape_test {
namespace {

TEST(EscapeHtmlTest, MarkupCharactersBecomeReferences) {
  EXPECT_EQ(EscapeHtml("<script>alert('x')</script>"),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt;");
  EXPECT_EQ(EscapeHtml("a \"b\" & c"), "a &quot;b&quot; &amp; c");
}

TEST(EscapeHtmlTest, OtherTextIsKeptAsItIs) {
  EXPECT_EQ(EscapeHtml("Zoë Müller, 20 €"), "Zoë Müller, 20 €");
  EXPECT_EQ(EscapeHtml(""), "");
}

}  // namespace
}  // namespace recur::html_escape_test
