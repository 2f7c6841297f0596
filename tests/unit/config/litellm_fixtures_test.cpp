// Every LiteLLM config under tests/fixtures/litellm/ loads with the outcome its header states.
// Header lines ("# key: value", before the YAML):
//   exit: 0|1|2                 what `fleetgate check` exits with
//   env: NAME=value             the environment the file is read in
//   deployments: N / skipped: N
//   summary: text               a part of check's summary line
//   warning: text / error: text a part of some warning / error (file:line: key: problem)
//   no-issue: text              no warning or error contains it
//   route: NAME -> ID MODEL     NAME is served by deployment ID, which is sent MODEL
//   unrouted: NAME
//   fallbacks: NAME -> A, B     the models a request for NAME falls back to, in order; (none)
//   context-fallbacks: ...      the same for context-window errors
//   router: key=value ...       num_retries, timeout, allowed_fails, cooldown_time, max_fallbacks
//   deployment: ID key=value ...  provider, upstream, api_base, api_key (none: unset), rpm, tpm,
//                               weight, order, timeout, max_retries, max_parallel_requests
//   master_key: value|none / fleet: auto_create_checks=true
#include "config/check_summary.h"
#include "config/loader.h"
#include "routing/fallback_chain.h"
#include "routing/route_table.h"
#include "routing/upstream_model.h"

#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>

