#include "config/loader.h"

#include <gtest/gtest.h>

#include <map>

namespace fleetgate {
namespace {

EnvLookup fake_env(std::map<std::string, std::string> vars) {
  return [vars](const std::string& name) -> std::optional<std::string> {
    auto it = vars.find(name);
    if (it == vars.end()) return std::nullopt;
    return it->second;
  };
}

ConfigResult load(const std::string& text, EnvLookup env = fake_env({})) {
  return load_config_text(text, "config.yaml", env);
}

// All issue messages joined, for matching.
std::string issues_of(const ConfigResult& r) {
  std::string out;
  if (r) return out;
  for (const auto& i : r.error()) out += i.str() + "\n";
  return out;
}

constexpr const char* kLiteLLMConfig = R"(model_list:
  - model_name: qwen-7b
    litellm_params:
      model: hosted_vllm/Qwen/Qwen2.5-7B-Instruct
      api_base: http://armitage:8000/v1
      api_key: os.environ/VLLM_KEY
      rpm: 100
      tpm: 50000
      weight: 2
      order: 1
      timeout: 600
      stream_timeout: 60
      max_retries: 2
  - model_name: qwen-7b
    litellm_params:
      model: hosted_vllm/Qwen/Qwen2.5-7B-Instruct
      api_base: http://wintermute:8000/v1
  - model_name: fast
    litellm_params:
      model: openai/qwen2.5-1.5b
      api_base: http://192.168.86.38:8080/v1
  - model_name: complex
    litellm_params:
      model: ollama_chat/qwen2.5:7b
      api_base: http://192.168.86.56:11434
router_settings:
  routing_strategy: simple-shuffle
  num_retries: 2
  timeout: 30
  fallbacks: [{"qwen-7b": ["complex"]}]
  allowed_fails: 3
  cooldown_time: 30
general_settings:
  master_key: os.environ/LITELLM_MASTER_KEY
)";

}  // namespace

TEST(ConfigLoader, ReadsTheLiteLLMSubset) {
  auto r = load(kLiteLLMConfig,
                fake_env({{"VLLM_KEY", "sk-vllm"}, {"LITELLM_MASTER_KEY", "sk-master"}}));
  ASSERT_TRUE(r) << issues_of(r);
  const Config& c = *r;
  ASSERT_EQ(c.deployments.size(), 4u);
  const Deployment& d = c.deployments[0];
  EXPECT_EQ(d.id, "qwen-7b#1");
  EXPECT_EQ(c.deployments[1].id, "qwen-7b#2");
  EXPECT_EQ(d.provider, Provider::HostedVllm);
  EXPECT_EQ(d.upstream_model, "Qwen/Qwen2.5-7B-Instruct");
  EXPECT_EQ(d.api_base.host, "armitage");
  EXPECT_EQ(d.api_base.base_path, "/v1");
  EXPECT_EQ(d.api_key, "sk-vllm");
  EXPECT_EQ(d.rpm, 100u);
  EXPECT_EQ(d.tpm, 50000u);
  EXPECT_DOUBLE_EQ(d.weight, 2.0);
  EXPECT_EQ(d.order, 1);
  EXPECT_EQ(d.timeout, Duration(600000));
  EXPECT_EQ(d.stream_timeout, Duration(60000));
  EXPECT_EQ(d.max_retries, 2);
  EXPECT_EQ(c.deployments[3].provider, Provider::OllamaChat);
  EXPECT_EQ(c.router.timeout, Duration(30000));
  EXPECT_EQ(c.router.num_retries, 2);
  ASSERT_EQ(c.router.fallbacks.size(), 1u);
  EXPECT_EQ(c.router.fallbacks[0].to, std::vector<std::string>{"complex"});
  EXPECT_EQ(c.master_key, "sk-master");
  EXPECT_EQ(c.gateway.listen.port, 4000);
  EXPECT_EQ(c.gateway.listen.host, "127.0.0.1");
}

