# Writes `content` to `output` only when it differs from what the file holds, so that a re-run of
# CMake does not make a generated source look new and force a rebuild.
function(recur_write_if_changed output content)
  if(EXISTS "${output}")
    file(READ "${output}" previous)
  endif()
  if(NOT "${previous}" STREQUAL "${content}")
    file(WRITE "${output}" "${content}")
  endif()
endfunction()
