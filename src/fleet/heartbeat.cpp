#include "fleet/heartbeat.h"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

namespace fleetgate {

namespace json = boost::json;

namespace {

std::optional<double> number(const json::object& o, std::string_view key, std::string& problem) {
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) return std::nullopt;
  const json::value& v = it->value();
  if (v.is_double()) return v.get_double();
  if (v.is_int64()) return static_cast<double>(v.get_int64());
  if (v.is_uint64()) return static_cast<double>(v.get_uint64());
  problem = "'" + std::string(key) + "' must be a number";
  return std::nullopt;
}

std::string text(const json::object& o, std::string_view key, std::string& problem) {
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) return {};
  if (!it->value().is_string()) {
    problem = "'" + std::string(key) + "' must be a string";
    return {};
  }
  return std::string(it->value().get_string());
}

const json::array* list(const json::object& o, std::string_view key, std::string& problem) {
  auto it = o.find(key);
  if (it == o.end() || it->value().is_null()) return nullptr;
  if (!it->value().is_array()) {
    problem = "'" + std::string(key) + "' must be a list";
    return nullptr;
  }
  return &it->value().get_array();
}

}  // namespace

Result<Heartbeat> parse_heartbeat(std::string_view body) {
  boost::system::error_code ec;
  json::value root = json::parse(body, ec);
  if (ec || !root.is_object())
    return Error(Errc::BadRequest, "The heartbeat must be a JSON object.");
  const json::object& o = root.get_object();
  std::string problem;
  Heartbeat hb;
  hb.node = text(o, "node", problem);
  if (hb.node.empty() && problem.empty()) problem = "'node' is required";
  if (hb.node.size() > 200) problem = "'node' is longer than 200 characters";
  hb.agent_version = text(o, "agent_version", problem);
  hb.uptime_s = number(o, "uptime_s", problem);
  if (auto p = number(o, "period_s", problem); p && *p > 0 && *p < 86400 * 7)
    hb.period = Duration(static_cast<Duration::rep>(*p * 1000));
  if (auto it = o.find("cpu"); it != o.end() && it->value().is_object()) {
    const auto& c = it->value().get_object();
    hb.cores = number(c, "cores", problem);
    hb.load1 = number(c, "load1", problem);
    hb.load5 = number(c, "load5", problem);
    hb.load15 = number(c, "load15", problem);
  }
  if (auto it = o.find("memory"); it != o.end() && it->value().is_object()) {
    const auto& m = it->value().get_object();
    hb.memory_total_bytes = number(m, "total_bytes", problem);
    hb.memory_available_bytes = number(m, "available_bytes", problem);
  }
  if (const auto* disks = list(o, "disks", problem)) {
    for (const auto& d : *disks) {
      if (!d.is_object()) continue;
      const auto& dobj = d.get_object();
      DiskFigures f;
      f.mount = text(dobj, "mount", problem);
      f.total_bytes = number(dobj, "total_bytes", problem).value_or(0);
      f.used_bytes = number(dobj, "used_bytes", problem).value_or(0);
      if (!f.mount.empty()) hb.disks.push_back(std::move(f));
    }
  }
  if (const auto* gpus = list(o, "gpus", problem)) {
    for (const auto& g : *gpus) {
      if (!g.is_object()) continue;
      const auto& gobj = g.get_object();
      GpuFigures f;
      f.name = text(gobj, "name", problem);
      auto index = number(gobj, "index", problem);
      f.id = index ? std::to_string(static_cast<long long>(*index)) : f.name;
      f.memory_total_bytes = number(gobj, "memory_total_bytes", problem);
      f.memory_used_bytes = number(gobj, "memory_used_bytes", problem);
      f.utilization_percent = number(gobj, "utilization_percent", problem);
      f.temperature_c = number(gobj, "temperature_c", problem);
      hb.gpus.push_back(std::move(f));
    }
  }
  if (const auto* procs = list(o, "processes", problem)) {
    for (const auto& p : *procs) {
      if (!p.is_object()) continue;
      const auto& pobj = p.get_object();
      ProcessFigures f;
      f.name = text(pobj, "name", problem);
      f.state = text(pobj, "state", problem);
      for (auto& ch : f.state) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
      if (auto pid = number(pobj, "pid", problem)) f.pid = static_cast<long long>(*pid);
      f.restarts = static_cast<long long>(number(pobj, "restarts", problem).value_or(0));
      if (auto e = number(pobj, "exit_status", problem)) f.exit_status = static_cast<int>(*e);
      if (!f.name.empty()) hb.processes.push_back(std::move(f));
    }
  }
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
