# Generates a C++ source defining `std::string_view function_name()` (declared in `header`) that
# returns the text of `source` (a path under the source tree), so the binary carries the file and
# reads nothing at run time. CMake re-runs when the file changes.
include(${CMAKE_CURRENT_LIST_DIR}/write_if_changed.cmake)

function(recur_embed_text source header function_name output)
  set(path "${CMAKE_SOURCE_DIR}/${source}")
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${path}")
  file(READ "${path}" text)
  string(FIND "${text}" ")recur_text\"" delimiter_at)
  if(NOT delimiter_at EQUAL -1)
    message(FATAL_ERROR "${source} holds )recur_text\", which ends the raw string that embeds it")
  endif()
  set(content
"// Generated from ${source} by cmake/embed_text.cmake. Do not edit.
#include \"${header}\"

namespace recur {

// An array rather than a string_view of the literal: the view's constructor would count the
// characters in a constant-evaluated loop, which g++ stops at 262,144 iterations.
std::string_view ${function_name}() {
  static constexpr char kText[] = R\"recur_text(${text})recur_text\";
  return {kText, sizeof(kText) - 1};
}

}  // namespace recur
")
  recur_write_if_changed("${output}" "${content}")
endfunction()
