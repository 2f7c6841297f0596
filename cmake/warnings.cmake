# Project-wide compile options: warnings, sanitizers, and the Asio/Beast separate-compilation switches.
add_compile_options(-Wall -Wextra -Wpedantic -Wshadow -Wconversion -Wno-sign-conversion
  # GCC 12 misreads Asio's recycling allocator for coroutine frames.
  -Wno-mismatched-new-delete)
if(FLEETGATE_WERROR)
  add_compile_options(-Werror)
endif()

# Asio and Beast are compiled once (src/core/asio_impl.cpp) instead of in every translation unit.
add_compile_definitions(
  BOOST_ASIO_SEPARATE_COMPILATION
  BOOST_BEAST_SEPARATE_COMPILATION
  BOOST_ASIO_NO_DEPRECATED
  BOOST_ASIO_DISABLE_BOOST_REGEX
  SPDLOG_FMT_EXTERNAL)

if(FLEETGATE_SANITIZE)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=undefined)
  add_link_options(-fsanitize=address,undefined)
endif()
if(FLEETGATE_TSAN)
  add_compile_options(-fsanitize=thread)
  add_link_options(-fsanitize=thread)
endif()
