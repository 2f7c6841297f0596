#include "frontends/chat_scan.h"

#include "core/checked_cast.h"

#include <boost/json/basic_parser_impl.hpp>

#include <array>

namespace fleetgate {

namespace json = boost::json;

namespace {

// Where a value lies, as far as the front ends care.
enum class At {
  Top,
  Error,
  Usage,
  Choices,
  Choice,
  Message,
  Content,
  Part,
  Calls,
  Call,
  Function,
  Skip
};

struct Frame {
  At at = At::Skip;
  bool array = false;
  std::size_t items = 0;  // an array's elements so far
};

std::uint64_t count_of(double v) {
  return clamp_to_integer<std::uint64_t>(v, 0, std::uint64_t{1} << 48);
}

class Handler {
 public:
  static constexpr std::size_t max_object_size = std::size_t(-1);
  static constexpr std::size_t max_array_size = std::size_t(-1);
  static constexpr std::size_t max_key_size = std::size_t(-1);
  static constexpr std::size_t max_string_size = std::size_t(-1);

  explicit Handler(ChatReading& out) : out_(out) {}

  bool on_document_begin(boost::system::error_code&) { return true; }
  bool on_document_end(boost::system::error_code&) { return true; }

  bool on_object_begin(boost::system::error_code&) { return open(false); }
  bool on_object_end(std::size_t, boost::system::error_code&) { return close(); }
  bool on_array_begin(boost::system::error_code&) { return open(true); }
  bool on_array_end(std::size_t, boost::system::error_code&) { return close(); }

  bool on_key_part(json::string_view s, std::size_t, boost::system::error_code&) {
    key_.append(s.data(), s.size());
    return true;
  }
  bool on_key(json::string_view s, std::size_t, boost::system::error_code&) {
    key_.append(s.data(), s.size());
    return true;
  }

  bool on_string_part(json::string_view s, std::size_t, boost::system::error_code&) {
    if (!in_string_) {
      in_string_ = true;
      target_ = string_target();
    }
    if (target_) target_->append(s.data(), s.size());
    return true;
  }
  bool on_string(json::string_view s, std::size_t n, boost::system::error_code& ec) {
    on_string_part(s, n, ec);
    in_string_ = false;
    target_ = nullptr;
    return scalar();
  }

  bool on_number_part(json::string_view, boost::system::error_code&) { return true; }
  bool on_int64(std::int64_t v, json::string_view, boost::system::error_code&) {
    return number(static_cast<double>(v));
  }
  bool on_uint64(std::uint64_t v, json::string_view, boost::system::error_code&) {
    return number(static_cast<double>(v));
  }
  bool on_double(double v, json::string_view, boost::system::error_code&) { return number(v); }
  bool on_bool(bool, boost::system::error_code&) { return other(); }
  bool on_null(boost::system::error_code&) { return other(); }
  bool on_comment_part(json::string_view, boost::system::error_code&) { return true; }
  bool on_comment(json::string_view, boost::system::error_code&) { return true; }

 private:
  At here() const { return depth_ == 0 ? At::Skip : stack_[depth_ - 1].at; }

  // An element of an array is counted as it begins; a member of an object is named by key_.
  std::size_t element() {
    Frame& f = stack_[depth_ - 1];
    return f.items++;
  }
  bool in_array() const { return depth_ > 0 && stack_[depth_ - 1].array; }

  // Where a container that begins here lies.
  At child(bool array) {
    const At parent = here();
    if (depth_ == 0) return array ? At::Skip : At::Top;
    if (in_array()) {
      const std::size_t index = element();
      if (array) return At::Skip;
      switch (parent) {
        case At::Choices:
          if (index == 0) return At::Choice;
          out_.odd = true;  // a second choice
          return At::Skip;
        case At::Content: return At::Part;
        case At::Calls:
          out_.calls.push_back(ChatReading::Call{out_.calls.size(), {}, {}, {}});
          return At::Call;
        default: return At::Skip;
      }
    }
    switch (parent) {
      case At::Top:
        if (key_ == "error" && !array) return At::Error;
        if (key_ == "usage" && !array) return At::Usage;
        if (key_ == "choices" && array) return At::Choices;
        return At::Skip;
      case At::Choice:
        return (key_ == "message" || key_ == "delta") && !array ? At::Message : At::Skip;
      case At::Message:
        if (key_ == "content" && array) return At::Content;
        if (key_ == "tool_calls" && array) return At::Calls;
        return At::Skip;
      case At::Call: return key_ == "function" && !array ? At::Function : At::Skip;
      case At::Function:
        if (key_ == "arguments") out_.odd = true;  // an object, not JSON text
        return At::Skip;
      default: return At::Skip;
    }
  }

  bool open(bool array) {
    if (depth_ == stack_.size()) return false;  // deeper than the parser allows anyway
    const At at = child(array);
    if (depth_ == 0 && !array) out_.object = true;
    if (here() == At::Top && key_ == "error") out_.error.emplace();  // present, whatever it is
    if (at == At::Choice) out_.choices = true;
    if (at == At::Usage) out_.usage = Usage{};
    stack_[depth_++] = Frame{at, array, 0};
    key_.clear();
    return true;
  }
  bool close() {
    --depth_;
    key_.clear();
    return true;
  }

  std::string* string_target() {
    if (in_array()) {
      element();
      return nullptr;
    }
    switch (here()) {
      case At::Top:
        if (key_ == "error") return &out_.error.emplace();
        return nullptr;
      case At::Error: return key_ == "message" ? &out_.error.emplace() : nullptr;
      case At::Choice:
        if (key_ == "finish_reason") return &out_.finish_reason;
        if (key_ == "stop_reason") return &out_.stop_sequence;
        return nullptr;
      case At::Message: return key_ == "content" ? &out_.text : nullptr;
      case At::Part: return key_ == "text" ? &out_.text : nullptr;
      case At::Call: return key_ == "id" ? &out_.calls.back().id : nullptr;
      case At::Function:
        if (key_ == "name") return &out_.calls.back().name;
        if (key_ == "arguments") return &out_.calls.back().arguments;
        return nullptr;
      default: return nullptr;
    }
  }

  bool number(double v) {
    if (in_array()) {
      element();
    } else if (here() == At::Usage) {
      if (key_ == "prompt_tokens") out_.usage->prompt_tokens = count_of(v);
      if (key_ == "completion_tokens") out_.usage->completion_tokens = count_of(v);
    } else if (here() == At::Call && key_ == "index") {
      out_.calls.back().index = clamp_to_integer<std::size_t>(v, 0, 1024);
    }
    return scalar();
  }
  bool other() {
    if (in_array()) element();
    if (here() == At::Top && key_ == "error") out_.error.emplace();
    return scalar();
  }
  bool scalar() {
    key_.clear();
    return true;
  }

  ChatReading& out_;
  std::array<Frame, 64> stack_{};
  std::size_t depth_ = 0;
  std::string key_;
  std::string* target_ = nullptr;
  bool in_string_ = false;
};

}  // namespace

bool scan_chat(std::string_view text, ChatReading& out, boost::system::error_code& ec) {
  json::basic_parser<Handler> p(json::parse_options{}, out);
  p.write_some(false, text.data(), text.size(), ec);
  return !ec;
}

}  // namespace fleetgate
