#include "openai/request_scan.h"

#include <cstring>

namespace fleetgate {
namespace {

constexpr int kMaxDepth = 256;

class Scanner {
 public:
  explicit Scanner(std::string_view text)
      : begin_(text.data()), p_(text.data()), end_(text.data() + text.size()) {}

  Result<RequestFields> run() {
    ws();
    if (p_ == end_ || *p_ != '{') return fail("the body must be a JSON object");
    if (!top_object()) return fail(problem_);
    ws();
    if (p_ != end_) return fail("unexpected data after the JSON object");
    return std::move(fields_);
  }

 private:
  Error fail(std::string_view what) const {
    return Error(Errc::BadRequest,
                 "We could not parse the JSON body of your request: " + std::string(what) +
                     " at byte " + std::to_string(p_ - begin_) + ".");
  }
  bool bad(const char* what) {
    problem_ = what;
    return false;
  }

  void ws() {
    while (p_ != end_ && (*p_ == ' ' || *p_ == '\n' || *p_ == '\r' || *p_ == '\t')) ++p_;
  }

  bool expect(char c) {
    ws();
    if (p_ == end_ || *p_ != c) return bad("unexpected character");
    ++p_;
    return true;
  }

  // Validates a string token at p_ (which is '"'); optionally decodes it into `out`.
  bool string(std::string* out) {
    ++p_;
    const char* run = p_;
    while (true) {
      if (p_ == end_) return bad("unterminated string");
      const auto c = static_cast<unsigned char>(*p_);
      if (c == '"') {
        if (out) out->append(run, p_);
        ++p_;
        return true;
      }
      if (c < 0x20) return bad("control character in string");
      if (c == '\\') {
        if (out) out->append(run, p_);
        if (!escape(out)) return false;
        run = p_;
      } else if (c >= 0x80) {
        if (!utf8()) return bad("invalid UTF-8 in string");
      } else {
        ++p_;
      }
    }
  }

  bool hex4(unsigned& value) {
    if (end_ - p_ < 4) return bad("truncated \\u escape");
    value = 0;
    for (int i = 0; i < 4; ++i) {
      const char c = *p_++;
      value <<= 4;
      if (c >= '0' && c <= '9')
        value |= static_cast<unsigned>(c - '0');
      else if (c >= 'a' && c <= 'f')
        value |= static_cast<unsigned>(c - 'a' + 10);
      else if (c >= 'A' && c <= 'F')
        value |= static_cast<unsigned>(c - 'A' + 10);
      else
        return bad("invalid \\u escape");
    }
    return true;
  }

  bool escape(std::string* out) {
    ++p_;  // backslash
    if (p_ == end_) return bad("unterminated string");
    const char c = *p_++;
    char plain = 0;
    switch (c) {
      case '"': plain = '"'; break;
      case '\\': plain = '\\'; break;
      case '/': plain = '/'; break;
      case 'b': plain = '\b'; break;
      case 'f': plain = '\f'; break;
      case 'n': plain = '\n'; break;
      case 'r': plain = '\r'; break;
      case 't': plain = '\t'; break;
      case 'u': {
        unsigned cp = 0;
        if (!hex4(cp)) return false;
        if (cp >= 0xD800 && cp <= 0xDBFF) {
          unsigned low = 0;
          if (end_ - p_ < 2 || p_[0] != '\\' || p_[1] != 'u') return bad("unpaired surrogate");
          p_ += 2;
          if (!hex4(low)) return false;
          if (low < 0xDC00 || low > 0xDFFF) return bad("unpaired surrogate");
          cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
        } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
          return bad("unpaired surrogate");
        }
        if (out) append_utf8(*out, cp);
        return true;
      }
      default: return bad("invalid escape");
    }
    if (out) out->push_back(plain);
    return true;
  }

