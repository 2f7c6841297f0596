#include "fleet/heartbeat.h"

#include "core/checked_cast.h"
#include "core/json_escape.h"
#include "core/text_forms.h"
#include "fleet/json_fields.h"

#include <boost/json/parse.hpp>

namespace fleetgate {

namespace json = boost::json;

Result<Heartbeat> parse_heartbeat(std::string_view body) {
  boost::system::error_code ec;
  json::value root = json::parse(body, ec);
  if (ec || !root.is_object())
    return Error(Errc::BadRequest, "The heartbeat must be a JSON object.");
  const json::object& o = root.get_object();
  JsonFields f;
  Heartbeat hb;
  hb.node = f.text(o, "node");
  if (f.ok() && hb.node.empty())
    return Error(Errc::BadRequest, "Bad heartbeat: 'node' is required.");
  hb.agent_version = f.text(o, "agent_version");
  hb.uptime_s = f.number(o, "uptime_s");
  if (auto p = f.number(o, "period_s"); p && *p > 0 && *p < 86400 * 7)
    hb.period = Duration(static_cast<Duration::rep>(*p * 1000));
  if (const auto* c = f.object(o, "cpu")) {
    hb.cores = f.number(*c, "cores");
    hb.load1 = f.number(*c, "load1");
    hb.load5 = f.number(*c, "load5");
    hb.load15 = f.number(*c, "load15");
  }
  if (const auto* m = f.object(o, "memory")) {
    hb.memory_total_bytes = f.number(*m, "total_bytes");
    hb.memory_available_bytes = f.number(*m, "available_bytes");
  }
  if (const auto* disks = f.list(o, "disks"))
    for (const auto& d : *disks) {
      if (!d.is_object()) continue;
      DiskFigures disk;
      disk.mount = f.text(d.get_object(), "mount");
      disk.total_bytes = f.number(d.get_object(), "total_bytes").value_or(0);
      disk.used_bytes = f.number(d.get_object(), "used_bytes").value_or(0);
      if (!disk.mount.empty()) hb.disks.push_back(std::move(disk));
    }
  if (const auto* gpus = f.list(o, "gpus"))
    for (const auto& g : *gpus) {
      if (!g.is_object()) continue;
      const auto& go = g.get_object();
      GpuFigures gpu;
      gpu.name = f.text(go, "name");
      const auto index = f.number(go, "index");
      const auto id = index ? to_integer<long long>(*index) : std::nullopt;
      gpu.id = id ? std::to_string(*id) : gpu.name;
      gpu.memory_total_bytes = f.number(go, "memory_total_bytes");
      gpu.memory_used_bytes = f.number(go, "memory_used_bytes");
      gpu.utilization_percent = f.number(go, "utilization_percent");
      gpu.temperature_c = f.number(go, "temperature_c");
      hb.gpus.push_back(std::move(gpu));
    }
  if (const auto* procs = f.list(o, "processes"))
    for (const auto& p : *procs) {
      if (!p.is_object()) continue;
      const auto& po = p.get_object();
      ProcessFigures proc;
      proc.name = f.text(po, "name");
      proc.state = f.text(po, "state");
      for (auto& ch : proc.state)
        ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      if (auto pid = f.number(po, "pid")) proc.pid = to_integer<long long>(*pid);
      proc.restarts = clamp_to_integer<long long>(f.number(po, "restarts").value_or(0), 0,
                                                  std::numeric_limits<long long>::max());
      if (auto e = f.number(po, "exit_status")) proc.exit_status = to_integer<int>(*e);
      proc.on_demand = f.boolean(po, "on_demand").value_or(false);
      if (!is_slug(proc.name))
        return Error(Errc::BadRequest,
                     "Bad heartbeat: a process name must be a slug (lower-case "
                     "letters, digits, '-', '_', '.'; at most 100).");
      hb.processes.push_back(std::move(proc));
    }
  if (const auto* actions = f.list(o, "actions"))
    for (const auto& a : *actions) {
      if (!a.is_object()) continue;
      const auto& ao = a.get_object();
      ActionFigures act;
      act.at_ms = clamp_to_integer<std::int64_t>(f.number(ao, "at_ms").value_or(0), 0,
                                                 std::numeric_limits<std::int64_t>::max());
      act.process = f.text(ao, "process");
      act.action = f.text(ao, "action");
      act.reason = f.text(ao, "reason");
      act.outcome = f.text(ao, "outcome");
      act.recovery = f.boolean(ao, "recovery").value_or(false);
      if (!act.process.empty() && !act.action.empty()) hb.actions.push_back(std::move(act));
    }
  std::string problem = f.problem();
  if (problem.empty() && !is_node_name(hb.node))
    problem = "'node' must be 1 to 100 letters, digits, '-', '_' or '.'";
  for (const auto& d : hb.disks)
    if (problem.empty() && (d.mount.size() > 512 || !is_utf8(d.mount)))
      problem = "a disk's 'mount' must be UTF-8 of at most 512 bytes";
  for (const auto& g : hb.gpus)
    if (problem.empty() && (g.name.size() > 256 || !is_utf8(g.name)))
      problem = "a GPU's 'name' must be UTF-8 of at most 256 bytes";
  if (!problem.empty()) return Error(Errc::BadRequest, "Bad heartbeat: " + problem + ".");
  return hb;
}

std::vector<Reading> readings(const Heartbeat& hb) {
  std::vector<Reading> out;
  for (const auto& d : hb.disks)
    if (d.total_bytes > 0)
      out.push_back({Metric::DiskUsedPercent, d.mount, 100.0 * d.used_bytes / d.total_bytes});
  if (hb.memory_total_bytes && hb.memory_available_bytes && *hb.memory_total_bytes > 0)
    out.push_back({Metric::MemoryUsedPercent, "",
                   100.0 * (1.0 - *hb.memory_available_bytes / *hb.memory_total_bytes)});
  if (hb.load1 && hb.cores && *hb.cores > 0)
    out.push_back({Metric::CpuLoadPerCore, "", *hb.load1 / *hb.cores});
  for (const auto& g : hb.gpus) {
    if (g.temperature_c) out.push_back({Metric::GpuTemperatureC, g.id, *g.temperature_c});
    if (g.memory_total_bytes && g.memory_used_bytes && *g.memory_total_bytes > 0)
      out.push_back({Metric::GpuMemoryUsedPercent, g.id,
                     100.0 * *g.memory_used_bytes / *g.memory_total_bytes});
  }
  return out;
}

}  // namespace fleetgate
