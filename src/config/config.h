// The validated, immutable configuration: LiteLLM's proxy sections plus fleetgate's own.
#pragma once

#include "config/fleet_settings.h"
#include "config/url.h"
#include "core/units.h"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace fleetgate {

// The `<provider>/` prefix of litellm_params.model.
enum class Provider { OpenAI, HostedVllm, Ollama, OllamaChat, Anthropic };

std::string_view to_string(Provider p);

// What a deployment serves (LiteLLM's model_info.mode; chat when not given).
enum class ModelMode {
  Chat,
  Completion,
  Embedding,
  AudioTranscription,
  AudioSpeech,
  Rerank,
  ImageGeneration
};

// One entry of model_list: a public model name served by one backend.
struct Deployment {
  std::string id;          // "<model_name>#<n>" or model_info.id; unique, used in logs and errors
  std::string model_name;  // public name clients ask for; with '*', a LiteLLM wildcard pattern
  Provider provider = Provider::OpenAI;
  // litellm_params.model without the provider prefix; a '*' in it takes what the requested
  // name's wildcard matched ("openai/*": the requested name as is).
  std::string upstream_model;
  // litellm_params.model was a bare "*": the provider follows the requested name as LiteLLM's
  // registry places it; this deployment (one per provider) takes only names placed with it.
  bool provider_from_request = false;
  // Whether the model sent upstream depends on the requested name (no fixed model to check).
  bool follows_request() const {
    return provider_from_request || upstream_model.find('*') != std::string::npos;
  }
  Url api_base;
  std::optional<std::string> api_key;
  std::optional<std::uint32_t> rpm;
  std::optional<std::uint32_t> tpm;
  std::optional<std::uint32_t> max_parallel_requests;
  double weight = 1.0;
  std::optional<int> order;
  std::optional<Duration> timeout;         // whole request
  std::optional<Duration> stream_timeout;  // first byte and gap between events when streaming
  // LiteLLM's per-deployment client retries: a connection error, timeout, 408, 409, 429 or 5xx
  // is tried again on this deployment (backoff from 0.5 s, doubling to 8 s) before it counts as
  // one failure and the router moves on. LiteLLM's default is 0.
  int max_retries = 0;
  // model_info.mode: which endpoints route here (chat, completion and embedding deployments take
  // the text endpoints; the others only their own).
  std::optional<ModelMode> mode;
  // model_info.supported_endpoints naming /v1/responses or /v1/messages: the backend serves that
  // API itself, and gets those requests untranslated (LiteLLM's native passthrough).
  bool native_responses = false;
  bool native_messages = false;
  // Served by a process that a node's agent starts on demand (agent.processes[].start:
  // on_demand): the gateway asks that agent to start it and waits up to ready_timeout.
  struct OnDemand {
    std::string node;
    std::string process;
    Duration ready_timeout = std::chrono::minutes(2);
  };
  std::optional<OnDemand> on_demand;
  int line = 0;  // where it was declared, for messages
};

// One entry of router_settings.fallbacks (or context_window_fallbacks): `model_name` "*" is
// LiteLLM's generic entry, for models without one of their own (also default_fallbacks).
struct Fallback {
  std::string model_name;
  std::vector<std::string> to;
  std::string key;  // where it was written, for messages: "router_settings.fallbacks[0]"
  int line = 0;
};

// router_settings: parsed and validated now; acted on by the resilient router.
// router_settings, with litellm_settings' values where router_settings does not set them.
// router_settings.model_group_alias: a name clients may ask for, routed as `target` is.
struct ModelAlias {
  std::string name;
  std::string target;
  bool hidden = false;  // not listed by /v1/models
  int line = 0;
};

struct RouterSettings {
  std::string routing_strategy = "simple-shuffle";
  std::vector<ModelAlias> aliases;
  int num_retries = 2;    // LiteLLM: openai.DEFAULT_MAX_RETRIES when neither section sets it
  int max_fallbacks = 5;  // LiteLLM's ROUTER_MAX_FALLBACKS: fallback models one request may try
  std::optional<Duration> timeout;
  std::vector<Fallback> fallbacks;
  std::vector<Fallback> context_window_fallbacks;
  int allowed_fails = 3;
  Duration cooldown_time = std::chrono::seconds(5);
};

struct Endpoint {
  std::string host = "127.0.0.1";
  std::uint16_t port = 4000;
  bool operator==(const Endpoint&) const = default;
};

