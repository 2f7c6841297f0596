// The one stream relay every provider uses: reads the backend's body as it comes, lets the
// provider's `transform` rewrite each piece, and writes it to the client as a chunk; ends with
// an SSE error event when the backend fails or the request's time runs out after the head.
// Returns false when the backend failed mid-stream.
#pragma once

#include "frontends/front_call.h"
#include "openai/error_json.h"
#include "providers/call.h"

#include <boost/asio/awaitable.hpp>

#include <algorithm>
#include <string>
#include <string_view>

namespace fleetgate {

// What is left of the request's time, at least 1 ms.
inline Duration remaining(const Call& c) {
  return std::max(Duration(1), std::chrono::duration_cast<Duration>(c.deadline - c.clock.steady()));
}

inline bool is_event_stream(std::string_view content_type) {
  return content_type.starts_with("text/event-stream");
}

// `transform(in, out)` returns what to send for `in` (`in` itself, or `out`); `finish(out)`
// appends what ends the stream.
// Writes are few: the client's head goes out with the first bytes when they came in with the
// backend's head, and the last bytes with the end of the body when the backend's body ended in
// them (one write per stream when a backend sends it all at once).
// An error after the head, as the client's dialect says it.
inline void append_stream_error(const Call& c, const Error& e, std::string& out) {
  if (c.front && !c.native)
    c.front->stream_fail(e, out);
  else
    append_sse_error(out, e);
}

// For a client dialect other than OpenAI's (c.front, not native), what the provider's transform
// made of the backend's bytes is translated once more, into the client's dialect.
template <class Transform, class Finish>
asio::awaitable<bool> relay_stream(Call& c, Transform transform, Finish finish) {
  FrontCall* const front = c.native ? nullptr : c.front;
  const std::string_view type = c.front ? c.front->stream_type() : c.stream_type;
  if (!co_await c.conn.start_stream(200, type, c.exchange.body_in_hand())) {
    c.exchange.abort();
    c.log.error = "client disconnected";
    co_return true;  // not the backend's fault
  }
  std::string& out = c.exchange.scratch(3);  // reused: a stream allocates nothing
  while (true) {
    if (c.clock.steady() >= c.deadline) {
      c.exchange.abort();
      const Error e(Errc::UpstreamTimeout,
                    c.deployment.id + ": the stream did not finish within the request timeout");
      c.log.error = e.message;
      c.log.stream_status = 504;
      std::string event;
      append_stream_error(c, e, event);
      co_await c.conn.end_stream(event);
      c.conn.set_close();
      co_return false;
    }
    if (c.conn.head_held() && !c.exchange.body_in_hand() && !co_await c.conn.flush_head()) {
      c.log.error = "client disconnected";
      c.exchange.abort();
      c.conn.set_close();
      co_return true;
    }
    auto more = co_await c.exchange.read_body_some(std::min(c.stream_gap, remaining(c)));
    if (c.watching && c.watching->gone()) {
      c.log.error = "client disconnected";
      c.conn.set_close();
      co_return true;
    }
    if (!more) {
      // Bytes already reached the client, so the status is sent: end with an SSE error event.
      c.log.error = more.error().message;
      c.log.stream_status = more.error().code == Errc::UpstreamTimeout ? 504 : 502;
      std::string event;
      append_stream_error(c, more.error(), event);
      co_await c.conn.end_stream(event);
      c.conn.set_close();
      co_return false;
    }
    out.clear();
    if (!*more) {
      finish(out);
      if (front) {
        c.front_out.clear();
        front->stream_feed(out, c.front_out);
        front->stream_end(c.front_out);
      }
      const std::string_view last = front ? std::string_view(c.front_out) : std::string_view(out);
      if (!co_await c.conn.end_stream(last)) c.conn.set_close();
      co_return true;
    }
    std::string_view piece = transform(c.exchange.body(), out);
    if (front) {
      c.front_out.clear();
      front->stream_feed(piece, c.front_out);
      if (c.exchange.done()) {
        out.clear();
        finish(out);
        front->stream_feed(out, c.front_out);
        front->stream_end(c.front_out);
        const std::string_view last = c.front_out;
        if (!co_await c.conn.end_stream(last)) {
          c.log.error = "client disconnected";
          c.conn.set_close();
        }
        co_return true;
      }
      piece = c.front_out;
    }
    if (c.exchange.done()) {
      // The backend's body ended in this piece: what ends the stream goes with it (appended
      // to the piece when the piece is `out` itself).
      // The views are locals: with the conditionals inside the co_await, GCC 12 at -O0 skipped
      // the call (the stream ended without its last chunk; StreamFraming caught it).
      const bool in_out = piece.data() == out.data();
      if (!in_out) out.clear();
      finish(out);
      const std::string_view first = in_out ? std::string_view(out) : piece;
      const std::string_view second = in_out ? std::string_view() : std::string_view(out);
      if (!co_await c.conn.end_stream(first, second)) {
        c.log.error = "client disconnected";
        c.conn.set_close();
      }
      co_return true;
    }
    if (!co_await c.conn.send_chunk(piece)) {
      c.log.error = "client disconnected";
      c.exchange.abort();
      c.conn.set_close();
      co_return true;
    }
  }
}

}  // namespace fleetgate
