// Runs a command to completion with a deadline: feeds it `input` on stdin, optionally captures
// its stdout, kills it (SIGKILL) when the deadline passes. No wait in here is unbounded, even
// when the command never reads its input, and no SIGPIPE when it closes its stdin early.
// The child gets default signal handling, child_environment(), and no file descriptor but its
// stdin, stdout and stderr.
#pragma once

#include "core/units.h"

#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace fleetgate {

struct SubprocessResult {
  std::string start_error;  // not empty: it could not be started (and nothing else is set)
  bool timed_out = false;
  std::optional<int> exit_code;
  std::optional<int> signal;
  std::string output;  // stdout, when captured (stderr then goes to /dev/null; else both to ours)
  bool succeeded() const { return exit_code && *exit_code == 0; }
};

// `program` as PATH finds it ("" when it is not there); a name with a '/' is taken as it is.
std::string find_program(const std::string& program);

// What a child of fleetgate gets as its environment: a minimal base taken from ours (PATH,
// HOME, USER, LOGNAME, SHELL, LANG, LC_*, TZ, TMPDIR, TERM, XDG_RUNTIME_DIR, LD_LIBRARY_PATH,
// the GPU-visibility variables, the sanitizers' options) and `extra`, which wins. Nothing else:
// tokens and API keys reach a child only when its config names them.
std::vector<std::string> child_environment(
    const std::vector<std::pair<std::string, std::string>>& extra = {});

SubprocessResult run_subprocess(const std::vector<std::string>& argv, std::string_view input,
                                bool capture_output, Duration timeout);

}  // namespace fleetgate
