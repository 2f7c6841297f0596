// The I/O worker threads' heap: every allocation they make is counted (global operator new and
// Asio's aligned_alloc), so that "no allocation per proxied request in the steady state" is
// checked by a test and visible in /metrics, not only stated; and blocks they free are kept for
// reuse by size, so that coroutine frames (Asio recycles only two, of at most 1 KiB) cost no
// malloc/free per request. Kept blocks are poisoned for AddressSanitizer.
#pragma once

#include <cstdint>

namespace fleetgate {

// From now on, this thread's allocations count and its freed blocks are kept for reuse
// (each worker thread calls it once).
void count_heap_allocations_on_this_thread();
// Allocations on the counting threads since the start that reached malloc.
std::uint64_t worker_heap_allocations();

}  // namespace fleetgate
