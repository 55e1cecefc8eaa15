# Compiler settings of a fuzzing build (-DRECUR_FUZZ=ON; fuzz/README.md). libFuzzer comes with
# clang only, and clang before 16 cannot compile libstdc++'s std::expected, which Result is.
if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang" OR CMAKE_CXX_COMPILER_VERSION VERSION_LESS 16)
  message(FATAL_ERROR "RECUR_FUZZ needs clang 16 or later (Debian 12: apt-get install clang-16 "
                      "libclang-rt-16-dev), configured with -DCMAKE_CXX_COMPILER=clang++-16; "
                      "this is ${CMAKE_CXX_COMPILER_ID} ${CMAKE_CXX_COMPILER_VERSION}")
endif()
if(CMAKE_CXX_COMPILER_VERSION VERSION_LESS 19)
  # libstdc++ 12 offers std::expected only when __cpp_concepts says C++20 concepts are complete.
  # Clang 16 implements what std::expected needs of them (conditionally trivial special members,
  # P0848) but announces the full level only from clang 19.
  add_compile_options(-Wno-builtin-macro-redefined -Wno-macro-redefined -D__cpp_concepts=202002L)
endif()
# Every library is instrumented for coverage; only the fuzz targets link libFuzzer's main.
# -O1 keeps the build short and the sanitizers' reports precise.
add_compile_options(-O1 -gline-tables-only -fsanitize=fuzzer-no-link,address,undefined
                    -fno-sanitize-recover=all -fno-omit-frame-pointer)
add_link_options(-fsanitize=address,undefined)
