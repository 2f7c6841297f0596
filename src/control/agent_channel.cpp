#include "control/agent_channel.h"

#include "core/json_escape.h"

#include <boost/json/parse.hpp>
#include <boost/json/value.hpp>

#include <algorithm>

namespace fleetgate {

namespace {

std::string string_list(const std::vector<std::string>& v) {
  std::string out = "[";
  for (std::size_t i = 0; i < v.size(); ++i) out += (i ? "," : "") + json_string(v[i]);
  return out + "]";
}

bool read_strings(const boost::json::object& o, std::string_view key,
                  std::vector<std::string>& out) {
  const auto* v = o.if_contains(key);
  if (!v) return true;
  const auto* list = v->if_array();
  if (!list) return false;
  for (const auto& e : *list) {
    if (!e.is_string()) return false;
    out.emplace_back(e.get_string());
  }
  return true;
}

void add_once(std::vector<std::string>& v, const std::string& s) {
  if (std::find(v.begin(), v.end(), s) == v.end()) v.push_back(s);
}

}  // namespace

std::string control_reply_json(const ControlReply& r) {
  std::string out = "{\"commands\":[";
  for (std::size_t i = 0; i < r.commands.size(); ++i) {
    const auto& c = r.commands[i];
    out += (i ? "," : "");
    out += "{\"process\":" + json_string(c.process) + ",\"action\":\"" +
           std::string(to_string(c.action)) + "\"" + ",\"reason\":" + json_string(c.reason) +
           ",\"recovery\":" + (c.recovery ? "true" : "false") + "}";
  }
  out +=
      "],\"in_use\":" + string_list(r.in_use) + ",\"unhealthy\":" + string_list(r.unhealthy) + "}";
  return out;
}

Result<ControlReply> parse_control_reply(std::string_view body) {
  boost::system::error_code ec;
  const auto v = boost::json::parse(body, ec);
  const auto* o = ec ? nullptr : v.if_object();
  if (!o) return Error(Errc::UpstreamProtocol, "the control plane's answer is not a JSON object");
  ControlReply r;
  if (const auto* cs = o->if_contains("commands")) {
    const auto* list = cs->if_array();
    if (!list) return Error(Errc::UpstreamProtocol, "commands: not a list");
    for (const auto& e : *list) {
      const auto* c = e.if_object();
      const auto* process = c ? c->if_contains("process") : nullptr;
      const auto* action = c ? c->if_contains("action") : nullptr;
      if (!process || !process->is_string() || !action || !action->is_string())
        return Error(Errc::UpstreamProtocol, "commands[]: needs process and action strings");
      AgentCommand cmd;
      cmd.process = process->get_string();
      const auto known = parse_control_action(action->get_string());
      if (!known) {  // a newer control plane's word: that command is skipped, the rest go on
        r.unknown.push_back(std::string(action->get_string()) + " of " + cmd.process);
        continue;
      }
      cmd.action = *known;
      if (const auto* reason = c->if_contains("reason"); reason && reason->is_string())
        cmd.reason = reason->get_string();
      if (const auto* rec = c->if_contains("recovery"); rec && rec->is_bool())
        cmd.recovery = rec->get_bool();
      r.commands.push_back(std::move(cmd));
    }
  }
  if (!read_strings(*o, "in_use", r.in_use) || !read_strings(*o, "unhealthy", r.unhealthy))
    return Error(Errc::UpstreamProtocol, "in_use and unhealthy must be lists of names");
  return r;
}

void AgentChannel::expire(Node& n, ControlTime now) {
  std::erase_if(n.queue, [&](const Queued& q) { return now - q.at > ttl_; });
}

void AgentChannel::send(const std::string& node, AgentCommand c, ControlTime now) {
  std::lock_guard lock(mutex_);
  Node& n = nodes_[node];
  expire(n, now);
  n.queue.push_back({std::move(c), now});
}

bool AgentChannel::has_commands(const std::string& node, ControlTime now) {
  std::lock_guard lock(mutex_);
  auto it = nodes_.find(node);
  if (it == nodes_.end()) return false;
  expire(it->second, now);
  return !it->second.queue.empty();
}

ControlReply AgentChannel::take(const std::string& node, ControlTime now) {
  std::lock_guard lock(mutex_);
  Node& n = nodes_[node];
  expire(n, now);
  n.last_poll = now;
  ControlReply r;
  for (auto& q : n.queue) r.commands.push_back(std::move(q.command));
  n.queue.clear();
  r.in_use = std::exchange(n.used, {});
  r.unhealthy = n.unhealthy;
  return r;
}

void AgentChannel::polling(const std::string& node, int delta, ControlTime now) {
  std::lock_guard lock(mutex_);
  Node& n = nodes_[node];
  n.open_polls += delta;
  n.last_poll = now;
}

bool AgentChannel::connected(const std::string& node, ControlTime now, Duration linger) const {
  std::lock_guard lock(mutex_);
  auto it = nodes_.find(node);
  if (it == nodes_.end()) return false;
  const Node& n = it->second;
  return n.open_polls > 0 || (n.last_poll && now - *n.last_poll <= linger);
}

void AgentChannel::process_states(const std::string& node,
                                  const std::vector<std::pair<std::string, std::string>>& states,
                                  ControlTime now) {
  std::lock_guard lock(mutex_);
  Node& n = nodes_[node];
  n.heartbeat = now;
  for (const auto& [name, state] : states) n.processes[name] = {parse_process_state(state), now};
}

std::optional<ControlTime> AgentChannel::last_heartbeat(const std::string& node) const {
  std::lock_guard lock(mutex_);
  auto it = nodes_.find(node);
  if (it == nodes_.end()) return std::nullopt;
  return it->second.heartbeat;
}

std::optional<AgentChannel::ProcessView> AgentChannel::process(const std::string& node,
                                                               const std::string& name) const {
  std::lock_guard lock(mutex_);
  auto it = nodes_.find(node);
  if (it == nodes_.end()) return std::nullopt;
  auto p = it->second.processes.find(name);
  if (p == it->second.processes.end()) return std::nullopt;
  return p->second;
}

void AgentChannel::touch(const std::string& node, const std::string& process) {
  std::lock_guard lock(mutex_);
  add_once(nodes_[node].used, process);
}

void AgentChannel::set_unhealthy(const std::string& node, const std::string& process,
                                 bool unhealthy) {
  std::lock_guard lock(mutex_);
  auto& list = nodes_[node].unhealthy;
  if (unhealthy)
    add_once(list, process);
  else
    std::erase(list, process);
}

}  // namespace fleetgate
