// Incremental Server-Sent Events decoder: bytes in, complete events out, split anywhere.
#pragma once

#include <cstring>
#include <string>
#include <string_view>

namespace fleetgate {

struct SseEvent {
  std::string_view event;  // "" for the default "message" event
  std::string_view data;   // data lines joined with '\n'
};

class SseDecoder {
 public:
  static constexpr std::size_t kUsualEvent = 2048;
  SseDecoder() : line_(own_[0]), event_(own_[1]), data_(own_[2]) {}
  // Decodes into strings the caller keeps: their capacity serves the next stream.
  SseDecoder(std::string& line, std::string& event, std::string& data)
      : line_(line), event_(event), data_(data) {
    line_.clear();
    event_.clear();
    data_.clear();
    // Used only for what spans two reads, so they would grow now and then for a long while:
    // room for a usual chunk up front (once per connection; a no-op after).
    line_.reserve(kUsualEvent);
    data_.reserve(kUsualEvent);
  }
  SseDecoder(const SseDecoder&) = delete;
  SseDecoder& operator=(const SseDecoder&) = delete;

  // Calls on_event(const SseEvent&) for every event completed by `bytes`; views live for the call.
  // Lines are found with memchr (a byte loop only where the piece has a CR), and an event whose
  // one data line lies whole in `bytes` is handed over as a view, not copied.
  // Whether an event (or a line) begun in an earlier feed is still open.
  bool carrying() const { return !line_.empty() || have_data_ || !event_.empty(); }

  template <class OnEvent>
  void feed(std::string_view bytes, OnEvent&& on_event) {
    const char* const base = bytes.data();
    const std::size_t n = bytes.size();
    const bool has_cr = n != 0 && std::memchr(base, '\r', n) != nullptr;
    std::size_t start = 0;
    while (start < n) {
      std::size_t i = start;
      if (!has_cr) {
        const void* nl = std::memchr(base + start, '\n', n - start);
        if (nl == nullptr) break;
        i = static_cast<std::size_t>(static_cast<const char*>(nl) - base);
      } else {
        while (i < n && base[i] != '\n' && base[i] != '\r') ++i;
        if (i == n) break;
      }
      const char c = base[i];
      if (c == '\n' && after_cr_ && line_.empty() && start == i) {  // the LF of a CRLF
        after_cr_ = false;
        start = i + 1;
        continue;
      }
      after_cr_ = c == '\r';
      if (line_.empty()) {
        line(bytes.substr(start, i - start), true, on_event);
      } else {
        line_.append(base + start, i - start);
        line(line_, false, on_event);
      }
      line_.clear();
      start = i + 1;
    }
    if (start < n) {
      after_cr_ = false;
      line_.append(base + start, n - start);
    }
    if (in_view_) {  // the event goes on in the next piece: keep its data
      data_.assign(view_);
      in_view_ = false;
    }
  }

 private:
  template <class OnEvent>
  void line(std::string_view text, bool lasting, OnEvent& on_event) {
    if (!text.empty()) {
      field(text, lasting);
      return;
    }
    if (have_data_ || !event_.empty()) on_event(SseEvent{event_, in_view_ ? view_ : data_});
    reset_event();
  }
  // `lasting`: `text` lives until the end of this feed (it is not the split-line buffer).
  void field(std::string_view text, bool lasting);
  void reset_event() {
    event_.clear();
    data_.clear();
    have_data_ = false;
    in_view_ = false;
  }

  std::string own_[3];
  std::string& line_;  // a line split across feeds
  std::string& event_;
  std::string& data_;
  std::string_view view_;  // the data, while it is one line of the current feed's bytes
  bool in_view_ = false;
  bool have_data_ = false;
  bool after_cr_ = false;
};

}  // namespace fleetgate
