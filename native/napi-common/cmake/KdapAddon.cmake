# kdap_addon(<target> <source>...): the Node-API addon <target>.node, built the same way for every
# KDAP binding: C++17, hidden symbols, the Node-API, node-addon-api and napi-common headers, C++
# exceptions, warnings on, and Node-API symbols resolved from the node process at load time.
# Needs NODE_API_INCLUDE, NODE_ADDON_API_INCLUDE and KDAP_NAPI_COMMON_INCLUDE, which
# napi-common/scripts/build-addon.mjs passes.
if(NOT CMAKE_BUILD_TYPE)
  set(CMAKE_BUILD_TYPE Release)
endif()

function(kdap_addon target)
  foreach(var NODE_API_INCLUDE NODE_ADDON_API_INCLUDE KDAP_NAPI_COMMON_INCLUDE)
    if(NOT DEFINED ${var})
      message(FATAL_ERROR "${var} is not set; build with 'npm run build' (scripts/build-addon.mjs)")
    endif()
  endforeach()
  add_library(${target} SHARED ${ARGN})
  set_target_properties(${target} PROPERTIES PREFIX "" SUFFIX ".node"
    CXX_STANDARD 17 CXX_STANDARD_REQUIRED ON
    CXX_VISIBILITY_PRESET hidden VISIBILITY_INLINES_HIDDEN ON)
  target_include_directories(${target} PRIVATE ${NODE_API_INCLUDE} ${NODE_ADDON_API_INCLUDE} ${KDAP_NAPI_COMMON_INCLUDE})
  # SWALLOW_UNTHROWABLE_EXCEPTIONS: a JS exception that cannot be thrown because a worker thread's
  # environment is shutting down is dropped instead of aborting the process.
  target_compile_definitions(${target} PRIVATE NAPI_VERSION=8 NODE_ADDON_API_CPP_EXCEPTIONS
    NODE_ADDON_API_DISABLE_DEPRECATED NODE_API_SWALLOW_UNTHROWABLE_EXCEPTIONS)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wno-unused-parameter)
  if(APPLE)
    target_link_options(${target} PRIVATE -undefined dynamic_lookup)
  else()
    target_link_options(${target} PRIVATE -Wl,--no-undefined -Wl,--unresolved-symbols=ignore-in-object-files)
  endif()
endfunction()
