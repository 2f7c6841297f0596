// How a stream reaches the client, byte for byte: whatever the backend's writes, a chunked body
// framed right (the head sent with the first bytes, the end with the last) for HTTP/1.1, and a
// close-delimited one for HTTP/1.0.
#include "support/fake_upstream.h"
#include "support/http_client.h"
#include "support/in_process.h"

#include <gtest/gtest.h>

#include <chrono>

namespace fleetgate::test {
namespace {

using namespace std::chrono_literals;

const std::string kStream =
    R"({"model":"fast","stream":true,"messages":[{"role":"user","content":"hi"}]})";

std::string config(const FakeUpstream& up) {
  return "model_list:\n  - model_name: fast\n    litellm_params:\n      model: openai/x\n"
         "      api_base: " +
         up.base() + "\n";
}

std::string request(const char* version) {
  return std::string("POST /v1/chat/completions ") + version +
         "\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nConnection: close\r\n"
         "Content-Length: " +
         std::to_string(kStream.size()) + "\r\n\r\n" + kStream;
}

// The body of a chunked response, or "" with `problem` set when its framing is wrong.
std::string dechunk(std::string_view body, std::string& problem) {
  std::string out;
  while (true) {
    const auto eol = body.find("\r\n");
    if (eol == std::string_view::npos) {
      problem = "a chunk size without its line end";
      return "";
    }
    const std::size_t size = std::stoul(std::string(body.substr(0, eol)), nullptr, 16);
    body.remove_prefix(eol + 2);
    if (size == 0) {
      if (body != "\r\n") problem = "bytes after the last chunk: " + std::string(body);
      return out;
    }
    if (body.size() < size + 2 || body.substr(size, 2) != "\r\n") {
      problem = "a chunk shorter than its size";
      return "";
    }
    out += body.substr(0, size);
    body.remove_prefix(size + 2);
  }
}

void expect_whole_stream(const std::string& events) {
  EXPECT_NE(events.find("\"content\":\"one\""), std::string::npos) << events;
  EXPECT_NE(events.find("\"content\":\"three\""), std::string::npos) << events;
  EXPECT_TRUE(events.ends_with("data: [DONE]\n\n")) << events;
}

TEST(StreamFraming, AStreamTheBackendSendsInOneWriteIsOneWellFramedChunkedBody) {
  FakeUpstream up;
  FakeReply s = FakeReply::stream({"one", "two", "three"});
  s.one_write = true;  // the first read has it all: the head held, the end sent with the body
  up.always(s);
  auto g = start_in_process(config(up));
  const std::string raw = raw_exchange(g.port, request("HTTP/1.1"));
  ASSERT_TRUE(raw.starts_with("HTTP/1.1 200 OK\r\n")) << raw;
  const auto head_end = raw.find("\r\n\r\n");
  ASSERT_NE(head_end, std::string::npos) << raw;
  const std::string head = raw.substr(0, head_end + 2);
  EXPECT_NE(head.find("Transfer-Encoding: chunked\r\n"), std::string::npos) << head;
  EXPECT_NE(head.find("Content-Type: text/event-stream\r\n"), std::string::npos) << head;
  std::string problem;
  const std::string events = dechunk(std::string_view(raw).substr(head_end + 4), problem);
  EXPECT_EQ(problem, "") << raw;
  expect_whole_stream(events);
}

TEST(StreamFraming, AStreamThatTricklesIsFramedTheSame) {
  FakeUpstream up;
  FakeReply s = FakeReply::stream({"one", "two", "three"});
  s.gap = 15ms;
  up.always(s);
  auto g = start_in_process(config(up));
  const std::string raw = raw_exchange(g.port, request("HTTP/1.1"));
  const auto head_end = raw.find("\r\n\r\n");
  ASSERT_NE(head_end, std::string::npos) << raw;
  std::string problem;
  const std::string events = dechunk(std::string_view(raw).substr(head_end + 4), problem);
  EXPECT_EQ(problem, "") << raw;
  expect_whole_stream(events);
}

TEST(StreamFraming, AnHttp10ClientGetsTheStreamDelimitedByTheClose) {
  FakeUpstream up;
  FakeReply s = FakeReply::stream({"one", "two", "three"});
  s.one_write = true;
  up.always(s);
  auto g = start_in_process(config(up));
  const std::string raw = raw_exchange(g.port, request("HTTP/1.0"));
  ASSERT_TRUE(raw.starts_with("HTTP/1.0 200 OK\r\n")) << raw;
  const auto head_end = raw.find("\r\n\r\n");
  ASSERT_NE(head_end, std::string::npos) << raw;
  EXPECT_EQ(raw.substr(0, head_end).find("Transfer-Encoding"), std::string::npos) << raw;
  expect_whole_stream(raw.substr(head_end + 4));
}

}  // namespace
}  // namespace fleetgate::test
