// fleetgate serve in front of fleetgate sim processes, all on ephemeral loopback ports.
#include "support/child_process.h"
#include "support/fleet.h"
#include "support/http_client.h"
#include "support/tls_terminator.h"

#include <gtest/gtest.h>
#include <boost/json.hpp>

#include <csignal>
#include <filesystem>
#include <fstream>
#include <thread>

namespace fleetgate::test {
namespace json = boost::json;

namespace {

json::object error_of(const HttpResponse& r) {
  return json::parse(r.body).as_object().at("error").as_object();
}

const std::string kChat = R"({"model":"fast","messages":[{"role":"user","content":"hi"}]})";

// Asks for a stream of model "slow", reads whatever comes for `read_for`, then hangs up.
std::string stream_then_hang_up(std::uint16_t port, std::chrono::milliseconds read_for) {
  const std::string body =
      R"({"model":"slow","stream":true,"messages":[{"role":"user","content":"x"}]})";
  return raw_exchange(port,
                      "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Length: " +
                          std::to_string(body.size()) + "\r\n\r\n" + body,
                      read_for);
}

}  // namespace

class GatewayTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sim_ = start_sim({"--models", "qwen2.5-1.5b,qwen2.5:7b"});
    gw_ = start_gateway(
        "model_list:\n" +
        deployment("fast", "hosted_vllm/qwen2.5-1.5b", sim_.port, "      api_key: sk-backend\n") +
        deployment("complex", "ollama_chat/qwen2.5:7b", sim_.port) +
        "fleetgate:\n  access_log: stdout\n");
  }
  Sim sim_;
  Gateway gw_;
};

