// model_list: each entry's model_name, litellm_params, model_info and on_demand, as LiteLLM reads
// them; entries of providers fleetgate does not speak are skipped (with their os.environ/ values
// never looked up).
#include "config/load_context.h"
#include "config/provider_names.h"
#include "core/model_pattern.h"

#include <map>

namespace fleetgate {

namespace {

constexpr const char* kSpoken = "openai/, hosted_vllm/, ollama/, ollama_chat/, anthropic/";

// What litellm_params.model says about where requests go.
struct ModelTarget {
  std::optional<Provider> provider;  // nullopt: skipped (`why` says so) or malformed
  std::string upstream;
  bool from_request = false;  // a bare "*"
  std::string why;            // short reason for a skip
};

class ModelListLoader {
 public:
  explicit ModelListLoader(LoadContext& c) : c_(c), r_(c.r) {}

  void run(const YAML::Node& list) {
    if (YamlReader::is_null(list)) return;
    if (!r_.expect_list(list, "model_list")) return;
    for (std::size_t i = 0; i < list.size(); ++i)
      entry(list[i], "model_list[" + std::to_string(i) + "]");
  }

 private:
  void entry(const YAML::Node& node, const std::string& path) {
    if (!r_.expect_map(node, path)) return;
    Deployment d;
    d.line = YamlReader::line(node);
    api_base_text_.reset();
    api_base_node_.reset();
    std::optional<YAML::Node> params, model_info, on_demand;  // emplace: Node's = writes through
    bool ok = true;
    for (auto it = node.begin(); it != node.end(); ++it) {
      const std::string key = r_.key(it->first);
      const std::string kpath = path + "." + key;
      if (key == "model_name") {
        auto v = r_.string(it->second, kpath);
        if (v && v->empty()) r_.error(it->second, kpath, "must not be empty");
        if (v && !v->empty())
          d.model_name = *v;
        else
          ok = false;
      } else if (key == "litellm_params") {
        params.emplace(it->second);
      } else if (key == "model_info") {
        model_info.emplace(it->second);
      } else if (key == "on_demand") {
        on_demand.emplace(it->second);
      } else {
        c_.warn_once(it->first, kpath, "model_list[]." + key, kIgnored);
      }
    }
    if (d.model_name.empty() && ok) {
      r_.error(node, path + ".model_name", "is required");
      ok = false;
    }
    if (!params) {
      r_.error(node, path + ".litellm_params", "is required");
      return;
    }
    if (!r_.expect_map(*params, path + ".litellm_params")) return;
    const ModelTarget target = model_target(*params, path + ".litellm_params");
    if (!target.provider) {
      if (!target.why.empty() && ok)
        c_.config.skipped.push_back({d.model_name, d.line, target.why});
      return;
    }
    d.provider = *target.provider;
    d.upstream_model = target.upstream;
    d.provider_from_request = target.from_request;
    ok = litellm_params(*params, path + ".litellm_params", d) && ok;
    if (model_info) ok = read_model_info(*model_info, path + ".model_info", d) && ok;
    if (on_demand) ok = read_on_demand(*on_demand, path + ".on_demand", d) && ok;
    if (!ModelPattern::is_pattern(d.model_name) &&
        d.upstream_model.find('*') != std::string::npos) {
      r_.error(*params, path + ".litellm_params.model",
               "has a '*' but model_name '" + d.model_name +
                   "' has none, so nothing would fill it (use a pattern such as \"*\" or "
                   "\"claude-*\")");
      ok = false;
    }
    if (!ok) return;
    if (d.provider_from_request) {
      add_per_provider(std::move(d), *params, path);
    } else {
      if (!finish_api_base(d, *params, path + ".litellm_params")) return;
      add(std::move(d), node, path);
    }
  }

  ModelTarget model_target(const YAML::Node& params, const std::string& path) {
    ModelTarget t;
    std::optional<YAML::Node> node;
    for (auto it = params.begin(); it != params.end(); ++it)
      if (it->first.Scalar() == "model") {
        r_.key(it->first);
        node.emplace(it->second);
      }
    if (!node) {
      r_.error(params, path + ".model", "is required (e.g. hosted_vllm/Qwen/Qwen2.5-7B-Instruct)");
      return t;
    }
    const YAML::Node& at = *node;
    const std::string kpath = path + ".model";
    auto model = r_.string(at, kpath);
    if (!model) return t;
    if (model->empty()) {
      r_.error(at, kpath, "must not be empty");
      return t;
    }
    if (auto p = provider_prefix(*model)) {
      t.upstream = model->substr(p->model_offset);
      if (t.upstream.empty()) {
        r_.error(at, kpath, "names no model after '" + model->substr(0, p->model_offset) + "'");
        return t;
      }
      t.provider = p->provider;
      return t;
    }
    if (*model == "*") {  // the provider follows each requested name
      t.provider = Provider::OpenAI;
      t.upstream = "*";
      t.from_request = true;
      return t;
    }
    if (const auto slash = model->find('/'); slash != std::string::npos) {
      const std::string prefix = model->substr(0, slash);
      r_.warn(at, kpath,
              "provider '" + prefix + "/' is not one fleetgate speaks (" + kSpoken +
                  "); deployment skipped");
      t.why = prefix + "/ unsupported";
      return t;
    }
    const BareName bare = infer_bare_name(*model);
    if (bare.provider) {  // as LiteLLM's registry: gpt-4o is OpenAI's, claude-… Anthropic's
      t.provider = bare.provider;
      t.upstream = *model;
      return t;
    }
    if (!bare.family.empty()) {
      r_.warn(at, kpath,
              "'" + *model + "' is a " + std::string(bare.family) +
                  " model in LiteLLM's registry, a provider fleetgate does not speak (" + kSpoken +
                  "); deployment skipped");
      t.why = std::string(bare.family) + " unsupported";
    } else {
      r_.warn(at, kpath,
              "'" + *model +
                  "' has no provider prefix and LiteLLM's registry does not place it (LiteLLM "
                  "fails its requests); write openai/" +
                  *model + " for an OpenAI-compatible server; deployment skipped");
      t.why = "no provider";
    }
    return t;
  }