// fleetgate.timeouts: every wait of the gateway is bounded by one of these.
struct Timeouts {
  Duration connect = std::chrono::seconds(5);
  Duration request = std::chrono::seconds(600);       // whole request; LiteLLM `timeout` overrides
  Duration first_byte = std::chrono::seconds(600);    // until the backend's response head
  Duration stream_idle = std::chrono::seconds(60);    // gap between stream events
  Duration client_header = std::chrono::seconds(10);  // client sending its request head
  Duration client_body = std::chrono::seconds(30);    // client sending its request body
  Duration keepalive = std::chrono::seconds(60);      // idle client connection between requests
  // Idle pooled backend connection: under uvicorn's and llama.cpp's 5 s keep-alive, so a pooled
  // connection is not reused just as the backend closes it.
  Duration upstream_idle = std::chrono::seconds(4);
  Duration drain = std::chrono::seconds(30);  // in-flight work after SIGTERM
};

// fleetgate.health_checks: active probes of each self-hosted backend.
struct HealthCheckSettings {
  Duration interval = std::chrono::seconds(10);  // 0: no active checks (passive only)
  Duration timeout = std::chrono::seconds(2);
  int rise = 2;  // consecutive good probes to mark a down backend up
  int fall = 3;  // consecutive bad probes to mark an up backend down
  // A backend that answers but does not list the deployment's model: by default a ModelDrift
  // alert while it keeps its traffic (llama.cpp lists its file name and answers any model);
  // `eject` takes it out of rotation as well.
  enum class OnDrift { Alert, Eject };
  OnDrift on_drift = OnDrift::Alert;
};

// fleetgate.auto_router: a model name that picks a tier per request by transparent rules.
struct AutoRule {
  enum class Kind { PromptTokens, MaxTokens, Code, Tools, Turns, Keywords };
  Kind kind = Kind::PromptTokens;
  std::size_t tier = 0;          // index into AutoRouter::tiers
  std::uint64_t over = 0;        // PromptTokens, MaxTokens, Turns: fires above this
  std::vector<std::string> any;  // Keywords: lower-case phrases, any of which fires
};

struct AutoRouter {
  std::string model_name;          // what clients ask for, e.g. "auto"; empty: off
  std::vector<std::string> tiers;  // model names, cheapest first
  std::vector<AutoRule> rules;     // the request goes to the highest tier any rule names
};

struct GatewaySettings {
  Endpoint listen;
  unsigned threads = 0;                              // 0: one per core
  std::uint64_t max_request_body = 32ull << 20;      // bytes
  std::uint32_t max_idle_upstream_per_backend = 64;  // per thread
  std::string access_log = "stdout";                 // "stdout", "off" or a file path
  Timeouts timeouts;
  HealthCheckSettings health_checks;
  AutoRouter auto_router;
  // When every deployment of a model is at max_parallel_requests, rpm or tpm, a request waits
  // this long for room (then 429 with Retry-After); at most max_queued wait per thread.
  Duration queue_timeout = std::chrono::seconds(5);
  std::uint32_t max_queued = 1000;
  // Open client connections, in all and from one peer address; past them a new connection is
  // answered 503 and closed (the ones already open keep being served).
  std::uint32_t max_connections = 4096;
  std::uint32_t max_connections_per_peer = 1024;
  // Host header names accepted while no key is set (loopback trust), beside the listen
  // address, localhost and loopback addresses: a defence against DNS rebinding.
  std::vector<std::string> allowed_hosts;
};

// One problem or warning in a config file, rendered as `file:line: key.path: problem`.
struct ConfigIssue {
  std::string file;
  int line = 0;
  std::string key;
  std::string problem;
  bool warning = false;  // a warning: the file loads; printed beside the errors when it does not
  std::string str() const;
};

// A model_list entry that fleetgate cannot serve (an unsupported provider, say): left out with a
// warning, as LiteLLM would fail its requests.
struct SkippedDeployment {
  std::string model_name;
  int line = 0;
  std::string why;  // short, for summaries: "azure/ unsupported"
};

struct Config {
  std::string path;
  std::vector<Deployment> deployments;
  RouterSettings router;
  std::optional<std::string> master_key;
  GatewaySettings gateway;
  FleetSettings fleet;
  AgentSettings agent;
  std::vector<ConfigIssue> warnings;  // LiteLLM keys accepted but not acted on
  std::vector<SkippedDeployment> skipped;
};

}  // namespace fleetgate