TEST_F(GatewayTest, RewritesOnlyTheModelAndForwardsEveryOtherByte) {
  const std::string body =
      R"({"model":"fast",  "messages":[{"role":"user","content":"h\u00e9llo \"q\""}], "temperature":0.25, "x_custom":{"k":[1,2.50]}})";
  auto r =
      http_request(gw_.port, "POST", "/v1/chat/completions", body, {{"x-request-id", "req-123"}});
  ASSERT_EQ(r.status, 200) << r.body << r.error;
  EXPECT_EQ(r.headers["x-request-id"], "req-123");
  EXPECT_EQ(r.headers["x-fleetgate-deployment"], "fast#1");
  EXPECT_EQ(json::parse(r.body).as_object().at("object"), "chat.completion");

  auto last = json::parse(http_request(sim_.port, "GET", "/sim/last").body).as_object();
  std::string expected = body;
  expected.replace(expected.find("\"fast\""), 6, "\"qwen2.5-1.5b\"");
  EXPECT_EQ(last.at("body").as_string(), expected);
  EXPECT_EQ(last.at("target"), "/v1/chat/completions");
  EXPECT_EQ(last.at("authorization"), "Bearer sk-backend");
  EXPECT_EQ(last.at("request_id"), "req-123");
  EXPECT_TRUE(gw_.process->wait_for(
      R"("request_id":"req-123".*"deployment":"fast#1".*"status":200.*"prompt_tokens":\d+,"completion_tokens":16)"));
}

TEST_F(GatewayTest, StreamsServerSentEventsToTheEnd) {
  auto r =
      http_request(gw_.port, "POST", "/v1/chat/completions",
                   R"({"model":"fast","stream":true,"messages":[{"role":"user","content":"hi"}]})");
  ASSERT_EQ(r.status, 200) << r.error;
  EXPECT_EQ(r.headers["content-type"], "text/event-stream") << r.body;
  int chunks = 0;
  for (std::size_t pos = 0; (pos = r.body.find("data: {", pos)) != std::string::npos; ++pos)
    ++chunks;
  EXPECT_EQ(chunks, 16 + 1);  // tokens and the finish chunk: the client did not ask for usage
  EXPECT_TRUE(r.body.ends_with("data: [DONE]\n\n"));
  // ... but the gateway did, so the tokens count.
  EXPECT_TRUE(gw_.process->wait_for(R"("stream":true)") &&
              gw_.process->wait_for(R"("completion_tokens":16,"stream":true)"));
  auto asked =
      http_request(gw_.port, "POST", "/v1/chat/completions",
                   R"({"model":"fast","stream":true,"stream_options":{"include_usage":true},)"
                   R"("messages":[{"role":"user","content":"hi"}]})");
  EXPECT_NE(asked.body.find("\"choices\":[],\"usage\":{"), std::string::npos) << asked.body;
}

TEST_F(GatewayTest, OllamaBackendsSpeakOpenAI) {
  auto r = http_request(gw_.port, "POST", "/v1/chat/completions",
                        R"({"model":"complex","messages":[{"role":"user","content":"hi"}]})");
  ASSERT_EQ(r.status, 200) << r.body;
  auto o = json::parse(r.body).as_object();
  EXPECT_EQ(o.at("model"), "complex");
  EXPECT_EQ(o.at("usage").as_object().at("completion_tokens"), 16);
  auto last = json::parse(http_request(sim_.port, "GET", "/sim/last").body).as_object();
  EXPECT_EQ(last.at("target"), "/api/chat");

  auto s = http_request(
      gw_.port, "POST", "/v1/chat/completions",
      R"({"model":"complex","stream":true,"messages":[{"role":"user","content":"hi"}]})");
  ASSERT_EQ(s.status, 200);
  EXPECT_NE(s.body.find("chat.completion.chunk"), std::string::npos) << s.body;
  EXPECT_TRUE(s.body.ends_with("data: [DONE]\n\n"));
}

TEST_F(GatewayTest, ListsModelsAndAnswersHealth) {
  auto r = http_request(gw_.port, "GET", "/v1/models");
  ASSERT_EQ(r.status, 200);
  auto data = json::parse(r.body).as_object().at("data").as_array();
  ASSERT_EQ(data.size(), 2u);
  EXPECT_EQ(data[0].as_object().at("id"), "fast");
  EXPECT_EQ(http_request(gw_.port, "GET", "/health/liveliness").status, 200);
  EXPECT_EQ(http_request(gw_.port, "GET", "/health/readiness").status, 200);
  EXPECT_EQ(http_request(gw_.port, "GET", "/v1/models/fast").status, 200);
  EXPECT_EQ(http_request(gw_.port, "GET", "/v1/models/nope").status, 404);
}

TEST_F(GatewayTest, BadRequestsGetOpenAIErrors) {
  auto unknown =
      http_request(gw_.port, "POST", "/v1/chat/completions", R"({"model":"gpt-9","messages":[]})");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(error_of(unknown).at("code"), "model_not_found");
  EXPECT_EQ(error_of(unknown).at("param"), "model");

  auto malformed = http_request(gw_.port, "POST", "/v1/chat/completions", R"({"model":"fast",)");
  EXPECT_EQ(malformed.status, 400) << malformed.error;
  EXPECT_EQ(error_of(malformed).at("type"), "invalid_request_error");

  auto no_model = http_request(gw_.port, "POST", "/v1/chat/completions", R"({"messages":[]})");
  EXPECT_EQ(no_model.status, 400);
  EXPECT_EQ(error_of(no_model).at("param"), "model");

  auto no_messages = http_request(gw_.port, "POST", "/v1/chat/completions", R"({"model":"fast"})");
  EXPECT_EQ(no_messages.status, 400);
  EXPECT_EQ(error_of(no_messages).at("param"), "messages");

  EXPECT_EQ(http_request(gw_.port, "GET", "/v1/chat/completions").status, 405);
  EXPECT_EQ(http_request(gw_.port, "GET", "/nowhere").status, 404);
  auto garbage = raw_exchange(gw_.port, "NOT HTTP AT ALL\r\n\r\n");
  EXPECT_TRUE(garbage.starts_with("HTTP/1.1 400")) << garbage;
}

TEST_F(GatewayTest, ClientThatHangsUpMidStreamAbortsTheBackend) {
  auto slow_sim = start_sim({"--models", "slow", "--tokens-per-second", "5", "--tokens", "100"});
  auto gw = start_gateway("model_list:\n" + deployment("slow", "openai/slow", slow_sim.port));
  const auto t0 = std::chrono::steady_clock::now();
  // Read the head and the first event, then hang up.
  auto got = stream_then_hang_up(gw.port, std::chrono::milliseconds(600));
  EXPECT_NE(got.find("data: {"), std::string::npos);
  ASSERT_TRUE(gw.process->wait_for(R"("error":"client disconnected")", std::chrono::seconds(5)))
      << gw.process->output();
  // The backend saw its connection go: 100 tokens at 5/s would have run 20 s.
  ASSERT_TRUE(slow_sim.process->wait_for("client hung up", std::chrono::seconds(5)))
      << slow_sim.process->output();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(3)) << "the stream ran on";
}