namespace fleetgate {
namespace {

namespace fs = std::filesystem;

const fs::path kDir = fs::path(FLEETGATE_SOURCE_DIR) / "tests/fixtures/litellm";

struct Directive {
  std::string key;
  std::string value;
};

std::vector<Directive> header(const std::string& text) {
  std::vector<Directive> out;
  std::istringstream in(text);
  std::string line;
  while (std::getline(in, line) && line.starts_with("#")) {
    const auto colon = line.find(": ");
    if (colon == std::string::npos) continue;
    const std::string key = line.substr(2, colon - 2);
    if (key.find_first_not_of("abcdefghijklmnopqrstuvwxyz_-") != std::string::npos)
      continue;  // prose
    out.push_back({key, line.substr(colon + 2)});
  }
  return out;
}

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::istringstream in(s);
  std::string item;
  while (std::getline(in, item, sep)) {
    while (!item.empty() && item.front() == ' ') item.erase(0, 1);
    while (!item.empty() && item.back() == ' ') item.pop_back();
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

std::map<std::string, std::string> pairs(const std::string& s) {
  std::map<std::string, std::string> out;
  for (const auto& kv : split(s, ' ')) {
    const auto eq = kv.find('=');
    if (eq != std::string::npos) out[kv.substr(0, eq)] = kv.substr(eq + 1);
  }
  return out;
}

std::string seconds(std::optional<Duration> d) {
  if (!d) return "none";
  return std::to_string(d->count() / 1000) + "s";
}

// What a deployment's field reads as, in the header's terms.
std::string field(const Deployment& d, const std::string& key) {
  auto num = [](auto v) { return v ? std::to_string(*v) : std::string("none"); };
  if (key == "provider") return std::string(to_string(d.provider));
  if (key == "upstream") return d.upstream_model;
  if (key == "api_base")
    return (d.api_base.tls ? "https://" : "http://") + d.api_base.authority() +
           d.api_base.base_path;
  if (key == "api_key") return d.api_key.value_or("none");
  if (key == "rpm") return num(d.rpm);
  if (key == "tpm") return num(d.tpm);
  if (key == "max_parallel_requests") return num(d.max_parallel_requests);
  if (key == "order") return num(d.order);
  if (key == "max_retries") return std::to_string(d.max_retries);
  if (key == "timeout") return seconds(d.timeout);
  if (key == "weight") {
    std::ostringstream o;
    o << d.weight;
    return o.str();
  }
  return "unknown field " + key;
}

std::string router_field(const RouterSettings& r, const std::string& key) {
  if (key == "num_retries") return std::to_string(r.num_retries);
  if (key == "max_fallbacks") return std::to_string(r.max_fallbacks);
  if (key == "allowed_fails") return std::to_string(r.allowed_fails);
  if (key == "timeout") return seconds(r.timeout);
  if (key == "cooldown_time") return seconds(r.cooldown_time);
  return "unknown field " + key;
}

std::string chain_text(const ModelChain& chain) {
  if (chain.empty()) return "(none)";
  std::string out;
  for (auto m : chain) out += (out.empty() ? "" : ", ") + std::string(m);
  return out;
}

void check_fixture(const fs::path& path) {
  SCOPED_TRACE(path.filename().string());
  std::ifstream in(path);
  std::stringstream buf;
  buf << in.rdbuf();
  const std::string text = buf.str();
  const auto directives = header(text);
  std::map<std::string, std::string> env;
  for (const auto& d : directives)
    if (d.key == "env") {
      const auto eq = d.value.find('=');
      env[d.value.substr(0, eq)] = d.value.substr(eq + 1);
    }
  const std::string name = path.filename().string();
  const ConfigResult r =
      load_config_text(text, name, [&env](const std::string& n) -> std::optional<std::string> {
        auto it = env.find(n);
        if (it == env.end()) return std::nullopt;
        return it->second;
      });
  const CheckSummary summary = summarize_check(r, name);
  std::string warnings, errors;
  for (const auto& i : r ? r->warnings : r.error())
    (i.warning ? warnings : errors) += i.str() + "\n";
  const std::string all = "warnings:\n" + warnings + "errors:\n" + errors;
  std::optional<RouteTable> routes;
  if (r) routes.emplace(*r);
  auto find = [&](const std::string& id) -> const Deployment* {
    for (const auto& d : r->deployments)
      if (d.id == id) return &d;
    return nullptr;
  };
  bool has_exit = false;
  for (const auto& d : directives) {
    SCOPED_TRACE(d.key + ": " + d.value);
    if (d.key == "exit") {
      has_exit = true;
      EXPECT_EQ(std::to_string(summary.exit_code), d.value) << summary.line << "\n" << all;
    } else if (d.key == "summary") {
      EXPECT_NE(summary.line.find(d.value), std::string::npos) << summary.line;
    } else if (d.key == "warning") {
      EXPECT_NE(warnings.find(d.value), std::string::npos) << all;
    } else if (d.key == "error") {
      EXPECT_NE(errors.find(d.value), std::string::npos) << all;
    } else if (d.key == "no-issue") {
      EXPECT_EQ(all.find(d.value), std::string::npos) << all;
    } else if (d.key == "env" || d.key == "source") {
      continue;
    } else if (!r) {
      ADD_FAILURE() << "the file did not load, so this cannot be checked\n" << all;
    } else if (d.key == "deployments") {
      EXPECT_EQ(std::to_string(r->deployments.size()), d.value);
    } else if (d.key == "skipped") {
      EXPECT_EQ(std::to_string(r->skipped.size()), d.value);
    } else if (d.key == "route") {
      const auto arrow = d.value.find(" -> ");
      const std::string requested = d.value.substr(0, arrow);
      const auto target = split(d.value.substr(arrow + 4), ' ');
      ASSERT_EQ(target.size(), 2u);
      const auto* members = routes->candidates(requested);
      ASSERT_NE(members, nullptr) << requested << " is not routed";
      const Deployment* chosen = nullptr;
      for (DeploymentIndex i : *members)
        if (!chosen && takes_request(r->deployments[i], requested)) chosen = &r->deployments[i];
      ASSERT_NE(chosen, nullptr) << "no deployment of the group takes " << requested;
      EXPECT_EQ(chosen->id, target[0]);
      EXPECT_EQ(upstream_model_for(*chosen, requested), target[1]);
    } else if (d.key == "unrouted") {
      const auto* members = routes->candidates(d.value);
      bool taken = false;
      if (members)
        for (DeploymentIndex i : *members) taken |= takes_request(r->deployments[i], d.value);
      EXPECT_FALSE(taken) << d.value << " is routed";
    } else if (d.key == "fallbacks" || d.key == "context-fallbacks") {
      const auto arrow = d.value.find(" -> ");
      const std::string from = d.value.substr(0, arrow);
      const auto kind = d.key == "fallbacks" ? FallbackKind::General : FallbackKind::ContextWindow;
      EXPECT_EQ(chain_text(fallback_chain(*routes, from, kind, r->router.max_fallbacks)),
                d.value.substr(arrow + 4));
    } else if (d.key == "router") {
      for (const auto& [k, v] : pairs(d.value)) EXPECT_EQ(router_field(r->router, k), v) << k;
    } else if (d.key == "deployment") {
      const auto space = d.value.find(' ');
      const Deployment* dep = find(d.value.substr(0, space));
      ASSERT_NE(dep, nullptr) << "no deployment " << d.value.substr(0, space);
      for (const auto& [k, v] : pairs(d.value.substr(space + 1))) EXPECT_EQ(field(*dep, k), v) << k;
    } else if (d.key == "master_key") {
      EXPECT_EQ(r->master_key.value_or("none"), d.value);
    } else if (d.key == "fleet") {
      for (const auto& [k, v] : pairs(d.value)) {
        ASSERT_EQ(k, "auto_create_checks");
        EXPECT_EQ(r->fleet.auto_create_checks ? "true" : "false", v);
      }
    } else {
      ADD_FAILURE() << "unknown directive " << d.key;
    }
  }
  EXPECT_TRUE(has_exit) << "every fixture states its exit status";
}

}  // namespace

TEST(LiteLLMFixtures, EachLoadsAsItsHeaderSays) {
  std::vector<fs::path> files;
  for (const auto& e : fs::directory_iterator(kDir))
    if (e.path().extension() == ".yaml") files.push_back(e.path());
  std::sort(files.begin(), files.end());
  EXPECT_GE(files.size(), 30u);
  for (const auto& f : files) check_fixture(f);
}

}  // namespace fleetgate
