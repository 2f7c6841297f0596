#include "server/heap_count.h"

#include <atomic>
#include <cstdlib>
#include <new>

namespace fleetgate {

namespace {

std::atomic<std::uint64_t> g_allocations{0};
thread_local bool t_counting = false;

void* allocate(std::size_t n) {
  if (t_counting) g_allocations.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(n ? n : 1);
}

void* allocate_aligned(std::size_t n, std::align_val_t align) {
  if (t_counting) g_allocations.fetch_add(1, std::memory_order_relaxed);
  const auto a = static_cast<std::size_t>(align);
  return std::aligned_alloc(a, (n + a - 1) / a * a);
}

}  // namespace

void count_heap_allocations_on_this_thread() { t_counting = true; }

std::uint64_t worker_heap_allocations() { return g_allocations.load(std::memory_order_relaxed); }

}  // namespace fleetgate

// The replaceable global allocation functions: malloc and free underneath, as the default ones.
void* operator new(std::size_t n) {
  if (void* p = fleetgate::allocate(n)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n) {
  if (void* p = fleetgate::allocate(n)) return p;
  throw std::bad_alloc();
}
void* operator new(std::size_t n, const std::nothrow_t&) noexcept { return fleetgate::allocate(n); }
void* operator new[](std::size_t n, const std::nothrow_t&) noexcept {
  return fleetgate::allocate(n);
}
void* operator new(std::size_t n, std::align_val_t a) {
  if (void* p = fleetgate::allocate_aligned(n, a)) return p;
  throw std::bad_alloc();
}
void* operator new[](std::size_t n, std::align_val_t a) {
  if (void* p = fleetgate::allocate_aligned(n, a)) return p;
  throw std::bad_alloc();
}
void operator delete(void* p) noexcept { std::free(p); }
void operator delete[](void* p) noexcept { std::free(p); }
void operator delete(void* p, std::size_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t) noexcept { std::free(p); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