TEST_F(GatewayTest, ClientThatHangsUpBeforeTheFirstTokenAbortsTheBackend) {
  auto slow_sim = start_sim({"--models", "slow", "--ttft", "10s"});
  auto gw = start_gateway("model_list:\n" + deployment("slow", "openai/slow", slow_sim.port));
  const auto t0 = std::chrono::steady_clock::now();
  auto got = stream_then_hang_up(gw.port, std::chrono::milliseconds(300));
  EXPECT_EQ(got, "");  // nothing yet: the backend is still "reading the prompt"
  ASSERT_TRUE(slow_sim.process->wait_for("client hung up", std::chrono::seconds(5)))
      << slow_sim.process->output();
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(3));
  EXPECT_TRUE(gw.process->wait_for(R"("status":\d+.*"stream":true,"error":"client disconnected")",
                                   std::chrono::seconds(5)))
      << gw.process->output();
}

TEST(GatewayFaults, RefusedBackendIs502NamingTheDeployment) {
  auto sim = start_sim();
  const std::uint16_t dead_port = sim.port;
  sim.process->stop(SIGKILL);
  auto gw = start_gateway("model_list:\n" + deployment("fast", "openai/x", dead_port));
  auto r = http_request(gw.port, "POST", "/v1/chat/completions", kChat);
  EXPECT_EQ(r.status, 502);
  EXPECT_NE(error_of(r).at("message").as_string().find("fast#1"), std::string::npos) << r.body;
}

TEST(GatewayFaults, HangingBackendIs504AfterTheDeadline) {
  auto sim = start_sim({"--models", "x", "--hang-rate", "1"});
  auto gw = start_gateway("model_list:\n" +
                          deployment("fast", "openai/x", sim.port, "      timeout: 1\n"));
  const auto t0 = std::chrono::steady_clock::now();
  auto r = http_request(gw.port, "POST", "/v1/chat/completions", kChat);
  const auto took = std::chrono::steady_clock::now() - t0;
  EXPECT_EQ(r.status, 504) << r.body;
  EXPECT_EQ(error_of(r).at("code"), "upstream_timeout");
  EXPECT_GE(took, std::chrono::milliseconds(900));
  EXPECT_LT(took, std::chrono::milliseconds(3000));
}

TEST(GatewayFaults, BackendErrorsPassThroughWithTheirStatus) {
  auto sim = start_sim({"--models", "x", "--error-rate", "1", "--error-status", "503"});
  auto gw = start_gateway("model_list:\n" + deployment("fast", "openai/x", sim.port));
  auto r = http_request(gw.port, "POST", "/v1/chat/completions", kChat);
  EXPECT_EQ(r.status, 503);
  EXPECT_EQ(error_of(r).at("message"), "sim: injected failure");
}

TEST(GatewayFaults, StreamBrokenMidwayEndsWithAnErrorEvent) {
  auto sim = start_sim({"--models", "x", "--close-after", "3", "--tokens-per-second", "1000"});
  auto gw = start_gateway("model_list:\n" + deployment("fast", "openai/x", sim.port));
  auto r =
      http_request(gw.port, "POST", "/v1/chat/completions",
                   R"({"model":"fast","stream":true,"messages":[{"role":"user","content":"hi"}]})");
  ASSERT_EQ(r.status, 200) << r.error;
  EXPECT_NE(r.body.find("\"error\""), std::string::npos) << r.body;
  EXPECT_EQ(r.body.find("[DONE]"), std::string::npos);
}

TEST(GatewayLimits, MasterKeyBodyLimitAndSlowClients) {
  auto sim = start_sim({"--models", "x"});
  auto gw =
      start_gateway("model_list:\n" + deployment("fast", "openai/x", sim.port) +
                    "general_settings:\n  master_key: sk-master\n"
                    "fleetgate:\n  max_request_body: 1KiB\n  timeouts: {client_header: 1s}\n");
  EXPECT_EQ(http_request(gw.port, "POST", "/v1/chat/completions", kChat).status, 401);
  EXPECT_EQ(http_request(gw.port, "POST", "/v1/chat/completions", kChat,
                         {{"Authorization", "Bearer wrong"}})
                .status,
            401);
  EXPECT_EQ(http_request(gw.port, "GET", "/v1/models").status, 401);
  EXPECT_EQ(http_request(gw.port, "POST", "/v1/chat/completions", kChat,
                         {{"Authorization", "Bearer sk-master"}})
                .status,
            200);
  EXPECT_EQ(http_request(gw.port, "GET", "/health/liveliness").status, 200)
      << "health needs no key";

  const std::string big = R"({"model":"fast","messages":[{"role":"user","content":")" +
                          std::string(2000, 'a') + "\"}]}";
  auto r = http_request(gw.port, "POST", "/v1/chat/completions", big,
                        {{"Authorization", "Bearer sk-master"}});
  EXPECT_EQ(r.status, 413);

  const auto t0 = std::chrono::steady_clock::now();
  auto slow = raw_exchange(gw.port, "POST /v1/chat/completions HTTP/1.1\r\nHost: 127.0.0.1\r\n",
                           std::chrono::seconds(5));
  EXPECT_TRUE(slow.starts_with("HTTP/1.1 408")) << slow;
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::milliseconds(2500));
}

