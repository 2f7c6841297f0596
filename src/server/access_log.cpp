#include "server/access_log.h"

#include "core/json_escape.h"

#include <fmt/format.h>
#include <boost/asio/post.hpp>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <cstring>
#include <ctime>

#include <fcntl.h>
#include <unistd.h>

namespace fleetgate {

namespace {

constexpr std::size_t kFlushAt = 64 * 1024;  // a busy worker writes at least this often

void append_integer(std::string& out, std::uint64_t n) {
  char buf[24];
  const auto end = std::to_chars(buf, buf + sizeof buf, n).ptr;
  out.append(buf, end);
}

// Milliseconds with three decimals ("12.345"), from whole microseconds: no floating point.
void append_millis(std::string& out, std::chrono::steady_clock::duration d) {
  const auto us =
      std::max<std::int64_t>(0, std::chrono::duration_cast<std::chrono::microseconds>(d).count());
  append_integer(out, static_cast<std::uint64_t>(us / 1000));
  const auto frac = static_cast<int>(us % 1000);
  const char digits[4] = {'.', static_cast<char>('0' + frac / 100),
                          static_cast<char>('0' + frac / 10 % 10),
                          static_cast<char>('0' + frac % 10)};
  out.append(digits, 4);
}

}  // namespace

AccessLog::AccessLog(const std::string& target) {
  if (target == "off") return;
  if (target == "stdout") {
    fd_ = STDOUT_FILENO;
    return;
  }
  fd_ = ::open(target.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);
  if (fd_ < 0) problem_ = "cannot open " + target + ": " + std::strerror(errno);
  owned_ = fd_ >= 0;
}

AccessLog::~AccessLog() {
  if (owned_) ::close(fd_);
}

void AccessLog::write_out(std::string_view lines) {
  std::lock_guard lock(mutex_);
  while (!lines.empty() && fd_ >= 0) {
    const ssize_t n = ::write(fd_, lines.data(), lines.size());
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) {
      if (!failed_) {
        const std::string msg =
            std::string("fleetgate: access log write failed: ") + std::strerror(errno) + "\n";
        [[maybe_unused]] auto ignored = ::write(STDERR_FILENO, msg.data(), msg.size());
      }
      failed_ = true;
      return;
    }
    lines.remove_prefix(static_cast<std::size_t>(n));
  }
}

AccessLogWriter::AccessLogWriter(AccessLog& log, boost::asio::any_io_executor executor,
                                 const Clock& clock)
    : executor_(std::move(executor)),
      clock_(clock),
      pending_(std::make_shared<Pending>(Pending{&log, {}, false})) {}

AccessLogWriter::~AccessLogWriter() { flush(); }

void AccessLogWriter::flush() { pending_->flush(); }

void AccessLogWriter::append_timestamp() {
  using namespace std::chrono;
  const auto now = time_point_cast<milliseconds>(clock_.wall());
  const auto secs = time_point_cast<seconds>(now);
  if (secs.time_since_epoch().count() != second_) {
    second_ = secs.time_since_epoch().count();
    const std::time_t t = system_clock::to_time_t(secs);
    std::tm tm{};
    gmtime_r(&t, &tm);
    std::strftime(second_text_, sizeof second_text_, "%Y-%m-%dT%H:%M:%S", &tm);
  }
  fmt::format_to(std::back_inserter(pending_->buffer), "{}.{:03}Z", second_text_,
                 static_cast<int>((now - secs).count()));
}

void AccessLogWriter::write(const AccessRecord& r) {
  if (!pending_->log->enabled()) return;
  using namespace std::chrono;
  const auto now = clock_.steady();
  std::string& line = pending_->buffer;
  line += "{\"ts\":\"";
  append_timestamp();
  line += "\",\"request_id\":";
  append_json_string(line, r.request_id);
  line += ",\"method\":";
  append_json_string(line, r.method);
  line += ",\"path\":";
  append_json_string(line, r.path);
  if (!r.model.empty() || r.dialect != Dialect::OpenAI) {  // the API's requests
    line += ",\"dialect\":\"";
    line += to_string(r.dialect);
    line += '"';
  }
  if (!r.model.empty()) {
    line += ",\"model\":";
    append_json_string(line, r.model);
  }
  if (!r.deployment.empty()) {
    line += ",\"deployment\":";
    append_json_string(line, r.deployment);
  }
  line += ",\"status\":";
  append_integer(line, static_cast<std::uint64_t>(r.status));
  if (r.sent_status) {  // a stream that failed after its head: what the client was sent
    line += ",\"sent_status\":";
    append_integer(line, static_cast<std::uint64_t>(r.sent_status));
  }
  line += ",\"latency_ms\":";
  append_millis(line, now - r.start);
  if (r.first_byte) {
    line += ",\"ttfb_ms\":";
    append_millis(line, *r.first_byte - r.start);
  }
  if (r.usage) {
    line += ",\"prompt_tokens\":";
    append_integer(line, r.usage->prompt_tokens);
    line += ",\"completion_tokens\":";
    append_integer(line, r.usage->completion_tokens);
  }
  if (r.stream) line += ",\"stream\":true";
  if (!r.route.empty()) {
    line += ",\"route\":";
    append_json_string(line, r.route);
  }
  if (r.attempts > 1) {
    line += ",\"attempts\":";
    append_integer(line, static_cast<std::uint64_t>(r.attempts));
  }
  if (!r.failed.empty()) {
    line += ",\"failed\":";
    append_json_string(line, r.failed);
  }
  if (!r.error.empty()) {
    line += ",\"error\":";
    append_json_string(line, r.error);
  }
  line += "}\n";
  if (line.size() >= kFlushAt) {
    flush();
  } else if (!pending_->flush_posted) {
    // Runs after the handlers already queued in this turn of the loop: one write for all of them.
    pending_->flush_posted = true;
    boost::asio::post(executor_, [pending = pending_] {
      pending->flush_posted = false;
      pending->flush();
    });
  }
}

}  // namespace fleetgate