  bool litellm_params(const YAML::Node& params, const std::string& path, Deployment& d) {
    bool ok = true;
    for (auto it = params.begin(); it != params.end(); ++it) {
      const std::string key = r_.key(it->first);
      const std::string kpath = path + "." + key;
      const YAML::Node v = it->second;  // a copy: the iterator hands out a temporary
      if (key == "model") continue;     // read first, by model_target()
      if (key == "api_base" || key == "api_key") {
        if (YamlReader::is_null(v)) continue;  // PyYAML's None: not set
        auto s = r_.string(v, kpath);
        if (!s) {
          ok = false;
        } else if (key == "api_key") {
          d.api_key = *s;
        } else {
          api_base_text_ = *s;
          api_base_node_.emplace(v);
        }
      } else if (key == "max_parallel_requests") {
        auto n = r_.integer(v, kpath, 1, 1000000);
        if (!n)
          ok = false;
        else
          d.max_parallel_requests = static_cast<std::uint32_t>(*n);
      } else if (key == "rpm" || key == "tpm") {
        auto n = r_.integer(v, kpath, 0, UINT32_MAX);
        if (!n)
          ok = false;
        else
          (key == "rpm" ? d.rpm : d.tpm) = static_cast<std::uint32_t>(*n);
      } else if (key == "weight") {
        auto n = r_.number(v, kpath);
        if (n && *n <= 0) r_.error(v, kpath, "must be greater than 0");
        if (!n || *n <= 0)
          ok = false;
        else
          d.weight = *n;
      } else if (key == "order") {
        auto n = r_.integer(v, kpath, 1, 1000);
        if (n)
          d.order = static_cast<int>(*n);
        else
          ok = false;
      } else if (key == "timeout" || key == "stream_timeout") {
        auto t = r_.duration(v, kpath);
        if (t && t->count() == 0) r_.error(v, kpath, "must be greater than 0");
        if (!t || t->count() == 0)
          ok = false;
        else
          (key == "timeout" ? d.timeout : d.stream_timeout) = *t;
      } else if (key == "max_retries") {
        auto n = r_.integer(v, kpath, 0, 10);
        if (n)
          d.max_retries = static_cast<int>(*n);
        else
          ok = false;
      } else {
        c_.warn_once(it->first, kpath, "litellm_params." + key, kIgnored);
      }
    }
    return ok;
  }

  // api_base: given, or the provider's public one (with its key from the environment: never a
  // key of one provider to another's host).
  bool finish_api_base(Deployment& d, const YAML::Node& params, const std::string& path) {
    std::optional<std::string> api_base = std::move(api_base_text_);
    api_base_text_.reset();
    const YAML::Node at = api_base_node_ ? *api_base_node_ : params;
    api_base_node_.reset();
    if (!api_base) {
      switch (d.provider) {
        case Provider::OpenAI: api_base = "https://api.openai.com/v1"; break;
        case Provider::Ollama:
        case Provider::OllamaChat: api_base = "http://localhost:11434"; break;
        case Provider::Anthropic: api_base = "https://api.anthropic.com"; break;
        case Provider::HostedVllm:
          r_.error(params, path + ".api_base", "is required for hosted_vllm/ deployments");
          return false;
      }
      if (d.provider == Provider::OpenAI && !d.api_key) d.api_key = c_.env("OPENAI_API_KEY");
      if (d.provider == Provider::Anthropic && !d.api_key) d.api_key = c_.env("ANTHROPIC_API_KEY");
    }
    std::string problem;
    auto url = parse_url(*api_base, problem);
    if (!url) {
      r_.error(at, path + ".api_base", problem);
      return false;
    }
    d.api_base = std::move(*url);
    return true;
  }