TEST(ConfigLoader, WarnsOnceForLiteLLMKeysNotImplemented) {
  auto r = load(R"(model_list:
  - model_name: a
    litellm_params: {model: openai/a, api_base: "http://h:1/v1", temperature: 0.2, drop_params: true}
  - model_name: b
    litellm_params: {model: openai/b, api_base: "http://h:1/v1", temperature: 0.1}
litellm_settings: {drop_params: true}
)");
  ASSERT_TRUE(r) << issues_of(r);
  int temperature = 0, settings = 0;
  for (const auto& w : r->warnings) {
    if (w.key.find("temperature") != std::string::npos) ++temperature;
    if (w.key == "litellm_settings.drop_params") ++settings;
  }
  EXPECT_EQ(temperature, 1);
  EXPECT_EQ(settings, 1);
}

TEST(ConfigLoader, ReadsTheAutoRouter) {
  const std::string models =
      "model_list:\n"
      "  - {model_name: fast, litellm_params: {model: openai/a, api_base: 'http://h:1/v1'}}\n"
      "  - {model_name: complex, litellm_params: {model: openai/b, api_base: 'http://h:1/v1'}}\n";
  auto defaults =
      load(models + "fleetgate:\n  auto_router: {model: auto, tiers: [fast, complex]}\n");
  ASSERT_TRUE(defaults) << issues_of(defaults);
  const auto& a = defaults->gateway.auto_router;
  EXPECT_EQ(a.model_name, "auto");
  EXPECT_EQ(a.tiers, (std::vector<std::string>{"fast", "complex"}));
  ASSERT_EQ(a.rules.size(), 6u);
  EXPECT_EQ(a.rules[0].kind, AutoRule::Kind::PromptTokens);
  EXPECT_EQ(a.rules[0].over, 2000u);
  EXPECT_EQ(a.rules[5].tier, 1u);

  auto custom = load(models + R"(fleetgate:
  auto_router:
    model: router
    tiers: [fast, complex]
    rules:
      prompt_tokens: {over: 500, tier: complex}
      code: complex
      keywords: {tier: complex, any: [Plan, "Step By Step"]}
)");
  ASSERT_TRUE(custom) << issues_of(custom);
  const auto& rules = custom->gateway.auto_router.rules;
  ASSERT_EQ(rules.size(), 3u);
  EXPECT_EQ(rules[0].over, 500u);
  EXPECT_EQ(rules[1].kind, AutoRule::Kind::Code);
  EXPECT_EQ(rules[2].any, (std::vector<std::string>{"plan", "step by step"}));
}

TEST(ConfigLoader, ReadsFleetgateSection) {
  auto r = load(R"(model_list: []
fleetgate:
  listen: 127.0.0.1:0
  threads: 2
  max_request_body: 1MiB
  access_log: off
  timeouts: {connect: 250ms, request: 2m, stream_idle: 15s, drain: 5s}
  health_checks: {interval: 5s, timeout: 500ms, rise: 1, fall: 4}
  queue_timeout: 250ms
  max_queued: 7
)");
  ASSERT_TRUE(r) << issues_of(r);
  EXPECT_EQ(r->gateway.listen.port, 0);
  EXPECT_EQ(r->gateway.threads, 2u);
  EXPECT_EQ(r->gateway.max_request_body, 1u << 20);
  EXPECT_EQ(r->gateway.access_log, "off");
  EXPECT_EQ(r->gateway.timeouts.connect, Duration(250));
  EXPECT_EQ(r->gateway.timeouts.request, Duration(120000));
  EXPECT_EQ(r->gateway.timeouts.drain, Duration(5000));
  EXPECT_EQ(r->gateway.health_checks.interval, Duration(5000));
  EXPECT_EQ(r->gateway.health_checks.timeout, Duration(500));
  EXPECT_EQ(r->gateway.health_checks.rise, 1);
  EXPECT_EQ(r->gateway.health_checks.fall, 4);
  EXPECT_EQ(r->gateway.queue_timeout, Duration(250));
  EXPECT_EQ(r->gateway.max_queued, 7u);
}

struct BadConfig {
  const char* name;
  const char* yaml;
  const char* expected;  // substring of the rendered issues, including file:line
};

class ConfigLoaderErrors : public ::testing::TestWithParam<BadConfig> {};

TEST_P(ConfigLoaderErrors, NamesFileLineKeyAndProblem) {
  auto r = load(GetParam().yaml);
  ASSERT_FALSE(r) << GetParam().name;
  EXPECT_NE(issues_of(r).find(GetParam().expected), std::string::npos) << "got: " << issues_of(r);
}

