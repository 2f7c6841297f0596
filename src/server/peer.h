// What a handler may know of a client's address before it reads the request's body.
#pragma once

#include <string>

namespace fleetgate {

struct Peer {
  bool loopback = false;  // 127.0.0.0/8, ::1, or IPv4-mapped loopback on a [::] listener
  std::string address;    // as text, for the request log ("" when unknown)
};

}  // namespace fleetgate
