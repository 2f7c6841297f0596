// Incremental Server-Sent Events decoder: bytes in, complete events out, split anywhere.
#pragma once

#include <string>
#include <string_view>

namespace fleetgate {

struct SseEvent {
  std::string_view event;  // "" for the default "message" event
  std::string_view data;   // data lines joined with '\n'
};

class SseDecoder {
 public:
  SseDecoder() : line_(own_[0]), event_(own_[1]), data_(own_[2]) {}
  // Decodes into strings the caller keeps: their capacity serves the next stream.
  SseDecoder(std::string& line, std::string& event, std::string& data)
      : line_(line), event_(event), data_(data) {
    line_.clear();
    event_.clear();
    data_.clear();
  }
  SseDecoder(const SseDecoder&) = delete;
  SseDecoder& operator=(const SseDecoder&) = delete;

  // Calls on_event(const SseEvent&) for every event completed by `bytes`; views live for the call.
  template <class OnEvent>
  void feed(std::string_view bytes, OnEvent&& on_event) {
    std::size_t start = 0;
    for (std::size_t i = 0; i < bytes.size(); ++i) {
      const char c = bytes[i];
      if (c != '\n' && c != '\r') continue;
      if (c == '\n' && after_cr_ && line_.empty() && start == i) {  // the LF of a CRLF
        after_cr_ = false;
        start = i + 1;
        continue;
      }
      after_cr_ = c == '\r';
      std::string_view line;
      if (line_.empty()) {
        line = bytes.substr(start, i - start);
      } else {
        line_.append(bytes.data() + start, i - start);
        line = line_;
      }
      if (line.empty()) {
        if (have_data_ || !event_.empty()) on_event(SseEvent{event_, data_});
        reset_event();
      } else {
        field(line);
      }
      line_.clear();
      start = i + 1;
    }
    if (start < bytes.size()) {
      after_cr_ = false;
      line_.append(bytes.data() + start, bytes.size() - start);
    }
  }

 private:
  void field(std::string_view line);
  void reset_event() {
    event_.clear();
    data_.clear();
    have_data_ = false;
  }

  std::string own_[3];
  std::string& line_;  // a line split across feeds
  std::string& event_;
  std::string& data_;
  bool have_data_ = false;
  bool after_cr_ = false;
};

}  // namespace fleetgate