INSTANTIATE_TEST_SUITE_P(
    EveryErrorPath, ConfigLoaderErrors,
    ::testing::Values(
        BadConfig{"empty", "", "config.yaml:0: the file is empty"},
        BadConfig{"yaml syntax", "model_list: [\n  {a: 1\n", "config.yaml:3: invalid YAML"},
        BadConfig{"top not map", "- 1\n", "config.yaml:1: must be a mapping"},
        BadConfig{"model_list not list", "model_list: 3\n",
                  "config.yaml:1: model_list: must be a list"},
        BadConfig{"missing model_name", "model_list:\n  - litellm_params: {model: openai/x}\n",
                  "config.yaml:2: model_list[0].model_name: is required"},
        BadConfig{"missing litellm_params", "model_list:\n  - model_name: x\n",
                  "config.yaml:2: model_list[0].litellm_params: is required"},
        BadConfig{"missing model",
                  "model_list:\n  - model_name: x\n    litellm_params: {api_base: 'http://h:1'}\n",
                  "config.yaml:3: model_list[0].litellm_params.model: is required"},
        BadConfig{"empty model after prefix",
                  "model_list:\n  - model_name: x\n    litellm_params: {model: openai/}\n",
                  "model_list[0].litellm_params.model: names no model"},
        BadConfig{
            "vllm needs api_base",
            "model_list:\n  - model_name: x\n    litellm_params: {model: hosted_vllm/x}\n",
            "config.yaml:3: model_list[0].litellm_params.api_base: is required for hosted_vllm/"},
        BadConfig{"bad api_base",
                  "model_list:\n  - model_name: x\n    litellm_params:\n      model: openai/x\n    "
                  "  api_base: ftp://h\n",
                  "config.yaml:5: model_list[0].litellm_params.api_base: must start with http://"},
        BadConfig{"env missing",
                  "model_list:\n  - model_name: x\n    litellm_params:\n      model: openai/x\n    "
                  "  api_key: os.environ/NOPE_KEY\n",
                  "config.yaml:5: model_list[0].litellm_params.api_key: environment variable "
                  "NOPE_KEY is not set"},
        BadConfig{
            "rpm not number",
            "model_list:\n  - model_name: x\n    litellm_params: {model: openai/x, rpm: lots}\n",
            "model_list[0].litellm_params.rpm: must be a whole number, not 'lots'"},
        BadConfig{
            "weight zero",
            "model_list:\n  - model_name: x\n    litellm_params: {model: openai/x, weight: 0}\n",
            "model_list[0].litellm_params.weight: must be greater than 0"},
        BadConfig{"timeout bad",
                  "model_list:\n  - model_name: x\n    litellm_params: {model: openai/x, timeout: "
                  "soon}\n",
                  "model_list[0].litellm_params.timeout: must be a duration"},
        BadConfig{
            "order range",
            "model_list:\n  - model_name: x\n    litellm_params: {model: openai/x, order: 0}\n",
            "model_list[0].litellm_params.order: must be between 1 and 1000"},
        BadConfig{"duplicate id",
                  "model_list:\n  - model_name: x\n    litellm_params: {model: openai/x}\n    "
                  "model_info: {id: a}\n  - model_name: y\n    litellm_params: {model: openai/y}\n "
                  "   model_info: {id: a}\n",
                  "duplicate deployment id 'a'"},
        BadConfig{"unknown strategy", "router_settings: {routing_strategy: fastest}\n",
                  "config.yaml:1: router_settings.routing_strategy: unknown strategy 'fastest'"},
        BadConfig{"fallback shape", "router_settings:\n  fallbacks: [a]\n",
                  "router_settings.fallbacks[0]: must be a one-key mapping"},
        BadConfig{"master key empty", "general_settings: {master_key: ''}\n",
                  "general_settings.master_key: must not be empty"},
        BadConfig{"unknown fleetgate key", "fleetgate:\n  listne: 1\n",
                  "config.yaml:2: fleetgate.listne: unknown key"},
        BadConfig{"bad listen", "fleetgate: {listen: localhost}\n",
                  "fleetgate.listen: must be HOST:PORT"},
        BadConfig{"threads range", "fleetgate: {threads: 1000}\n",
                  "fleetgate.threads: must be between 0 and 256"},
        BadConfig{"body size", "fleetgate: {max_request_body: huge}\n",
                  "fleetgate.max_request_body: must be a size"},
        BadConfig{"unknown timeout", "fleetgate:\n  timeouts: {forever: 1s}\n",
                  "config.yaml:2: fleetgate.timeouts.forever: unknown timeout"},
        BadConfig{"max parallel zero",
                  "model_list:\n  - model_name: a\n    litellm_params: {model: openai/a, "
                  "max_parallel_requests: 0}\n",
                  "model_list[0].litellm_params.max_parallel_requests: must be between 1 and "
                  "1000000"},
        BadConfig{"auto router unknown tier model",
                  "fleetgate:\n  auto_router: {model: auto, tiers: [nope]}\n",
                  "fleetgate.auto_router.tiers: names unknown model 'nope'"},
        BadConfig{"auto router rule tier",
                  "model_list:\n  - {model_name: a, litellm_params: {model: openai/a}}\n"
                  "fleetgate:\n  auto_router: {model: auto, tiers: [a], rules: {code: b}}\n",
                  "fleetgate.auto_router.rules.code: 'b' is not one of the tiers"},
        BadConfig{"auto router unknown rule",
                  "model_list:\n  - {model_name: a, litellm_params: {model: openai/a}}\n"
                  "fleetgate:\n  auto_router: {model: auto, tiers: [a], rules: {mood: a}}\n",
                  "fleetgate.auto_router.rules.mood: unknown rule"},
        BadConfig{"auto router clash",
                  "model_list:\n  - {model_name: a, litellm_params: {model: openai/a}}\n"
                  "fleetgate:\n  auto_router: {model: a, tiers: [a]}\n",
                  "fleetgate.auto_router.model: 'a' is also a model_name in model_list"},
        BadConfig{"auto router without model", "fleetgate:\n  auto_router: {tiers: []}\n",
                  "fleetgate.auto_router.model: is required"},
        BadConfig{"health check key", "fleetgate:\n  health_checks: {often: 1s}\n",
                  "config.yaml:2: fleetgate.health_checks.often: unknown key"},
        BadConfig{"health check rise", "fleetgate:\n  health_checks: {rise: 0}\n",
                  "fleetgate.health_checks.rise: must be between 1 and 100"},
        BadConfig{"health check timeout", "fleetgate:\n  health_checks: {timeout: 0}\n",
                  "fleetgate.health_checks.timeout: must be greater than 0"},
        BadConfig{"zero timeout", "fleetgate:\n  timeouts: {connect: 0}\n",
                  "fleetgate.timeouts.connect: must be greater than 0"},
        BadConfig{"fleet unknown key", "fleet:\n  tokn: abcdefgh\n",
                  "config.yaml:2: fleet.tokn: unknown key"},
        BadConfig{"short token", "fleet:\n  token: abc\n",
                  "config.yaml:2: fleet.token: must be at least 8 characters"},
        BadConfig{"check slug", "fleet:\n  checks:\n    - name: Nightly Backup\n",
                  "config.yaml:3: fleet.checks[0].name: must be a slug"},
        BadConfig{"check duplicate", "fleet:\n  checks:\n    - {name: a}\n    - {name: a}\n",
                  "config.yaml:4: fleet.checks[1].name: duplicate check 'a'"},
        BadConfig{"check cron", "fleet:\n  checks:\n    - {name: a, cron: '61 * * * *'}\n",
                  "fleet.checks[0].cron: bad minute field '61'"},
        BadConfig{"check tz", "fleet:\n  checks:\n    - {name: a, tz: Mars/Base}\n",
                  "fleet.checks[0].tz: unknown time zone 'Mars/Base'"},
        // Found by fuzz_config: a directory of zones threw out of the loader.
        BadConfig{"check tz directory", "fleet:\n  checks:\n    - {name: a, tz: Europe}\n",
                  "config.yaml:3: fleet.checks[0].tz: unknown time zone 'Europe'"},
        BadConfig{"check uuid", "fleet:\n  checks:\n    - {name: a, uuid: 1234}\n",
                  "fleet.checks[0].uuid: must be a UUID"},
        BadConfig{"check period", "fleet:\n  checks:\n    - {name: a, period: 0}\n",
                  "fleet.checks[0].period: must be greater than 0"},
        BadConfig{"threshold order",
                  "fleet:\n  thresholds:\n    disk_used_percent: {warning: 90, critical: 80}\n",
                  "config.yaml:3: fleet.thresholds.disk_used_percent: critical must be at or "
                  "above warning"},
        BadConfig{"threshold figure", "fleet:\n  thresholds:\n    disk: {warning: 1}\n",
                  "fleet.thresholds.disk: unknown figure"},
        BadConfig{"receiver both", "fleet:\n  alerts:\n    receivers:\n      - {name: x}\n",
                  "config.yaml:4: fleet.alerts.receivers[0]: needs exactly one of webhook or exec"},
        BadConfig{"receiver url", "fleet:\n  alerts:\n    receivers:\n      - {webhook: ftp://x}\n",
                  "fleet.alerts.receivers[0].webhook: must be an http:// or https:// URL"},
        BadConfig{"target share", "fleet:\n  targets: {uptime: 120%}\n",
                  "fleet.targets.uptime: must be between 0% and 100%"},
        BadConfig{"node duplicate", "fleet:\n  nodes:\n    - {name: ai}\n    - {name: ai}\n",
                  "fleet.nodes[1].name: duplicate node 'ai'"},
        BadConfig{"check action half", "fleet:\n  checks:\n    - {name: a, action: {node: gpu1}}\n",
                  "config.yaml:3: fleet.checks[0].action: needs node and restart"},
        BadConfig{"check action key",
                  "fleet:\n  checks:\n    - {name: a, action: {node: n, restart: p, kill: 1}}\n",
                  "fleet.checks[0].action.kill: unknown key (node, restart)"},
        BadConfig{"on_demand half",
                  "model_list:\n  - model_name: x\n    litellm_params: {model: openai/x}\n"
                  "    on_demand: {node: gpu1}\n",
                  "config.yaml:4: model_list[0].on_demand: needs node and process"},
        BadConfig{"on_demand timeout",
                  "model_list:\n  - model_name: x\n    litellm_params: {model: openai/x}\n"
                  "    on_demand: {node: n, process: p, ready_timeout: 0}\n",
                  "model_list[0].on_demand.ready_timeout: must be greater than 0"},
        BadConfig{"agent period", "agent:\n  period: 10ms\n",
                  "config.yaml:2: agent.period: must be at least 1s"},
        BadConfig{"process without command", "agent:\n  processes:\n    - {name: a}\n",
                  "config.yaml:3: agent.processes[0].command: is required"},
        BadConfig{"process restart",
                  "agent:\n  processes:\n    - {name: a, command: [x], restart: maybe}\n",
                  "agent.processes[0].restart: must be always, on-failure or never"},
        BadConfig{
            "process duplicate",
            "agent:\n  processes:\n    - {name: a, command: [x]}\n    - {name: a, command: [y]}\n",
            "config.yaml:4: agent.processes[1].name: duplicate process 'a'"},
        BadConfig{"process start",
                  "agent:\n  processes:\n    - {name: a, command: [x], start: lazy}\n",
                  "agent.processes[0].start: must be boot or on_demand"},
        BadConfig{
            "idle without on_demand",
            "agent:\n  processes:\n    - name: a\n      command: [x]\n      idle_stop_after: 5m\n",
            "config.yaml:5: agent.processes[0].idle_stop_after: needs start: on_demand"},
        BadConfig{"ready url",
                  "agent:\n  processes:\n    - {name: a, command: [x], ready_url: 'ftp://h/'}\n",
                  "agent.processes[0].ready_url: must start with http:// or https://"},
        BadConfig{"liveness failures",
                  "agent:\n  processes:\n    - {name: a, command: [x], liveness_failures: 0}\n",
                  "agent.processes[0].liveness_failures"},
        BadConfig{
            "restore without file",
            "agent:\n  processes:\n    - name: a\n      command: [x]\n      restore_config: true\n",
            "config.yaml:5: agent.processes[0].restore_config: needs config_file"},
        BadConfig{"exclusive slug",
                  "agent:\n  processes:\n    - {name: a, command: [x], exclusive: GPU 0}\n",
                  "agent.processes[0].exclusive: must be a slug"},
        BadConfig{"process unknown key",
                  "agent:\n  processes:\n    - {name: a, command: [x], colour: red}\n",
                  "agent.processes[0].colour: unknown key"},
        BadConfig{"public listen without key", "fleetgate:\n  listen: 0.0.0.0:4000\n",
                  "config.yaml:2: fleetgate.listen: listening on 0.0.0.0 (beyond loopback) needs "
                  "general_settings.master_key"}),
    [](const auto& param_info) {
      std::string n = param_info.param.name;
      for (char& ch : n)
        if (!std::isalnum(static_cast<unsigned char>(ch))) ch = '_';
      return n;
    });

