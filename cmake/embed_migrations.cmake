# Generates a C++ source holding every schema/BACKEND/NNNN_name.sql file as a Migration
# (store/migrations.h), returned by `function_name` (declared in `header`), so the binary carries
# its schemas and runs from any folder. CMake re-runs when a migration file changes.
include(${CMAKE_CURRENT_LIST_DIR}/write_if_changed.cmake)

function(recur_embed_migrations backend header function_name output)
  file(GLOB sql_files CONFIGURE_DEPENDS "${CMAKE_SOURCE_DIR}/schema/${backend}/*.sql")
  list(SORT sql_files)
  # Re-run CMake when a migration's text changes, not only when files come or go.
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${sql_files})
  set(entries "")
  foreach(sql_file IN LISTS sql_files)
    get_filename_component(name "${sql_file}" NAME)
    if(NOT name MATCHES "^([0-9][0-9][0-9][0-9])_[a-z0-9_]+\\.sql$")
      message(FATAL_ERROR "schema/${backend}/${name}: migration files are named NNNN_words.sql")
    endif()
    math(EXPR version "${CMAKE_MATCH_1}")
    file(READ "${sql_file}" sql)
    string(APPEND entries "    {${version}, \"${name}\", R\"recur_sql(${sql})recur_sql\"},\n")
  endforeach()
  set(content
"// Generated from schema/${backend}/*.sql by cmake/embed_migrations.cmake. Do not edit.
#include \"${header}\"

namespace recur {

std::span<const Migration> ${function_name}() {
  static const Migration kMigrations[] = {
${entries}  };
  return kMigrations;
}

}  // namespace recur
")
  recur_write_if_changed("${output}" "${content}")
endfunction()
