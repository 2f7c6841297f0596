// The completion token of the request path's socket operations: errors as values, and the
// operation's memory from the global operator new, which on the I/O threads reuses the blocks
// they freed (server/heap_count.h). Asio's own per-thread cache keeps a few blocks whatever
// their size, so with dozens of connections per thread reads and waits took turns missing it.
#pragma once

#include <boost/asio/as_tuple.hpp>
#include <boost/asio/bind_allocator.hpp>
#include <boost/asio/use_awaitable.hpp>

#include <cstddef>
#include <new>

namespace fleetgate {

template <class T>
struct HeapAllocator {
  using value_type = T;
  HeapAllocator() = default;
  template <class U>
  constexpr HeapAllocator(const HeapAllocator<U>&) noexcept {}  // NOLINT: rebinding is implicit
  T* allocate(std::size_t n) { return static_cast<T*>(::operator new(n * sizeof(T))); }
  void deallocate(T* p, std::size_t n) noexcept { ::operator delete(p, n * sizeof(T)); }
  template <class U>
  bool operator==(const HeapAllocator<U>&) const noexcept {
    return true;
  }
};

inline auto io_token() {
  return boost::asio::bind_allocator(HeapAllocator<void>(),
                                     boost::asio::as_tuple(boost::asio::use_awaitable));
}

}  // namespace fleetgate