TEST(ConfigLoader, ReadsTheFleetSection) {
  auto r = load(R"(model_list: []
fleet:
  token: os.environ/FLEET_TOKEN
  ping_key: pk-0123456789
  auto_create_checks: true
  thresholds:
    disk_used_percent: {warning: 85, critical: 95}
    memory_used_percent: off
  nodes:
    - name: ai
      period: 15s
      grace: 45s
      thresholds:
        gpu_temperature_c: {warning: 80, critical: 90, clear: 75}
  checks:
    - name: nightly-backup
      cron: "0 2 * * *"
      tz: Europe/Berlin
      grace: 1h
      max_runtime: 2h
      uuid: 5f1c4a34-8c53-4a0e-9d6b-0a4a1f3c2b7e
    - name: agent-loop
      period: 5m
      grace: 1m
      key: loop-key-123
  alerts:
    repeat_interval: 2h
    flap_transitions: 5
    flap_window: 15m
    receivers:
      - name: am
        webhook: http://127.0.0.1:9093/api/v2/alerts
      - name: ntfy
        exec: [/usr/local/bin/notify, --topic, fleet]
        timeout: 5s
  retention: {pings: 3d, heartbeats: 1d, history: 90d}
  targets: {phase: "Phase 1", next_phase: "Phase 2", uptime: 95%, days_at_uptime: 30, capacity: 0.6}
)",
                fake_env({{"FLEET_TOKEN", "fleet-secret-token"}}));
  ASSERT_TRUE(r) << issues_of(r);
  const auto& f = r->fleet;
  EXPECT_EQ(f.token, "fleet-secret-token");
  EXPECT_TRUE(f.auto_create_checks);
  EXPECT_EQ(f.thresholds.at(Metric::DiskUsedPercent).critical, 95);
  EXPECT_DOUBLE_EQ(f.thresholds.at(Metric::DiskUsedPercent).clear, 80.75);  // 5 % below warning
  EXPECT_FALSE(f.thresholds.count(Metric::MemoryUsedPercent));
  ASSERT_EQ(f.nodes.size(), 1u);
  EXPECT_EQ(f.nodes[0].grace, std::chrono::seconds(45));
  EXPECT_EQ(f.nodes[0].thresholds.at(Metric::GpuTemperatureC).clear, 75);
  ASSERT_EQ(f.checks.size(), 2u);
  EXPECT_EQ(f.checks[0].cron, "0 2 * * *");
  EXPECT_EQ(f.checks[0].tz, "Europe/Berlin");
  EXPECT_EQ(f.checks[0].max_runtime, std::chrono::hours(2));
  EXPECT_EQ(f.checks[1].key, "loop-key-123");
  EXPECT_EQ(f.alerts.receivers.size(), 2u);
  EXPECT_EQ(f.alerts.receivers[1].exec.size(), 3u);
  EXPECT_EQ(f.retention.history, std::chrono::hours(24 * 90));
  EXPECT_DOUBLE_EQ(f.targets.uptime, 0.95);
  EXPECT_EQ(f.targets.next_phase, "Phase 2");
}

