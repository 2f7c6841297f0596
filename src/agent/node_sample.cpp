#include "agent/node_sample.h"

#include "core/json_escape.h"

#include <charconv>
#include <set>
#include <sstream>

namespace fleetgate {

namespace {

std::optional<double> number(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\r')) s.remove_suffix(1);
  double v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || p != s.data() + s.size()) return std::nullopt;
  return v;
}

std::string fixed(double v) {
  std::ostringstream out;
  out.precision(3);
  out << std::fixed << v;
  std::string s = out.str();
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

}  // namespace

std::optional<std::array<double, 3>> parse_loadavg(std::string_view text) {
  std::istringstream in{std::string(text)};
  std::array<double, 3> load{};
  if (!(in >> load[0] >> load[1] >> load[2])) return std::nullopt;
  return load;
}

std::optional<std::pair<std::uint64_t, std::uint64_t>> parse_meminfo(std::string_view text) {
  std::optional<std::uint64_t> total, available;
  std::istringstream in{std::string(text)};
  std::string key;
  std::uint64_t kib = 0;
  std::string unit;
  while (in >> key >> kib) {
    std::getline(in, unit);
    if (key == "MemTotal:") total = kib * 1024;
    if (key == "MemAvailable:") available = kib * 1024;
  }
  if (!total || !available) return std::nullopt;
  return std::make_pair(*total, *available);
}

std::optional<double> parse_uptime(std::string_view text) {
  return number(text.substr(0, text.find(' ')));
}

std::vector<std::string> parse_mounts(std::string_view text) {
  static const std::set<std::string, std::less<>> kVirtual = {
      "proc",    "sysfs",      "tmpfs",    "devtmpfs",        "devpts",     "cgroup",   "cgroup2",
      "pstore",  "bpf",        "tracefs",  "debugfs",         "securityfs", "mqueue",   "hugetlbfs",
      "fusectl", "configfs",   "autofs",   "binfmt_misc",     "overlay",    "squashfs", "nsfs",
      "ramfs",   "rpc_pipefs", "efivarfs", "fuse.gvfsd-fuse", "fuse.portal"};
  std::vector<std::string> out;
  std::set<std::string> devices;
  std::istringstream in{std::string(text)};
  std::string line;
  while (std::getline(in, line)) {
    std::istringstream f(line);
    std::string device, mount, type;
    if (!(f >> device >> mount >> type)) continue;
    if (kVirtual.count(type) || mount.starts_with("/snap/")) continue;
    if (!devices.insert(device).second) continue;  // a bind mount of one already listed
    // /proc/mounts escapes spaces as \040.
    std::string unescaped;
    for (std::size_t i = 0; i < mount.size(); ++i) {
      if (mount[i] == '\\' && i + 3 < mount.size()) {
        unescaped += static_cast<char>(std::stoi(mount.substr(i + 1, 3), nullptr, 8));
        i += 3;
      } else {
        unescaped += mount[i];
      }
    }
    out.push_back(unescaped);
  }
  return out;
}

std::vector<GpuSample> parse_nvidia_smi(std::string_view csv) {
  std::vector<GpuSample> out;
  std::istringstream in{std::string(csv)};
  std::string line;
  while (std::getline(in, line)) {
    std::vector<std::string> f;
    std::istringstream cells(line);
    for (std::string c; std::getline(cells, c, ',');) f.push_back(c);
    if (f.size() < 6) continue;
    auto index = number(f[0]);
    if (!index) continue;
    GpuSample g;
    g.index = static_cast<int>(*index);
    g.name = f[1];
    while (!g.name.empty() && g.name.front() == ' ') g.name.erase(0, 1);
    const double mib = 1024.0 * 1024.0;
    g.memory_total_bytes = static_cast<std::uint64_t>(number(f[2]).value_or(0) * mib);
    g.memory_used_bytes = static_cast<std::uint64_t>(number(f[3]).value_or(0) * mib);
    g.utilization_percent = number(f[4]);
    g.temperature_c = number(f[5]);
    out.push_back(std::move(g));
  }
  return out;
}

std::string heartbeat_json(const NodeSample& s) {
  std::string out =
      "{\"node\":" + json_string(s.node) + ",\"agent_version\":" + json_string(s.agent_version) +
      ",\"uptime_s\":" + fixed(s.uptime_s) + ",\"period_s\":" + fixed(s.period_s) +
      ",\"cpu\":{\"cores\":" + std::to_string(s.cores) + ",\"load1\":" + fixed(s.load[0]) +
      ",\"load5\":" + fixed(s.load[1]) + ",\"load15\":" + fixed(s.load[2]) +
      "},\"memory\":{\"total_bytes\":" + std::to_string(s.memory_total_bytes) +
      ",\"available_bytes\":" + std::to_string(s.memory_available_bytes) + "},\"disks\":[";
  for (std::size_t i = 0; i < s.disks.size(); ++i) {
    const auto& d = s.disks[i];
    if (i) out += ',';
    out += "{\"mount\":" + json_string(d.mount) +
           ",\"total_bytes\":" + std::to_string(d.total_bytes) +
           ",\"used_bytes\":" + std::to_string(d.used_bytes) + "}";
  }
  out += "],\"gpus\":[";
  for (std::size_t i = 0; i < s.gpus.size(); ++i) {
    const auto& g = s.gpus[i];
    if (i) out += ',';
    out += "{\"index\":" + std::to_string(g.index) + ",\"name\":" + json_string(g.name) +
           ",\"memory_total_bytes\":" + std::to_string(g.memory_total_bytes) +
           ",\"memory_used_bytes\":" + std::to_string(g.memory_used_bytes);
    if (g.utilization_percent) out += ",\"utilization_percent\":" + fixed(*g.utilization_percent);
    if (g.temperature_c) out += ",\"temperature_c\":" + fixed(*g.temperature_c);
    out += "}";
  }
  out += "],\"processes\":[";
  for (std::size_t i = 0; i < s.processes.size(); ++i) {
    const auto& p = s.processes[i];
    if (i) out += ',';
    out += "{\"name\":" + json_string(p.name) + ",\"state\":" + json_string(p.state) +
           ",\"restarts\":" + std::to_string(p.restarts);
    if (p.pid) out += ",\"pid\":" + std::to_string(*p.pid);
    if (p.exit_status) out += ",\"exit_status\":" + std::to_string(*p.exit_status);
    if (p.on_demand) out += ",\"on_demand\":true";
    out += "}";
  }
  out += "],\"actions\":[";
  for (std::size_t i = 0; i < s.actions.size(); ++i) {
    const auto& a = s.actions[i];
    if (i) out += ',';
    out += "{\"at_ms\":" + std::to_string(a.at_ms) + ",\"process\":" + json_string(a.process) +
           ",\"action\":" + json_string(a.action) + ",\"reason\":" + json_string(a.reason) +
           ",\"outcome\":" + json_string(a.outcome) +
           ",\"recovery\":" + (a.recovery ? "true" : "false") + "}";
  }
  out += "]}";
  return out;
}

}  // namespace fleetgate
