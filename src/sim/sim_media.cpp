// The sim's audio, rerank and image endpoints, as Faster-Whisper, Kokoro, vLLM's and llama.cpp's
// rerankers and an image server answer them: a plausible transcription, a valid WAV file (sent
// in pieces, as a speech server streams it), relevance scores, a 1×1 PNG.
#include "sim/sim_backend.h"

#include "core/json_escape.h"
#include "openai/multipart.h"
#include "openai/request_scan.h"

#include <boost/json.hpp>

#include <array>
#include <chrono>
#include <cstdint>

namespace fleetgate {

namespace {

void put_le(std::string& out, std::uint32_t v, int bytes) {
  for (int i = 0; i < bytes; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}

// A mono 16-bit PCM WAV of `ms` milliseconds at 16 kHz: a quiet 440 Hz tone.
std::string wav(unsigned ms) {
  constexpr std::uint32_t kRate = 16000;
  const std::uint32_t samples = kRate * ms / 1000;
  std::string out = "RIFF";
  put_le(out, 36 + samples * 2, 4);
  out += "WAVEfmt ";
  put_le(out, 16, 4);
  put_le(out, 1, 2);  // PCM
  put_le(out, 1, 2);  // mono
  put_le(out, kRate, 4);
  put_le(out, kRate * 2, 4);
  put_le(out, 2, 2);
  put_le(out, 16, 2);
  out += "data";
  put_le(out, samples * 2, 4);
  for (std::uint32_t i = 0; i < samples; ++i) {
    const int phase = static_cast<int>((i * 440 * 4 / kRate) % 4);  // a triangle-ish wave
    const int value = (phase == 0 ? 0 : phase == 1 ? 1000 : phase == 2 ? 0 : -1000);
    put_le(out, static_cast<std::uint32_t>(static_cast<std::uint16_t>(value)), 2);
  }
  return out;
}

// A 1×1 transparent PNG, base64.
constexpr std::string_view kPixel =
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg"
    "==";

// Built outside the coroutine: GCC 12 cannot take a braced list in a coroutine's frame.
boost::json::object result(std::size_t i) {
  return {{"index", i}, {"relevance_score", 1.0 / static_cast<double>(i + 1)}};
}
std::string rerank_body(const std::string& id, const std::string& model, boost::json::array results,
                        std::size_t tokens) {
  return boost::json::serialize(
      boost::json::object{{"id", "rerank-" + id},
                          {"model", model},
                          {"results", std::move(results)},
                          {"usage", boost::json::object{{"total_tokens", tokens}}}});
}

}  // namespace

bool SimBackend::is_media_path(std::string_view path) {
  return path == "/v1/audio/transcriptions" || path == "/v1/audio/translations" ||
         path == "/v1/audio/speech" || path == "/v1/rerank" || path == "/rerank" ||
         path == "/v1/images/generations";
}

asio::awaitable<void> SimBackend::media(ClientConnection& conn, Request& req,
                                        std::string_view path) {
  const bool upload = path.starts_with("/v1/audio/trans");
  std::string model;
  if (upload) {
    auto field = find_form_field(req.content_type, req.body, "model");
    if (!field) {
      co_await conn.send_error(field.error());
      co_return;
    }
    model = field->text;
    if (req.body.find("filename=") == std::string::npos) {
      co_await conn.send_error(Error(Errc::BadRequest, "sim: the upload has no file", "file"));
      co_return;
    }
  } else {
    auto fields = scan_request(req.body);
    if (!fields) {
      co_await conn.send_error(fields.error());
      co_return;
    }
    model = fields->model_name;
  }
  if (!co_await pause(conn, options_.ttft)) co_return;
  if (upload) {
    const bool text = req.body.find("name=\"response_format\"\r\n\r\ntext") != std::string::npos;
    const std::string said = path.ends_with("translations")
                                 ? "The fleet is up and every backend answers."
                                 : "The fleet is up and every backend answers.";
    if (text)
      co_await conn.send(200, "text/plain; charset=utf-8", said);
    else
      co_await conn.send(
          200, "application/json",
          "{\"text\":" + json_string(said) + ",\"usage\":{\"type\":\"duration\",\"seconds\":2}}");
    co_return;
  }
  if (path == "/v1/audio/speech") {
    const std::string audio = wav(500);
    if (!co_await conn.start_stream(200, "audio/wav")) co_return;
    for (std::size_t at = 0; at < audio.size(); at += 4096)  // as a TTS server streams it
      if (!co_await conn.send_chunk(std::string_view(audio).substr(at, 4096))) co_return;
    co_await conn.end_stream();
    co_return;
  }
  if (path.ends_with("/rerank")) {
    boost::system::error_code ec;
    const auto v = boost::json::parse(req.body, ec);
    std::size_t n = 0;
    if (!ec && v.is_object())
      if (const auto* d = v.as_object().if_contains("documents"); d && d->is_array())
        n = d->as_array().size();
    boost::json::array results;
    for (std::size_t i = 0; i < n; ++i)  // the first document is the most relevant
      results.push_back(result(i));
    const std::string body =
        rerank_body(conn.request_id(), model, std::move(results), req.body.size() / 4);
    co_await conn.send(200, "application/json", body);
    co_return;
  }
  const auto now = std::chrono::duration_cast<std::chrono::seconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  co_await conn.send(200, "application/json",
                     "{\"created\":" + std::to_string(now) + ",\"data\":[{\"b64_json\":\"" +
                         std::string(kPixel) + "\"}]}");
}

}  // namespace fleetgate
