#include "openai/ndjson.h"
#include "openai/sse.h"

#include <gtest/gtest.h>

#include <vector>

namespace fleetgate {
namespace {

struct Seen {
  std::string event;
  std::string data;
  bool operator==(const Seen&) const = default;
};

std::vector<Seen> decode_sse(std::string_view bytes, std::size_t split) {
  SseDecoder d;
  std::vector<Seen> out;
  auto on = [&](const SseEvent& e) { out.push_back({std::string(e.event), std::string(e.data)}); };
  d.feed(bytes.substr(0, split), on);
  d.feed(bytes.substr(split), on);
  return out;
}

}  // namespace

TEST(SseDecoder, SameEventsWhereverTheBytesSplit) {
  const std::string stream =
      ": keep-alive\n\n"
      "data: {\"a\":1}\n\n"
      "event: message_start\r\ndata: {\"b\":2}\r\n\r\n"
      "data: line1\ndata: line2\n\n"
      "data:no-space\r\rdata: [DONE]\n\n";
  const std::vector<Seen> expected = {{"", "{\"a\":1}"},
                                      {"message_start", "{\"b\":2}"},
                                      {"", "line1\nline2"},
                                      {"", "no-space"},
                                      {"", "[DONE]"}};
  for (std::size_t split = 0; split <= stream.size(); ++split)
    EXPECT_EQ(decode_sse(stream, split), expected) << "split at " << split;
}

// Two split points: an event's data begins in one piece, goes on in the next, ends in a third;
// what was handed over as a view of one piece must survive into the next.
TEST(SseDecoder, SameEventsWhereverTwoSplitsFall) {
  const std::string stream =
      "data: {\"usage\":null}\n\ndata: a\ndata: b\n\nevent: e\ndata: c\r\n\r\ndata: last\n\n";
  const std::vector<Seen> expected = {
      {"", "{\"usage\":null}"}, {"", "a\nb"}, {"e", "c"}, {"", "last"}};
  for (std::size_t i = 0; i <= stream.size(); ++i) {
    for (std::size_t j = i; j <= stream.size(); ++j) {
      SseDecoder d;
      std::vector<Seen> got;
      auto on = [&](const SseEvent& e) {
        got.push_back({std::string(e.event), std::string(e.data)});
      };
      std::string piece;  // each piece in a buffer of its own, overwritten after its feed
      for (auto [from, to] :
           {std::pair{std::size_t{0}, i}, std::pair{i, j}, std::pair{j, stream.size()}}) {
        piece.assign(stream, from, to - from);
        d.feed(piece, on);
        piece.assign(piece.size(), 'X');
      }
      EXPECT_EQ(got, expected) << "splits at " << i << " and " << j;
    }
  }
}

TEST(SseDecoder, ByteAtATime) {
  const std::string stream = "data: x\r\n\r\ndata: y\n\n";
  SseDecoder d;
  std::vector<std::string> got;
  for (char c : stream)
    d.feed(std::string_view(&c, 1), [&](const SseEvent& e) { got.emplace_back(e.data); });
  EXPECT_EQ(got, (std::vector<std::string>{"x", "y"}));
}

TEST(NdjsonDecoder, SameLinesWhereverTheBytesSplit) {
  const std::string stream = "{\"a\":1}\n{\"b\":2}\r\n\n{\"c\":3}";
  const std::vector<std::string> expected = {"{\"a\":1}", "{\"b\":2}", "{\"c\":3}"};
  for (std::size_t split = 0; split <= stream.size(); ++split) {
    NdjsonDecoder d;
    std::vector<std::string> got;
    auto on = [&](std::string_view line) { got.emplace_back(line); };
    d.feed(std::string_view(stream).substr(0, split), on);
    d.feed(std::string_view(stream).substr(split), on);
    d.finish(on);
    EXPECT_EQ(got, expected) << "split at " << split;
  }
}

}  // namespace fleetgate
