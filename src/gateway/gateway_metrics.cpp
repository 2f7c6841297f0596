#include "gateway/gateway_metrics.h"

#include "core/text_forms.h"
#include "gateway/gateway_state.h"
#include "server/heap_count.h"

#include <fmt/format.h>

namespace fleetgate {

namespace {

constexpr auto kRelaxed = std::memory_order_relaxed;

void bump(std::atomic<std::uint64_t>& a, std::uint64_t by = 1) {
  // One writer per counter: a load and a store, no locked instruction.
  a.store(a.load(kRelaxed) + by, kRelaxed);
}

std::size_t status_slot(int status) {
  for (std::size_t i = 0; i < kCountedStatus.size(); ++i)
    if (kCountedStatus[i] == status) return i;
  return kCountedStatus.size();
}

void observe(std::array<std::atomic<std::uint64_t>, kLatencyBuckets.size()>& buckets,
             std::uint64_t us) {
  for (std::size_t i = 0; i < kLatencyBuckets.size(); ++i)
    if (static_cast<double>(us) <= kLatencyBuckets[i] * 1e6) {
      bump(buckets[i]);
      return;
    }
}

}  // namespace

GatewayMetrics::GatewayMetrics(unsigned workers, std::size_t deployments)
    : slots_(deployments + 1) {
  for (unsigned w = 0; w < std::max(1u, workers); ++w) {
    workers_.push_back(std::make_unique<DeploymentCounters[]>(slots_));
    dialects_.push_back(std::make_unique<std::array<DialectCounters, kDialects>>());
  }
}

void GatewayMetrics::record(unsigned worker, int deployment, const AccessRecord& r,
                            std::chrono::steady_clock::time_point end) {
  if (worker >= workers_.size()) return;
  const std::size_t slot = deployment >= 0 && static_cast<std::size_t>(deployment) < slots_ - 1
                               ? static_cast<std::size_t>(deployment)
                               : slots_ - 1;
  DeploymentCounters& c = workers_[worker][slot];
  const std::size_t status = status_slot(r.status);
  DialectCounters& d = (*dialects_[worker])[static_cast<std::size_t>(r.dialect)];
  bump(d.by_status[status]);
  bump(c.by_status[status]);
  bump(c.count);
  if (r.status >= 500 || r.status == 0) bump(c.failed);
  const auto us = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::microseconds>(end - r.start).count());
  bump(c.latency_sum_us, us);
  observe(c.latency, us);
  if (r.first_byte) {
    const auto t = static_cast<std::uint64_t>(
        std::chrono::duration_cast<std::chrono::microseconds>(*r.first_byte - r.start).count());
    bump(c.ttfb_count);
    bump(c.ttfb_sum_us, t);
    observe(c.ttfb, t);
  }
  if (r.usage) {
    bump(c.prompt_tokens, r.usage->prompt_tokens);
    bump(c.completion_tokens, r.usage->completion_tokens);
    bump(d.prompt_tokens, r.usage->prompt_tokens);
    bump(d.completion_tokens, r.usage->completion_tokens);
  }
}

DeploymentTotals GatewayMetrics::totals(std::size_t deployment) const {
  DeploymentTotals t;
  if (deployment >= slots_) return t;
  for (const auto& w : workers_) {
    const DeploymentCounters& c = w[deployment];
    t.requests += c.count.load(kRelaxed);
    t.errors += c.failed.load(kRelaxed);
    t.prompt_tokens += c.prompt_tokens.load(kRelaxed);
    t.completion_tokens += c.completion_tokens.load(kRelaxed);
    t.busy_us += c.latency_sum_us.load(kRelaxed);
  }
  return t;
}