  // A bare "*": one deployment per provider fleetgate speaks that LiteLLM would infer from the
  // requested name (OpenAI names, claude-…), each to its own host with its own key.
  void add_per_provider(Deployment d, const YAML::Node& params, const std::string& path) {
    if (d.api_key && !api_base_text_) {
      r_.warn(params, path + ".litellm_params.api_key",
              "a bare '*' model sends each request to its provider's own host, so one api_key "
              "would go to every provider; give one deployment per provider (openai/*, "
              "anthropic/*) instead; deployment skipped");
      c_.config.skipped.push_back({d.model_name, d.line, "api_key for every provider"});
      api_base_node_.reset();
      return;
    }
    const auto base_text = api_base_text_;
    const auto base_node = api_base_node_;
    const std::string base_id = d.id;
    for (Provider p : {Provider::OpenAI, Provider::Anthropic}) {
      Deployment v = d;
      v.provider = p;
      api_base_text_ = base_text;
      api_base_node_.reset();
      if (base_node) api_base_node_.emplace(*base_node);
      if (!finish_api_base(v, params, path + ".litellm_params")) return;
      if (!base_id.empty()) v.id = base_id + "/" + std::string(to_string(p));
      add(std::move(v), params, path, std::string("/") + std::string(to_string(p)));
    }
  }

  void add(Deployment d, const YAML::Node& at, const std::string& path,
           const std::string& id_suffix = {}) {
    if (d.id.empty()) {
      if (id_suffix.empty() || id_suffix == "/openai") ++count_by_name_[d.model_name];
      d.id = d.model_name + "#" + std::to_string(count_by_name_[d.model_name]) + id_suffix;
    }
    if (!ids_.insert(d.id).second) {
      r_.error(at, path + ".model_info.id", "duplicate deployment id '" + d.id + "'");
      return;
    }
    c_.config.deployments.push_back(std::move(d));
  }

  bool read_model_info(const YAML::Node& info, const std::string& path, Deployment& d) {
    if (YamlReader::is_null(info)) return true;
    if (!r_.expect_map(info, path)) return false;
    bool ok = true;
    for (auto it = info.begin(); it != info.end(); ++it) {
      const std::string key = r_.key(it->first);
      if (key == "id") {
        auto v = r_.string(it->second, path + ".id");
        if (v && !v->empty())
          d.id = *v;
        else
          ok = false;
      } else if (key == "mode") {
        auto v = r_.string(it->second, path + ".mode");
        if (!v) {
          ok = false;
          continue;
        }
        d.mode = model_mode_from(*v);
        if (!d.mode) {
          r_.error(it->second, path + ".mode",
                   "unknown mode '" + *v + "' (" + std::string(kModeNames) + ")");
          ok = false;
        }
      } else if (key == "supported_endpoints") {
        const YAML::Node list = it->second;  // a copy: the iterator hands out a temporary
        if (!r_.expect_list(list, path + ".supported_endpoints")) {
          ok = false;
          continue;
        }
        for (const auto& e : list) {
          auto v = r_.string(e, path + ".supported_endpoints");
          if (!v) {
            ok = false;
            continue;
          }
          if (*v == "/v1/responses" || *v == "/responses") d.native_responses = true;
          if (*v == "/v1/messages") d.native_messages = true;
        }
      } else {
        c_.warn_once(it->first, path + "." + key, "model_info." + key, kIgnored);
      }
    }
    return ok;
  }

  // on_demand: {node, process, ready_timeout}
  bool read_on_demand(const YAML::Node& v, const std::string& path, Deployment& d) {
    if (!r_.expect_map(v, path)) return false;
    Deployment::OnDemand o;
    bool ok = true;
    for (auto it = v.begin(); it != v.end(); ++it) {
      const std::string key = r_.key(it->first);
      const std::string kpath = path + "." + key;
      if (key == "node" || key == "process") {
        auto s = r_.string(it->second, kpath);
        if (!s || s->empty()) {
          if (s) r_.error(it->second, kpath, "must not be empty");
          ok = false;
        } else {
          (key == "node" ? o.node : o.process) = *s;
        }
      } else if (key == "ready_timeout") {
        auto t = r_.duration(it->second, kpath);
        if (t && t->count() <= 0) r_.error(it->second, kpath, "must be greater than 0");
        if (!t || t->count() <= 0)
          ok = false;
        else
          o.ready_timeout = *t;
      } else {
        r_.error(it->first, kpath, "unknown key (node, process, ready_timeout)");
        ok = false;
      }
    }
    if (ok && (o.node.empty() || o.process.empty())) {
      r_.error(v, path, "needs node and process (the agent's node and its on-demand process)");
      ok = false;
    }
    if (ok) d.on_demand = std::move(o);
    return ok;
  }

  LoadContext& c_;
  YamlReader& r_;
  std::map<std::string, int> count_by_name_;
  std::set<std::string> ids_;
  // litellm_params.api_base of the entry being read (resolved), and where it was written.
  std::optional<std::string> api_base_text_;
  std::optional<YAML::Node> api_base_node_;
};

}  // namespace

void load_model_list(LoadContext& c, const YAML::Node& list) { ModelListLoader(c).run(list); }

}  // namespace fleetgate
