#include "server/access_log.h"

#include "core/json_escape.h"

#include <fmt/chrono.h>
#include <fmt/format.h>
#include <spdlog/async.h>
#include <spdlog/sinks/basic_file_sink.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>

namespace fleetgate {

AccessLog::AccessLog(const std::string& target) {
  if (target == "off") return;
  // Batched by spdlog's worker thread; a full queue blocks rather than dropping lines.
  static std::once_flag pool_once;
  std::call_once(pool_once, [] { spdlog::init_thread_pool(8192, 1); });
  auto pool = spdlog::thread_pool();
  spdlog::sink_ptr sink;
  if (target == "stdout") sink = std::make_shared<spdlog::sinks::stdout_sink_mt>();
  else sink = std::make_shared<spdlog::sinks::basic_file_sink_mt>(target);
  logger_ = std::make_shared<spdlog::async_logger>("access", sink, pool,
                                                   spdlog::async_overflow_policy::block);
  logger_->set_pattern("%v");
  logger_->flush_on(spdlog::level::info);
}

AccessLog::~AccessLog() { flush(); }

void AccessLog::flush() {
  if (logger_) logger_->flush();
}

void AccessLog::write(const AccessRecord& r) {
  if (!logger_) return;
  using namespace std::chrono;
  const auto now = steady_clock::now();
  const auto wall = time_point_cast<milliseconds>(system_clock::now());
  std::string line;
  line.reserve(320);
  fmt::format_to(std::back_inserter(line), "{{\"ts\":\"{:%FT%T}Z\",\"request_id\":", wall);
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
  line += '}';
  logger_->info(line);
}

}  // namespace fleetgate
