// Audio uploads go to the backend as they arrive: once the form's model field is in, the
// deployment is chosen and every further byte is forwarded as it comes; a backend that fails
// mid-upload is replaced by the next with nothing lost, and a client that stalls or leaves
// mid-upload is answered or dropped without harm to the next request.
#include "support/http_client.h"
#include "support/in_process.h"

#include <gtest/gtest.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/read.hpp>
#include <boost/asio/read_until.hpp>
#include <boost/asio/write.hpp>

#include <atomic>
#include <future>
#include <mutex>
#include <thread>

namespace fleetgate::test {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;
using namespace std::chrono_literals;

const std::string kBoundary = "----fg-upload";
const std::string kFile(256 * 1024, 'a');  // the "audio": larger than what one read brings

std::string form_head(const std::string& model) {
  return "--" + kBoundary + "\r\nContent-Disposition: form-data; name=\"model\"\r\n\r\n" + model +
         "\r\n--" + kBoundary +
         "\r\nContent-Disposition: form-data; name=\"file\"; filename=\"a.wav\"\r\n"
         "Content-Type: audio/wav\r\n\r\n";
}
std::string form_tail() { return "\r\n--" + kBoundary + "--\r\n"; }
std::string form(const std::string& model) { return form_head(model) + kFile + form_tail(); }

std::string request_head(std::size_t length) {
  return "POST /v1/audio/transcriptions HTTP/1.1\r\nHost: 127.0.0.1\r\n"
         "Content-Type: multipart/form-data; boundary=" +
         kBoundary + "\r\nContent-Length: " + std::to_string(length) + "\r\n\r\n";
}

// A transcription backend on a thread of its own that tells when it has received the first
// `early` bytes of a body, and can drop the first connection that `served` counts (shared by
// several backends) once those bytes are in.
class UploadBackend {
 public:
  explicit UploadBackend(std::size_t early, std::atomic<int>* served = nullptr)
      : acceptor_(io_, tcp::endpoint(asio::ip::make_address("127.0.0.1"), 0)),
        early_(early),
        served_(served) {
    thread_ = std::thread([this] { serve(); });
  }
  ~UploadBackend() {
    stopping_ = true;
    boost::system::error_code ec;
    tcp::socket poke(io_);
    poke.connect(acceptor_.local_endpoint(), ec);  // wakes the accept
    thread_.join();
  }
  std::uint16_t port() const { return acceptor_.local_endpoint().port(); }
  std::future<void> early_bytes() { return early_seen_.get_future(); }
  std::string body() {
    std::lock_guard lock(mutex_);
    return body_;
  }
  std::string head() {
    std::lock_guard lock(mutex_);
    return head_;
  }
  int connections() const { return connections_; }  // uploads, not health checks
  // A connection ended before its body did.
  std::future<void> cut_short() { return cut_short_.get_future(); }

 private:
  void serve() {
    while (!stopping_) {
      tcp::socket s(io_);
      boost::system::error_code ec;
      acceptor_.accept(s, ec);
      if (ec || stopping_) return;
      one(s);
    }
  }
  void one(tcp::socket& s) {
    boost::system::error_code ec;
    std::string in;
    const std::size_t head_end = asio::read_until(s, asio::dynamic_buffer(in), "\r\n\r\n", ec);
    if (ec) return;
    const std::string head = in.substr(0, head_end);
    in.erase(0, head_end);
    const auto at = head.find("Content-Length: ");
    if (at == std::string::npos) {  // the gateway's health check: GET /v1/models
      reply(s, R"({"object":"list","data":[{"id":"whisper-large-v3","object":"model"}]})");
      return;
    }
    const std::size_t length = std::stoul(head.substr(at + 16));
    ++connections_;
    const bool drop = served_ && ++*served_ == 1;
    bool told = false;
    while (in.size() < length) {
      if (!told && in.size() >= early_) {
        if (drop) return;  // closes with the upload half done
        told = true;
        tell_early();
      }
      char buf[16384];
      const std::size_t got = s.read_some(asio::buffer(buf), ec);
      if (ec) {
        if (!cut_) cut_short_.set_value();
        cut_ = true;
        return;
      }
      in.append(buf, got);
    }
    if (!told && !drop) tell_early();
    {
      std::lock_guard lock(mutex_);
      head_ = head;
      body_ = in;
    }
    reply(s, "{\"text\":\"heard " + std::to_string(in.size()) + " bytes\"}");
  }
  void tell_early() {
    if (!early_told_) early_seen_.set_value();
    early_told_ = true;
  }
  static void reply(tcp::socket& s, const std::string& answer) {
    boost::system::error_code ec;
    asio::write(
        s,
        asio::buffer("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: " +
                     std::to_string(answer.size()) + "\r\nConnection: close\r\n\r\n" + answer),
        ec);
  }

  asio::io_context io_;
  tcp::acceptor acceptor_;
  std::size_t early_;
  std::atomic<int>* served_;
  std::promise<void> early_seen_;
  std::promise<void> cut_short_;
  bool cut_ = false;
  bool early_told_ = false;
  std::mutex mutex_;
  std::string body_, head_;
  std::atomic<int> connections_{0};
  std::atomic<bool> stopping_{false};
  std::thread thread_;
};

std::string deployment(const UploadBackend& b) {
  return "  - model_name: whisper\n    litellm_params:\n      model: openai/whisper-large-v3\n"
         "      api_base: http://127.0.0.1:" +
         std::to_string(b.port()) + "/v1\n    model_info: {mode: audio_transcription}\n";
}

std::string status_line(const std::string& response) {
  return response.substr(0, response.find("\r\n"));
}

}  // namespace

