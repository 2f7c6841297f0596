// Heap allocations made on the HTTP server's I/O worker threads (global operator new counted
// while the thread has asked for it), so that "no allocation per proxied request in the
// steady state" is checked by a test and visible in /metrics, not only stated.
#pragma once

#include <cstdint>

namespace fleetgate {

// From now on, this thread's allocations count (each worker thread calls it once).
void count_heap_allocations_on_this_thread();
// Allocations on the counting threads since the start.
std::uint64_t worker_heap_allocations();

}  // namespace fleetgate
