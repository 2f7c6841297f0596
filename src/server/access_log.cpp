#include "server/access_log.h"

#include "core/json_escape.h"

#include <boost/asio/post.hpp>
#include <fmt/format.h>

#include <cerrno>
#include <cstring>
#include <ctime>

#include <fcntl.h>
#include <unistd.h>

namespace fleetgate {

namespace {
constexpr std::size_t kFlushAt = 64 * 1024;  // a busy worker writes at least this often
}

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
        const std::string msg = std::string("fleetgate: access log write failed: ") + std::strerror(errno) + "\n";
        [[maybe_unused]] auto ignored = ::write(STDERR_FILENO, msg.data(), msg.size());
      }
      failed_ = true;
      return;
    }
    lines.remove_prefix(static_cast<std::size_t>(n));
  }
}

AccessLogWriter::AccessLogWriter(AccessLog& log, boost::asio::any_io_executor executor)
    : log_(log), executor_(std::move(executor)) {}

AccessLogWriter::~AccessLogWriter() { flush(); }

void AccessLogWriter::flush() {
  if (buffer_.empty()) return;
  log_.write_out(buffer_);
  buffer_.clear();
}

void AccessLogWriter::append_timestamp() {
  using namespace std::chrono;
  const auto now = time_point_cast<milliseconds>(system_clock::now());
  const auto secs = time_point_cast<seconds>(now);
  if (secs.time_since_epoch().count() != second_) {
    second_ = secs.time_since_epoch().count();
    const std::time_t t = system_clock::to_time_t(secs);
    std::tm tm{};
    gmtime_r(&t, &tm);
    std::strftime(second_text_, sizeof second_text_, "%Y-%m-%dT%H:%M:%S", &tm);
  }
  fmt::format_to(std::back_inserter(buffer_), "{}.{:03}Z", second_text_,
                 static_cast<int>((now - secs).count()));
}

void AccessLogWriter::write(const AccessRecord& r) {
  if (!log_.enabled()) return;
  using namespace std::chrono;
  const auto now = steady_clock::now();
  std::string& line = buffer_;
  line += "{\"ts\":\"";
  append_timestamp();
  line += "\",\"request_id\":";
  append_json_string(line, r.request_id);
  line += ",\"method\":";
  append_json_string(line, r.method);
  line += ",\"path\":";
  append_json_string(line, r.path);
  if (!r.model.empty()) {
    line += ",\"model\":";
    append_json_string(line, r.model);
  }
  if (!r.deployment.empty()) {
    line += ",\"deployment\":";
    append_json_string(line, r.deployment);
  }
  auto ms = [&](steady_clock::time_point t) { return duration<double, std::milli>(t - r.start).count(); };
  fmt::format_to(std::back_inserter(line), ",\"status\":{},\"latency_ms\":{:.3f}", r.status, ms(now));
  if (r.first_byte) fmt::format_to(std::back_inserter(line), ",\"ttfb_ms\":{:.3f}", ms(*r.first_byte));
  if (r.usage)
    fmt::format_to(std::back_inserter(line), ",\"prompt_tokens\":{},\"completion_tokens\":{}",
                   r.usage->prompt_tokens, r.usage->completion_tokens);
  if (r.stream) line += ",\"stream\":true";
  if (!r.error.empty()) {
    line += ",\"error\":";
    append_json_string(line, r.error);
  }
  line += "}\n";
  if (buffer_.size() >= kFlushAt) {
    flush();
  } else if (!flush_posted_) {
    // Runs after the handlers already queued in this turn of the loop: one write for all of them.
    flush_posted_ = true;
    boost::asio::post(executor_, [this] {
      flush_posted_ = false;
      flush();
    });
  }
}

}  // namespace fleetgate