TEST(ConfigLoader, ReadsTheAgentSectionAndOnDemandDeployments) {
  auto r = load(R"(model_list:
  - model_name: big
    litellm_params: {model: hosted_vllm/llama-70b, api_base: http://10.0.0.5:8000/v1}
    on_demand: {node: gpu1, process: llama-70b, ready_timeout: 5m}
fleet:
  checks:
    - name: agent-loop
      period: 5m
      action: {node: gpu1, restart: loop}
agent:
  node: gpu1
  server: https://fleet.lan:4000
  token: agent-token-123
  period: 15s
  mounts: [/, /data]
  log_dir: /var/log/fleetgate
  processes:
    - name: llama-70b
      command: [vllm, serve, llama-70b, --port, "8000"]
      env: {CUDA_VISIBLE_DEVICES: "0"}
      cwd: /srv/models
      restart: on-failure
      start: on_demand
      idle_stop_after: 10m
      exclusive: gpu0
      ready_url: http://127.0.0.1:8000/health
      ready_timeout: 10m
      stop_timeout: 30s
    - name: loop
      command: [python3, loop.py]
      backoff_initial: 2s
      backoff_max: 2m
      stable_after: 1m
      max_failures: 4
      failure_window: 10m
      liveness_url: http://127.0.0.1:9100/alive
      liveness_period: 30s
      liveness_timeout: 5s
      liveness_failures: 4
      config_file: /srv/loop/config.yaml
      restore_config: true
      log: /var/log/loop.log
      log_max_size: 50MB
)");
  ASSERT_TRUE(r) << issues_of(r);
  ASSERT_TRUE(r->deployments[0].on_demand);
  EXPECT_EQ(r->deployments[0].on_demand->process, "llama-70b");
  EXPECT_EQ(r->deployments[0].on_demand->ready_timeout, std::chrono::minutes(5));
  EXPECT_EQ(r->fleet.checks[0].action_node, "gpu1");
  EXPECT_EQ(r->fleet.checks[0].action_restart, "loop");
  const auto& a = r->agent;
  EXPECT_EQ(a.node, "gpu1");
  EXPECT_EQ(a.period, std::chrono::seconds(15));
  ASSERT_EQ(a.processes.size(), 2u);
  const auto& llama = a.processes[0];
  EXPECT_TRUE(llama.on_demand);
  EXPECT_EQ(llama.idle_stop_after, std::chrono::minutes(10));
  EXPECT_EQ(llama.exclusive, "gpu0");
  EXPECT_EQ(llama.ready_url, "http://127.0.0.1:8000/health");
  EXPECT_EQ(llama.ready_timeout, std::chrono::minutes(10));
  EXPECT_EQ(llama.restart, "on-failure");
  const auto& loop = a.processes[1];
  EXPECT_FALSE(loop.on_demand);
  EXPECT_EQ(loop.liveness_period, std::chrono::seconds(30));
  EXPECT_EQ(loop.liveness_failures, 4);
  EXPECT_TRUE(loop.restore_config);
  EXPECT_EQ(loop.config_file, "/srv/loop/config.yaml");
  EXPECT_EQ(loop.log_max_size, 50u * 1000 * 1000);  // MB; MiB is 1024-based
}

TEST(ConfigLoader, ReportsEveryProblemNotJustTheFirst) {
  auto r = load(
      "model_list:\n  - model_name: x\n    litellm_params: {model: openai/x, rpm: a, tpm: b}\n");
  ASSERT_FALSE(r);
  EXPECT_EQ(r.error().size(), 2u);
}

TEST(ConfigLoader, SkipsUnsupportedProvidersWithAWarning) {
  auto r = load(
      "model_list:\n  - model_name: x\n    litellm_params: {model: azure/gpt-4}\n"
      "  - model_name: y\n    litellm_params: {model: openai/y, api_base: 'http://h:1/v1'}\n");
  ASSERT_TRUE(r) << issues_of(r);
  ASSERT_EQ(r->deployments.size(), 1u);
  EXPECT_EQ(r->deployments[0].model_name, "y");
  bool warned = false;
  for (const auto& w : r->warnings)
    warned |= w.line == 3 && w.key == "model_list[0].litellm_params.model" &&
              w.problem.find("provider 'azure/' is not one fleetgate speaks") != std::string::npos;
  EXPECT_TRUE(warned);
  ASSERT_EQ(r->skipped.size(), 1u);
  EXPECT_EQ(r->skipped[0].why, "azure/ unsupported");
}

TEST(ConfigLoader, FallbacksToModelsNotServedAreDroppedWithAWarningAndCyclesLoad) {
  auto r = load(
      "model_list:\n  - model_name: a\n    litellm_params: {model: openai/a}\n"
      "  - model_name: b\n    litellm_params: {model: openai/b}\n"
      "  - model_name: c\n    litellm_params: {model: azure/c}\n"
      "router_settings:\n  fallbacks: [{a: [b, zz, c]}, {b: [a]}, {c: [a]}]\n");
  ASSERT_TRUE(r) << issues_of(r);
  ASSERT_EQ(r->router.fallbacks.size(), 2u);
  EXPECT_EQ(r->router.fallbacks[0].to, std::vector<std::string>{"b"});
  EXPECT_EQ(r->router.fallbacks[1].model_name, "b");
  std::string all;
  for (const auto& w : r->warnings) all += w.str() + "\n";
  EXPECT_NE(all.find("config.yaml:9: warning: router_settings.fallbacks[0]: 'a' falls back to "
                     "'zz', which no deployment in model_list serves; that target is dropped"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("'a' falls back to 'c', whose every deployment was skipped (azure/ "
                     "unsupported); that target is dropped"),
            std::string::npos)
      << all;
  EXPECT_NE(all.find("router_settings.fallbacks[2]: 'c' is a model whose every deployment was "
                     "skipped (azure/ unsupported); this entry never applies"),
            std::string::npos)
      << all;
}

TEST(ConfigLoader, ModelGroupAliasesAndModes) {
  auto r = load(
      "model_list:\n  - model_name: coder\n    litellm_params: {model: openai/q}\n"
      "    model_info: {mode: chat, supported_endpoints: [/v1/chat/completions, /v1/messages]}\n"
      "  - model_name: whisper\n    litellm_params: {model: openai/w}\n"
      "    model_info: {mode: audio_transcription}\n"
      "router_settings:\n  model_group_alias:\n    claude-sonnet-4-5: coder\n"
      "    gpt-4: {model: coder, hidden: true}\n");
  ASSERT_TRUE(r) << issues_of(r);
  ASSERT_EQ(r->router.aliases.size(), 2u);
  EXPECT_EQ(r->router.aliases[0].target, "coder");
  EXPECT_TRUE(r->router.aliases[1].hidden);
  EXPECT_EQ(r->deployments[0].mode, ModelMode::Chat);
  EXPECT_TRUE(r->deployments[0].native_messages);
  EXPECT_FALSE(r->deployments[0].native_responses);
  EXPECT_EQ(r->deployments[1].mode, ModelMode::AudioTranscription);

  auto bad = load(
      "model_list:\n  - model_name: other\n    litellm_params: {model: openai/q}\n"
      "    model_info: {mode: chatty}\n"
      "  - model_name: coder\n    litellm_params: {model: openai/q}\n"
      "router_settings:\n  model_group_alias:\n    a: nowhere\n    coder: coder\n"
      "    b: {model: coder, shown: yes}\n");
  ASSERT_FALSE(bad);
  const std::string issues = issues_of(bad);
  EXPECT_NE(issues.find("config.yaml:4: model_list[0].model_info.mode: unknown mode 'chatty'"),
            std::string::npos)
      << issues;
  EXPECT_NE(issues.find("config.yaml:9: router_settings.model_group_alias.a: 'nowhere' is a "
                        "model which no deployment in model_list serves"),
            std::string::npos)
      << issues;
  EXPECT_NE(issues.find("config.yaml:10: router_settings.model_group_alias.coder: 'coder' is a "
                        "model_name already"),
            std::string::npos)
      << issues;
  EXPECT_NE(issues.find("router_settings.model_group_alias.b.shown: unknown key"),
            std::string::npos)
      << issues;
}

TEST(ConfigLoader, PublicListenWithKeyIsAllowed) {
  auto r = load("general_settings: {master_key: sk-1}\nfleetgate: {listen: '0.0.0.0:4000'}\n");
  ASSERT_TRUE(r) << issues_of(r);
}

TEST(ConfigLoader, MissingFile) {
  auto r = load_config_file("/nonexistent/config.yaml");
  ASSERT_FALSE(r);
  EXPECT_NE(issues_of(r).find("/nonexistent/config.yaml:0: cannot open the file"),
            std::string::npos);
}

}  // namespace fleetgate