TEST(Uploads, TheRestOfAnUploadGoesToTheBackendAsItArrives) {
  const std::string prefix = form_head("whisper") + kFile.substr(0, 1000);
  const std::string body = form("whisper");
  const std::string sent = form("whisper-large-v3");  // only the model's value changes
  UploadBackend backend(form_head("whisper-large-v3").size() + 1000);
  auto early = backend.early_bytes();
  auto g = start_in_process("model_list:\n" + deployment(backend));
  RawConnection client(g.port);
  ASSERT_TRUE(client.send(request_head(body.size()) + prefix));
  // The backend has the model and the file's first bytes while the client still holds the rest:
  // a gateway that waited for the whole body would never get here.
  ASSERT_EQ(early.wait_for(10s), std::future_status::ready);
  ASSERT_TRUE(client.send(body.substr(prefix.size())));
  const std::string response = client.read(10s, "bytes\"}");
  EXPECT_EQ(status_line(response), "HTTP/1.1 200 OK") << response;
  EXPECT_NE(response.find("heard " + std::to_string(sent.size()) + " bytes"), std::string::npos);
  EXPECT_EQ(backend.body(), sent);
  EXPECT_NE(backend.head().find("Content-Length: " + std::to_string(sent.size())),
            std::string::npos);
  EXPECT_NE(backend.head().find("POST /v1/audio/transcriptions "), std::string::npos);
  // The connection goes on: the next request on it is answered.
  ASSERT_TRUE(client.send("GET /v1/models HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n"));
  EXPECT_NE(client.read(5s, "whisper").find("200 OK"), std::string::npos);
}

TEST(Uploads, ABackendThatFailsMidUploadIsReplacedWithNothingLost) {
  const std::string prefix = form_head("whisper") + kFile.substr(0, 1000);
  const std::string body = form("whisper");
  // The first connection either of them serves is dropped once the prefix is in.
  std::atomic<int> served{0};
  UploadBackend a(form_head("whisper-large-v3").size() + 1000, &served);
  UploadBackend b(form_head("whisper-large-v3").size() + 1000, &served);
  auto g = start_in_process("model_list:\n" + deployment(a) + deployment(b) +
                            "router_settings: {num_retries: 2, allowed_fails: 100}\n");
  RawConnection client(g.port);
  ASSERT_TRUE(client.send(request_head(body.size()) + prefix));
  // Whichever was chosen drops the upload half way; the other gets all of it, the bytes that
  // came before the failure included.
  ASSERT_TRUE(client.send(body.substr(prefix.size())));
  const std::string response = client.read(10s, "bytes\"}");
  EXPECT_EQ(status_line(response), "HTTP/1.1 200 OK") << response;
  const std::string sent = form("whisper-large-v3");
  EXPECT_EQ(a.body().empty() ? b.body() : a.body(), sent);
  EXPECT_EQ(a.connections() + b.connections(), 2);
  EXPECT_NE(response.find("x-fleetgate-attempts: 2"), std::string::npos) << response;
}

TEST(Uploads, AClientThatStallsOrLeavesMidUploadHarmsNothing) {
  const std::string prefix = form_head("whisper") + kFile.substr(0, 1000);
  const std::string body = form("whisper");
  UploadBackend backend(form_head("whisper-large-v3").size() + 1000);
  auto abandoned = backend.cut_short();
  auto g = start_in_process("model_list:\n" + deployment(backend) +
                            "fleetgate: {timeouts: {client_body: 300ms}}\n");
  {
    RawConnection stalled(g.port);
    ASSERT_TRUE(stalled.send(request_head(body.size()) + prefix));
    const std::string response = stalled.read(10s, "}}");
    EXPECT_EQ(status_line(response), "HTTP/1.1 408 Request Timeout") << response;
    EXPECT_NE(response.find("Connection: close"), std::string::npos);
    EXPECT_TRUE(stalled.closed_by_peer(5s));
  }
  // The backend's upload was abandoned, not left hanging.
  EXPECT_EQ(abandoned.wait_for(10s), std::future_status::ready);
  {
    RawConnection leaving(g.port);
    ASSERT_TRUE(leaving.send(request_head(body.size()) + prefix));
  }  // gone half way
  // The gateway serves the next upload whole.
  auto r = http_request(g.port, "POST", "/v1/audio/transcriptions", body,
                        {{"Content-Type", "multipart/form-data; boundary=" + kBoundary}});
  EXPECT_EQ(r.status, 200) << r.body;
}

TEST(Uploads, AnUploadRefusedBeforeItsEndIsAnsweredAndItsConnectionClosed) {
  const std::string body = form("no-such-model");
  UploadBackend backend(1);
  auto g = start_in_process("model_list:\n" + deployment(backend));
  RawConnection client(g.port);
  ASSERT_TRUE(client.send(request_head(body.size()) + form_head("no-such-model")));
  const std::string response = client.read(10s, "}}");
  EXPECT_EQ(status_line(response), "HTTP/1.1 404 Not Found") << response;
  EXPECT_NE(response.find("Connection: close"), std::string::npos);
  EXPECT_EQ(backend.connections(), 0);
}

}  // namespace fleetgate::test