  static void append_utf8(std::string& out, unsigned cp) {
    if (cp < 0x80) {
      out.push_back(static_cast<char>(cp));
    } else if (cp < 0x800) {
      out.push_back(static_cast<char>(0xC0 | (cp >> 6)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else if (cp < 0x10000) {
      out.push_back(static_cast<char>(0xE0 | (cp >> 12)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    } else {
      out.push_back(static_cast<char>(0xF0 | (cp >> 18)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 12) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | ((cp >> 6) & 0x3F)));
      out.push_back(static_cast<char>(0x80 | (cp & 0x3F)));
    }
  }

  // One UTF-8 sequence at p_ (first byte ≥ 0x80), rejecting overlongs and surrogates.
  bool utf8() {
    const auto b0 = static_cast<unsigned char>(*p_);
    int len = 0;
    unsigned char lo = 0x80, hi = 0xBF;
    if (b0 >= 0xC2 && b0 <= 0xDF)
      len = 2;
    else if (b0 == 0xE0)
      len = 3, lo = 0xA0;
    else if (b0 >= 0xE1 && b0 <= 0xEC)
      len = 3;
    else if (b0 == 0xED)
      len = 3, hi = 0x9F;
    else if (b0 >= 0xEE && b0 <= 0xEF)
      len = 3;
    else if (b0 == 0xF0)
      len = 4, lo = 0x90;
    else if (b0 >= 0xF1 && b0 <= 0xF3)
      len = 4;
    else if (b0 == 0xF4)
      len = 4, hi = 0x8F;
    else
      return false;
    if (end_ - p_ < len) return false;
    const auto b1 = static_cast<unsigned char>(p_[1]);
    if (b1 < lo || b1 > hi) return false;
    for (int i = 2; i < len; ++i) {
      const auto b = static_cast<unsigned char>(p_[i]);
      if (b < 0x80 || b > 0xBF) return false;
    }
    p_ += len;
    return true;
  }

  static bool digit(char c) { return c >= '0' && c <= '9'; }

  bool number() {
    if (*p_ == '-') ++p_;
    if (p_ == end_) return bad("invalid number");
    if (*p_ == '0') {
      ++p_;
    } else if (digit(*p_)) {
      while (p_ != end_ && digit(*p_)) ++p_;
    } else {
      return bad("invalid number");
    }
    if (p_ != end_ && *p_ == '.') {
      ++p_;
      if (p_ == end_ || !digit(*p_)) return bad("invalid number");
      while (p_ != end_ && digit(*p_)) ++p_;
    }
    if (p_ != end_ && (*p_ == 'e' || *p_ == 'E')) {
      ++p_;
      if (p_ != end_ && (*p_ == '+' || *p_ == '-')) ++p_;
      if (p_ == end_ || !digit(*p_)) return bad("invalid number");
      while (p_ != end_ && digit(*p_)) ++p_;
    }
    return true;
  }

  bool literal(std::string_view word) {
    if (static_cast<std::size_t>(end_ - p_) < word.size() ||
        std::memcmp(p_, word.data(), word.size()) != 0)
      return bad("invalid literal");
    p_ += word.size();
    return true;
  }

  bool value(int depth) {
    ws();
    if (p_ == end_) return bad("unexpected end of input");
    switch (*p_) {
      case '{': return object(depth + 1);
      case '[': return array(depth + 1);
      case '"': return string(nullptr);
      case 't': return literal("true");
      case 'f': return literal("false");
      case 'n': return literal("null");
      default:
        if (*p_ == '-' || digit(*p_)) return number();
        return bad("unexpected character");
    }
  }

  // Walks an object; `on_key` sees each key (raw bytes when unescaped) and may consume the value.
  template <class OnKey>
  bool members(int depth, OnKey&& on_key) {
    if (depth > kMaxDepth) return bad("nesting too deep");
    ++p_;  // '{'
    ws();
    if (p_ != end_ && *p_ == '}') {
      ++p_;
      return true;
    }
    std::string key;
    while (true) {
      ws();
      if (p_ == end_ || *p_ != '"') return bad("expected a string key");
      key.clear();
      if (!string(&key)) return false;
      if (!expect(':')) return false;
      ws();
      bool consumed = false;
      if (!on_key(key, consumed)) return false;
      if (!consumed && !value(depth)) return false;
      ws();
      if (p_ == end_) return bad("unterminated object");
      if (*p_ == ',') {
        ++p_;
        continue;
      }
      if (*p_ == '}') {
        ++p_;
        return true;
      }
      return bad("expected ',' or '}'");
    }
  }

  bool object(int depth) {
    return members(depth, [](const std::string&, bool&) { return true; });
  }

  bool array(int depth) {
    if (depth > kMaxDepth) return bad("nesting too deep");
    ++p_;  // '['
    ws();
    if (p_ != end_ && *p_ == ']') {
      ++p_;
      return true;
    }
    while (true) {
      if (!value(depth)) return false;
      ws();
      if (p_ == end_) return bad("unterminated array");
      if (*p_ == ',') {
        ++p_;
        continue;
      }
      if (*p_ == ']') {
        ++p_;
        return true;
      }
      return bad("expected ',' or ']'");
    }
  }

  bool top_object() {
    return members(1, [this](const std::string& key, bool& consumed) {
      if (p_ == end_) return bad("unexpected end of input");
      if (key == "model") {
        if (*p_ != '"') return true;  // validated as a value; missing-string is reported later
        const char* start = p_;
        fields_.model_name.clear();
        if (!string(&fields_.model_name)) return false;
        fields_.model =
            Span{static_cast<std::size_t>(start - begin_), static_cast<std::size_t>(p_ - start)};
        consumed = true;
      } else if (key == "stream") {
        if (*p_ == 't' || *p_ == 'f') {
          fields_.stream = *p_ == 't';
          consumed = true;
          return literal(fields_.stream ? "true" : "false");
        }
      } else if (key == "stream_options") {
        fields_.has_stream_options = true;
        if (*p_ != '{') return true;
        consumed = true;
        return members(2, [this](const std::string& inner, bool& inner_consumed) {
          if (inner == "include_usage" && p_ != end_ && *p_ == 't') {
            fields_.include_usage = true;
            inner_consumed = true;
            return literal("true");
          }
          return true;
        });
      } else if (key == "messages") {
        fields_.has_messages = *p_ == '[';
      } else if (key == "prompt") {
        fields_.has_prompt = true;
      } else if (key == "input") {
        fields_.has_input = true;
      }
      return true;
    });
  }

  const char* begin_;
  const char* p_;
  const char* end_;
  const char* problem_ = "invalid JSON";
  RequestFields fields_;
};

}  // namespace

Result<RequestFields> scan_request(std::string_view body) { return Scanner(body).run(); }

}  // namespace fleetgate
