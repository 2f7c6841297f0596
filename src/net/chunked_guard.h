// A guard around Beast 1.81's basic_parser::put for chunked bodies: once it has seen the last
// chunk's "0\r\n" and needed more, put() asserts (aborting debug builds) when handed fewer than
// the five bytes of "0\r\n\r\n" (fixed in later Beast). Holding back fewer than five bytes of a
// chunked body loses nothing: what the parser has not consumed is still buffered, and a chunked
// body always has at least five bytes left until its end ("0\r\n\r\n").
#pragma once

#include <cstddef>

namespace fleetgate {

template <class Parser>
bool chunked_put_is_safe(const Parser& parser, std::size_t buffered) {
  return !(parser.is_header_done() && parser.chunked() && !parser.is_done() && buffered < 5);
}

}  // namespace fleetgate
