# One place for the build conventions every target shares.

# Compiler warnings (errors when LIFDAG_WERROR) and sanitizers for one target.
function(lifdag_target_defaults target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wno-missing-field-initializers)
  if(LIFDAG_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
  if(LIFDAG_SANITIZE)
    target_compile_options(${target} PRIVATE -fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
    target_link_options(${target} PRIVATE -fsanitize=address,undefined)
  endif()
  target_compile_definitions(${target} PRIVATE QT_NO_CAST_FROM_ASCII QT_NO_CAST_TO_ASCII QT_NO_URL_CAST_FROM_STRING
                                              QT_USE_QSTRINGBUILDER QT_NO_KEYWORDS)
endfunction()

# lifdag_add_module(NAME SOURCES … [PUBLIC_LIBS …] [PRIVATE_LIBS …])
# A static library `lifdag_<NAME>` (alias lifdag::<NAME>) whose public headers live in
# modules/<NAME>/include/lifdag/<NAME>/.
function(lifdag_add_module name)
  cmake_parse_arguments(ARG "" "" "SOURCES;PUBLIC_LIBS;PRIVATE_LIBS" ${ARGN})
  add_library(lifdag_${name} STATIC ${ARG_SOURCES})
  add_library(lifdag::${name} ALIAS lifdag_${name})
  target_include_directories(lifdag_${name}
    PUBLIC ${CMAKE_CURRENT_SOURCE_DIR}/include
    PRIVATE ${CMAKE_CURRENT_SOURCE_DIR}/src)
  target_link_libraries(lifdag_${name} PUBLIC ${ARG_PUBLIC_LIBS} PRIVATE ${ARG_PRIVATE_LIBS})
  set_target_properties(lifdag_${name} PROPERTIES POSITION_INDEPENDENT_CODE ON)
  lifdag_target_defaults(lifdag_${name})
endfunction()

# lifdag_add_test(NAME SOURCES … LIBS … [LABELS …] [FIXTURES …] [ENV …] [TIMEOUT s] [GUI])
# One QtTest executable per unit, registered with ctest. LABELS: unit, postgres, podman, browser…
# FIXTURES names the ctest fixtures it requires (e.g. postgres for the throwaway server).
function(lifdag_add_test name)
  cmake_parse_arguments(ARG "GUI" "TIMEOUT" "SOURCES;LIBS;LABELS;FIXTURES;ENV" ${ARGN})
  add_executable(${name} ${ARG_SOURCES})
  target_link_libraries(${name} PRIVATE Qt6::Test lifdag_testsupport ${ARG_LIBS})
  lifdag_target_defaults(${name})
  target_compile_definitions(${name} PRIVATE
    LIFDAG_SOURCE_DIR="${PROJECT_SOURCE_DIR}"
    LIFDAG_BINARY_DIR="${PROJECT_BINARY_DIR}"
    LIFDAG_TEST_DATA_DIR="${CMAKE_CURRENT_SOURCE_DIR}/data")
  add_test(NAME ${name} COMMAND ${name})
  set(labels ${ARG_LABELS})
  if(NOT labels)
    set(labels unit)
  endif()
  # A QSKIP makes ctest report the test as skipped, so no skip hides in a green summary.
  set_tests_properties(${name} PROPERTIES LABELS "${labels}" SKIP_REGULAR_EXPRESSION "SKIP   : ")
  if(ARG_FIXTURES)
    set_tests_properties(${name} PROPERTIES FIXTURES_REQUIRED "${ARG_FIXTURES}")
  endif()
  set(env "QT_QPA_PLATFORM=offscreen" "LIFDAG_TEST_PG_ENV=${PROJECT_BINARY_DIR}/testpg/connection.env" ${ARG_ENV})
  set_tests_properties(${name} PROPERTIES ENVIRONMENT "${env}")
  if(ARG_TIMEOUT)
    set_tests_properties(${name} PROPERTIES TIMEOUT ${ARG_TIMEOUT})
  else()
    set_tests_properties(${name} PROPERTIES TIMEOUT 300)
  endif()
endfunction()

# lifdag_add_test_variant(NAME TEST exe [ENV …] [LABELS …] [FIXTURES …])
# Runs an existing test executable once more under another name and environment (e.g. the
# storage suite against PostgreSQL).
function(lifdag_add_test_variant name)
  cmake_parse_arguments(ARG "" "TEST" "ENV;LABELS;FIXTURES" ${ARGN})
  add_test(NAME ${name} COMMAND ${ARG_TEST})
  set_tests_properties(${name} PROPERTIES LABELS "${ARG_LABELS}" SKIP_REGULAR_EXPRESSION "SKIP   : " TIMEOUT 300
    ENVIRONMENT "QT_QPA_PLATFORM=offscreen;LIFDAG_TEST_PG_ENV=${PROJECT_BINARY_DIR}/testpg/connection.env;${ARG_ENV}")
  if(ARG_FIXTURES)
    set_tests_properties(${name} PROPERTIES FIXTURES_REQUIRED "${ARG_FIXTURES}")
  endif()
endfunction()
