// Incremental newline-delimited JSON splitter (Ollama's streaming format), split anywhere.
#pragma once

#include <string>
#include <string_view>

namespace fleetgate {

class NdjsonDecoder {
 public:
  // Calls on_line(std::string_view) for every non-empty line completed by `bytes`.
  template <class OnLine>
  void feed(std::string_view bytes, OnLine&& on_line) {
    std::size_t start = 0;
    while (true) {
      const auto nl = bytes.find('\n', start);
      if (nl == std::string_view::npos) break;
      std::string_view line;
      if (pending_.empty()) {
        line = bytes.substr(start, nl - start);
      } else {
        pending_.append(bytes.data() + start, nl - start);
        line = pending_;
      }
      emit(line, on_line);
      pending_.clear();
      start = nl + 1;
    }
    pending_.append(bytes.data() + start, bytes.size() - start);
  }

  // A last line without its newline.
  template <class OnLine>
  void finish(OnLine&& on_line) {
    emit(pending_, on_line);
    pending_.clear();
  }

 private:
  template <class OnLine>
  static void emit(std::string_view line, OnLine& on_line) {
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    if (line.find_first_not_of(" \t") != std::string_view::npos) on_line(line);
  }

  std::string pending_;
};

}  // namespace fleetgate
