// Times as the time tests write them: RFC 3339 text to whole seconds.
#pragma once

#include "core/wall_time.h"

#include <gtest/gtest.h>

#include <chrono>

namespace fleetgate::test {

inline std::chrono::sys_seconds at(const char* text) {
  auto t = parse_rfc3339(text);
  EXPECT_TRUE(t) << text;
  return std::chrono::floor<std::chrono::seconds>(t.value_or(WallTime{}));
}

}  // namespace fleetgate::test