void GatewayMetrics::append(const GatewayState& state, std::string& out) const {
  const auto& deployments = state.config.deployments;
  auto labels = [&](std::size_t slot) {
    if (slot >= deployments.size()) return std::string("model=\"\",deployment=\"\"");
    return fmt::format("model=\"{}\",deployment=\"{}\"",
                       prometheus_escape(deployments[slot].model_name),
                       prometheus_escape(deployments[slot].id));
  };
  auto sum = [&](std::size_t slot, auto field) {
    std::uint64_t n = 0;
    for (const auto& w : workers_) n += field(w[slot]).load(kRelaxed);
    return n;
  };
  out += fmt::format(
      "# HELP fleetgate_worker_heap_allocations_total Heap allocations on the I/O threads (none "
      "per proxied request in the steady state).\n# TYPE fleetgate_worker_heap_allocations_total "
      "counter\nfleetgate_worker_heap_allocations_total {}\n",
      worker_heap_allocations());
  out +=
      "# HELP fleetgate_requests_total Requests by model, deployment and status code (code 0: "
      "no response was sent).\n# TYPE fleetgate_requests_total counter\n";
  for (std::size_t s = 0; s < slots_; ++s)
    for (std::size_t i = 0; i <= kCountedStatus.size(); ++i) {
      const auto n = sum(
          s, [i](const DeploymentCounters& c) -> const auto& { return c.by_status[i]; });
      if (n == 0) continue;
      const std::string code =
          i < kCountedStatus.size() ? std::to_string(kCountedStatus[i]) : "other";
      out += fmt::format("fleetgate_requests_total{{{},code=\"{}\"}} {}\n", labels(s), code, n);
    }
  out +=
      "# HELP fleetgate_dialect_requests_total Requests by the client's API dialect (openai, "
      "responses, anthropic, ollama) and status code.\n"
      "# TYPE fleetgate_dialect_requests_total counter\n";
  auto dialect_sum = [&](std::size_t d, auto field) {
    std::uint64_t n = 0;
    for (const auto& w : dialects_) n += field((*w)[d]).load(kRelaxed);
    return n;
  };
  for (std::size_t d = 0; d < kDialects; ++d)
    for (std::size_t i = 0; i <= kCountedStatus.size(); ++i) {
      const auto n = dialect_sum(
          d, [i](const DialectCounters& c) -> const auto& { return c.by_status[i]; });
      if (n == 0) continue;
      const std::string code =
          i < kCountedStatus.size() ? std::to_string(kCountedStatus[i]) : "other";
      out += fmt::format("fleetgate_dialect_requests_total{{dialect=\"{}\",code=\"{}\"}} {}\n",
                         to_string(static_cast<Dialect>(d)), code, n);
    }
  out +=
      "# HELP fleetgate_dialect_tokens_total Tokens by the client's API dialect and type.\n"
      "# TYPE fleetgate_dialect_tokens_total counter\n";
  for (std::size_t d = 0; d < kDialects; ++d) {
    const auto p = dialect_sum(
        d, [](const DialectCounters& c) -> const auto& { return c.prompt_tokens; });
    const auto q = dialect_sum(
        d, [](const DialectCounters& c) -> const auto& { return c.completion_tokens; });
    if (p == 0 && q == 0) continue;
    const std::string_view name = to_string(static_cast<Dialect>(d));
    out += fmt::format("fleetgate_dialect_tokens_total{{dialect=\"{}\",type=\"prompt\"}} {}\n",
                       name, p);
    out += fmt::format("fleetgate_dialect_tokens_total{{dialect=\"{}\",type=\"completion\"}} {}\n",
                       name, q);
  }
  auto histogram = [&](const char* name, const char* help, auto buckets, auto count, auto sum_us) {
    out += fmt::format("# HELP {} {}\n# TYPE {} histogram\n", name, help, name);
    for (std::size_t s = 0; s < slots_; ++s) {
      const auto total = sum(s, count);
      if (total == 0) continue;
      std::uint64_t cumulative = 0;
      for (std::size_t b = 0; b < kLatencyBuckets.size(); ++b) {
        cumulative += sum(
            s, [&](const DeploymentCounters& c) -> const auto& { return buckets(c)[b]; });
        out += fmt::format("{}_bucket{{{},le=\"{:g}\"}} {}\n", name, labels(s), kLatencyBuckets[b],
                           cumulative);
      }
      out += fmt::format("{}_bucket{{{},le=\"+Inf\"}} {}\n", name, labels(s), total);
      out += fmt::format("{}_sum{{{}}} {:.6f}\n", name, labels(s),
                         static_cast<double>(sum(s, sum_us)) / 1e6);
      out += fmt::format("{}_count{{{}}} {}\n", name, labels(s), total);
    }
  };
  histogram(
      "fleetgate_request_duration_seconds", "Time from request to the end of the response.",
      [](const DeploymentCounters& c) -> const auto& { return c.latency; },
      [](const DeploymentCounters& c) -> const auto& { return c.count; },
      [](const DeploymentCounters& c) -> const auto& { return c.latency_sum_us; });
  histogram(
      "fleetgate_time_to_first_byte_seconds",
      "Time from request to the backend's first byte (first token when streaming).",
      [](const DeploymentCounters& c) -> const auto& { return c.ttfb; },
      [](const DeploymentCounters& c) -> const auto& { return c.ttfb_count; },
      [](const DeploymentCounters& c) -> const auto& { return c.ttfb_sum_us; });
  out +=
      "# HELP fleetgate_tokens_total Tokens by model, deployment and type.\n"
      "# TYPE fleetgate_tokens_total counter\n";
  for (std::size_t s = 0; s + 1 < slots_; ++s) {
    const auto p = sum(
        s, [](const DeploymentCounters& c) -> const auto& { return c.prompt_tokens; });
    const auto q = sum(
        s, [](const DeploymentCounters& c) -> const auto& { return c.completion_tokens; });
    if (p == 0 && q == 0) continue;
    out += fmt::format("fleetgate_tokens_total{{{},type=\"prompt\"}} {}\n", labels(s), p);
    out += fmt::format("fleetgate_tokens_total{{{},type=\"completion\"}} {}\n", labels(s), q);
  }
  const auto now = CoarseClock::now();
  // One gauge a deployment.
  auto gauge = [&](const char* name, const char* help, auto value) {
    out += fmt::format("# HELP {} {}\n# TYPE {} gauge\n", name, help, name);
    for (std::size_t i = 0; i < deployments.size(); ++i)
      out += fmt::format("{}{{{}}} {}\n", name, labels(i), value(i));
  };
  gauge("fleetgate_in_flight", "Requests in flight per deployment.",
        [&](std::size_t i) { return state.health->in_flight(i); });
  gauge("fleetgate_backend_healthy",
        "Whether the gateway routes to a deployment (1) or not (0: cooling down, failing "
        "probes, or drifted with on_drift: eject).",
        [&](std::size_t i) { return state.health->available(i, now) ? 1 : 0; });
  gauge("fleetgate_backend_drift",
        "Whether a deployment's backend answers but does not list its model (1); it keeps its "
        "traffic unless health_checks.on_drift is eject.",
        [&](std::size_t i) { return state.health->view(i, now).probe.drift ? 1 : 0; });
}

}  // namespace fleetgate
