# clearway_library(NAME name [DIR dir] DEPS ... PRIVATE_DEPS ...)
#   One library target per module: clearway_<name>, aliased clearway::<name>, built from the
#   .cc files of src/<dir> (not recursive). Includes are rooted at src/.
# clearway_test(NAME name DIR dir DEPS ... [LABELS ...])
#   One GoogleTest executable per module from tests/<dir>/*_test.cc, registered with CTest.

add_library(clearway_warnings INTERFACE)
target_compile_options(clearway_warnings INTERFACE
  -Wall -Wextra -Wpedantic -Wconversion -Wsign-conversion -Wshadow -Wnon-virtual-dtor
  -Wcast-qual -Wformat=2 -Wimplicit-fallthrough -Wvla -Werror)
# GCC 12 reports -Wrestrict false positives inside libstdc++'s operator+ on strings at -O2
# (GCC bug 105329); the warning stays on for other compilers.
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU" AND CMAKE_CXX_COMPILER_VERSION VERSION_LESS 13)
  target_compile_options(clearway_warnings INTERFACE -Wno-restrict)
endif()

add_library(clearway_build INTERFACE)
target_link_libraries(clearway_build INTERFACE clearway_warnings Threads::Threads)
target_compile_definitions(clearway_build INTERFACE
  BOOST_ASIO_NO_DEPRECATED BOOST_BEAST_USE_STD_STRING_VIEW)
if(CLEARWAY_SANITIZE)
  target_compile_options(clearway_build INTERFACE
    -fsanitize=address,undefined -fno-sanitize-recover=all -fno-omit-frame-pointer)
  target_link_options(clearway_build INTERFACE -fsanitize=address,undefined)
endif()

function(clearway_library)
  cmake_parse_arguments(ARG "" "NAME;DIR" "DEPS;PRIVATE_DEPS" ${ARGN})
  if(NOT ARG_DIR)
    set(ARG_DIR ${ARG_NAME})
  endif()
  file(GLOB srcs CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/src/${ARG_DIR}/*.cc)
  add_library(clearway_${ARG_NAME} STATIC ${srcs})
  add_library(clearway::${ARG_NAME} ALIAS clearway_${ARG_NAME})
  target_include_directories(clearway_${ARG_NAME} PUBLIC ${PROJECT_SOURCE_DIR}/src)
  target_link_libraries(clearway_${ARG_NAME} PUBLIC ${ARG_DEPS} PRIVATE clearway_build ${ARG_PRIVATE_DEPS})
endfunction()

function(clearway_test)
  cmake_parse_arguments(ARG "" "NAME;DIR" "DEPS;LABELS" ${ARGN})
  if(NOT ARG_DIR)
    set(ARG_DIR ${ARG_NAME})
  endif()
  file(GLOB srcs CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/tests/${ARG_DIR}/*_test.cc)
  if(NOT srcs)
    message(WARNING "clearway_test(${ARG_NAME}): no tests/${ARG_DIR}/*_test.cc yet")
    return()
  endif()
  set(target ${ARG_NAME}_test)
  add_executable(${target} ${srcs})
  target_include_directories(${target} PRIVATE ${PROJECT_SOURCE_DIR}/src ${PROJECT_SOURCE_DIR}/tests)
  target_link_libraries(${target} PRIVATE ${ARG_DEPS} clearway_build GTest::gmock GTest::gtest_main)
  add_test(NAME ${ARG_NAME} COMMAND ${target})
  set_tests_properties(${ARG_NAME} PROPERTIES
    LABELS "${ARG_NAME};${ARG_LABELS}"
    ENVIRONMENT "CLEARWAY_SOURCE_DIR=${PROJECT_SOURCE_DIR};CLEARWAY_BINARY_DIR=${PROJECT_BINARY_DIR}")
endfunction()
