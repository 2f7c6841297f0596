# Project-wide compile options: warnings, sanitizers, and the Asio/Beast separate-compilation switches.
add_compile_options(-Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion)
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  # GCC 12 misreads Asio's recycling allocator for coroutine frames.
  add_compile_options(-Wno-mismatched-new-delete)
endif()
if(FLEETGATE_WERROR)
  add_compile_options(-Werror)
endif()

if(FLEETGATE_FUZZ)
  # Every library is instrumented for coverage and checked by ASan and UBSan; Beast's parser is
  # used header-only (no Asio there).
  add_compile_options(-fsanitize=fuzzer-no-link,address,undefined -fno-omit-frame-pointer
    -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
else()
  # Asio and Beast are compiled once (src/net/asio_impl.cpp) instead of in every translation unit.
  add_compile_definitions(BOOST_ASIO_SEPARATE_COMPILATION BOOST_BEAST_SEPARATE_COMPILATION)
endif()
add_compile_definitions(
  BOOST_ASIO_NO_DEPRECATED
  BOOST_ASIO_DISABLE_BOOST_REGEX
  # A request's chain of coroutine frames and operations is about ten deep; Asio's per-thread
  # recycling cache keeps two by default, so most frames went back to malloc on every request.
  BOOST_ASIO_RECYCLING_ALLOCATOR_CACHE_SIZE=16
  # Coroutine frames through the global operator new: Asio's recycling above keeps only blocks
  # of at most 1 KiB, and most frames are bigger; the I/O threads keep theirs by size instead
  # (src/server/heap_count.cpp).
  BOOST_ASIO_DISABLE_AWAITABLE_FRAME_RECYCLING
  SPDLOG_FMT_EXTERNAL)

if(FLEETGATE_SANITIZE)
  # Without UBSan's vptr check: on a cache miss it tests whether the object is readable through
  # a pipe(), which a process out of file descriptors (Hostile.RunningOutOfFileDescriptors...
  # makes it so on purpose) cannot open, and it then reports every polymorphic object (Boost's
  # error categories first) as having a bad vptr. Nothing else in UBSan needs a descriptor.
  add_compile_options(-fsanitize=address,undefined -fno-sanitize=vptr -fno-omit-frame-pointer
    -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
if(FLEETGATE_TSAN)
  add_compile_options(-fsanitize=thread -Wno-tsan)  # GCC 12 warns on atomic_thread_fence
  add_link_options(-fsanitize=thread)
endif()
