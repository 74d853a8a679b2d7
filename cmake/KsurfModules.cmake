# One static library per module of src/, linked only to the modules the
# design lets it know (docs/architecture.md). Includes are written
# "module/header.h"; each library sees a module's headers only through an
# include root that holds that module alone (build/modules/<m>/<m> -> src/<m>),
# and it gets the roots of the modules it links. So an include of a module a
# library may not know fails to compile ("No such file"), instead of working
# through one shared -Isrc.

set(KSURF_MODULE_ROOTS ${CMAKE_BINARY_DIR}/modules)

# ksurf_module(NAME [DEPS module...] [LIBS target...])
# Sources are globbed (CONFIGURE_DEPENDS), so files added to src/NAME/ are
# built without touching this file. A module whose directory does not exist
# (yet) is skipped; its dependants then simply do not link it.
function(ksurf_module name)
  cmake_parse_arguments(PARSE_ARGV 1 M "" "" "DEPS;LIBS")
  set(dir ${CMAKE_SOURCE_DIR}/src/${name})
  set_property(GLOBAL APPEND PROPERTY KSURF_DECLARED_MODULES ${name})
  if(NOT IS_DIRECTORY ${dir})
    return()
  endif()
  set(root ${KSURF_MODULE_ROOTS}/${name})
  file(MAKE_DIRECTORY ${root})
  file(REMOVE ${root}/${name}) # a build directory reused for another checkout
  file(CREATE_LINK ${dir} ${root}/${name} SYMBOLIC)
  # C files: thin wrappers over C-only library headers (libtracefs 1.6's).
  file(GLOB srcs CONFIGURE_DEPENDS ${dir}/*.cpp ${dir}/*.c)
  set(t ksurf_${name})
  if(srcs)
    add_library(${t} STATIC ${srcs})
    set(scope PUBLIC)
  else()
    add_library(${t} INTERFACE)
    set(scope INTERFACE)
  endif()
  target_include_directories(${t} ${scope} ${root})
  set(closure ${name})
  foreach(dep ${M_DEPS})
    if(TARGET ksurf_${dep})
      # PUBLIC: a module's headers include its dependencies' headers.
      target_link_libraries(${t} ${scope} ksurf_${dep})
      get_property(dc GLOBAL PROPERTY KSURF_MODULE_CLOSURE_${dep})
      list(APPEND closure ${dc})
    endif()
  endforeach()
  list(REMOVE_DUPLICATES closure)
  set_property(GLOBAL PROPERTY KSURF_MODULE_CLOSURE_${name} ${closure})
  target_link_libraries(${t} ${scope} fmt::fmt nlohmann_json::nlohmann_json Threads::Threads
                        ${M_LIBS})
  set_property(GLOBAL APPEND PROPERTY KSURF_MODULES ${name})
endfunction()

# Every directory of src/ must be declared, with its place in the DAG.
function(ksurf_modules_check)
  get_property(declared GLOBAL PROPERTY KSURF_DECLARED_MODULES)
  file(GLOB entries LIST_DIRECTORIES true ${CMAKE_SOURCE_DIR}/src/*)
  foreach(e ${entries})
    if(IS_DIRECTORY ${e})
      get_filename_component(n ${e} NAME)
      if(NOT n IN_LIST declared)
        message(FATAL_ERROR "src/${n}/ is not a declared module: add ksurf_module(${n} DEPS ...) "
                            "to CMakeLists.txt with the modules it may know")
      endif()
    endif()
  endforeach()
endfunction()
