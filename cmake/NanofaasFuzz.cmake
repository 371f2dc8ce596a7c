# NANOFAAS_FUZZ: the libFuzzer targets of fuzz/. Needs clang; instruments every target of the
# build (the library too) for coverage and with AddressSanitizer and UBSan, so it is a build
# of its own (scripts/fuzz.sh uses build/fuzz).
if(NOT CMAKE_CXX_COMPILER_ID STREQUAL "Clang")
  message(FATAL_ERROR "NANOFAAS_FUZZ needs clang (libFuzzer), not ${CMAKE_CXX_COMPILER_ID}: "
                      "configure with -DCMAKE_CXX_COMPILER=clang++-14")
endif()
# fuzzer-no-link: coverage instrumentation without libFuzzer's main, which only the fuzz
# executables link (fuzz/CMakeLists.txt).
add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-sanitize-recover=undefined
                    -fno-omit-frame-pointer)
add_link_options(-fsanitize=address,undefined)