TEST(GatewayLifecycle, SigtermLetsAStreamFinishThenExitsZero) {
  auto sim = start_sim({"--models", "x", "--tokens-per-second", "20", "--tokens", "20"});
  auto gw = start_gateway("model_list:\n" + deployment("fast", "openai/x", sim.port));
  HttpResponse r;
  std::thread client([&] {
    r = http_request(
        gw.port, "POST", "/v1/chat/completions",
        R"({"model":"fast","stream":true,"messages":[{"role":"user","content":"hi"}]})");
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  kill(gw.process->pid(), SIGTERM);
  client.join();
  EXPECT_EQ(r.status, 200);
  EXPECT_TRUE(r.body.ends_with("data: [DONE]\n\n")) << "the in-flight stream was cut";
  EXPECT_EQ(gw.process->wait_exit(std::chrono::seconds(5)), 0);
  EXPECT_EQ(
      http_request(gw.port, "GET", "/health/liveliness", {}, {}, std::chrono::seconds(1)).status,
      0);
}

// https:// upstreams: certificate verified against the system store, which SSL_CERT_FILE points
// at here (as it would at an internal CA in production).
TEST(GatewayTls, HttpsUpstreamsAreVerifiedAndRelayed) {
  char dir_template[] = "/tmp/fleetgate-tls-XXXXXX";
  ASSERT_NE(::mkdtemp(dir_template), nullptr);
  std::string cert, key;
  ASSERT_TRUE(make_self_signed_cert(dir_template, cert, key));
  auto sim = start_sim({"--models", "x"});
  TlsTerminator tls(cert, key, sim.port);
  const std::string config =
      "model_list:\n"
      "  - model_name: by-ip\n"
      "    litellm_params: {model: openai/x, api_base: 'https://127.0.0.1:" +
      std::to_string(tls.port()) +
      "/v1'}\n"
      "  - model_name: by-name\n"
      "    litellm_params: {model: openai/x, api_base: 'https://localhost:" +
      std::to_string(tls.port()) + "/v1'}\n";

  ::setenv("SSL_CERT_FILE", cert.c_str(), 1);
  auto trusted = start_gateway(config);
  ::unsetenv("SSL_CERT_FILE");
  for (const char* model : {"by-ip", "by-name"}) {
    auto r = http_request(
        trusted.port, "POST", "/v1/chat/completions",
        R"({"model":")" + std::string(model) + R"(","messages":[{"role":"user","content":"hi"}]})");
    EXPECT_EQ(r.status, 200) << model << ": " << r.body << r.error;
  }
  auto s = http_request(
      trusted.port, "POST", "/v1/chat/completions",
      R"({"model":"by-ip","stream":true,"messages":[{"role":"user","content":"hi"}]})");
  EXPECT_TRUE(s.body.ends_with("data: [DONE]\n\n")) << s.body;

  // Without the certificate in its trust store the gateway refuses the backend: 502, naming it.
  ::setenv("SSL_CERT_FILE", "/nonexistent.pem", 1);
  auto untrusting = start_gateway(config);
  ::unsetenv("SSL_CERT_FILE");
  auto r = http_request(untrusting.port, "POST", "/v1/chat/completions",
                        R"({"model":"by-ip","messages":[{"role":"user","content":"hi"}]})");
  EXPECT_EQ(r.status, 502) << r.body;
  const std::string message(error_of(r).at("message").as_string());
  EXPECT_NE(message.find("by-ip#1"), std::string::npos) << message;
  EXPECT_NE(message.find("TLS handshake"), std::string::npos) << message;
  std::filesystem::remove_all(dir_template);
}

}  // namespace fleetgate::test
