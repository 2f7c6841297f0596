#include "server/heap_count.h"

#include <atomic>
#include <cstddef>
#include <cstdlib>
#include <new>

#include <malloc.h>

#include <sanitizer/asan_interface.h>  // kept blocks are poisoned: a use after free still shows

namespace fleetgate {

namespace {

std::atomic<std::uint64_t> g_allocations{0};
thread_local bool t_counting = false;

// Freed blocks by size class (multiples of 64 bytes up to 16 KiB), at most 4 MiB per thread.
constexpr std::size_t kGrain = 64;
constexpr std::size_t kClasses = 256;
constexpr std::size_t kMaxKept = std::size_t{4} << 20;

thread_local bool t_keeping = false;  // trivially destructible: readable after ~KeptBlocks

struct KeptBlocks {
  struct Block {
    Block* next;
  };
  Block* free[kClasses + 1] = {};
  std::size_t bytes = 0;

  ~KeptBlocks() {
    t_keeping = false;  // what later thread-exit code frees goes straight back to malloc
    for (Block* head : free) {
      while (head) {
        ASAN_UNPOISON_MEMORY_REGION(head, sizeof(Block));
        Block* next = head->next;
        std::free(head);
        head = next;
      }
    }
  }
};
thread_local KeptBlocks t_kept;

void* take_kept(std::size_t n) {
  const std::size_t c = (n + kGrain - 1) / kGrain;
  if (c == 0 || c > kClasses) return nullptr;
  KeptBlocks::Block* b = t_kept.free[c];
  if (b == nullptr) return nullptr;
  ASAN_UNPOISON_MEMORY_REGION(b, c * kGrain);
  t_kept.free[c] = b->next;
  t_kept.bytes -= c * kGrain;
  return b;
}

// Filed by what the block can hold, so that any block in class c holds c * 64 bytes. `size`:
// what it was asked for with (sized delete; operator new rounded it up to its class on every
// thread), else 0: then malloc says.
bool keep(void* p, std::size_t size) {
  const std::size_t c = size != 0 ? (size + kGrain - 1) / kGrain : ::malloc_usable_size(p) / kGrain;
  if (c == 0 || c > kClasses || t_kept.bytes + c * kGrain > kMaxKept) return false;
  auto* b = static_cast<KeptBlocks::Block*>(p);
  b->next = t_kept.free[c];
  t_kept.free[c] = b;
  t_kept.bytes += c * kGrain;
  ASAN_POISON_MEMORY_REGION(p, c * kGrain);
  return true;
}

void* allocate(std::size_t n) {
  if (t_keeping)
    if (void* p = take_kept(n)) return p;
  // Rounded up to its class on every thread: a block made elsewhere and freed (sized) on an
  // I/O thread holds what its class promises.
  if (n <= kGrain * kClasses) n = (n + kGrain - 1) / kGrain * kGrain;
  if (t_counting) g_allocations.fetch_add(1, std::memory_order_relaxed);
  return std::malloc(n ? n : 1);
}

void release(void* p, std::size_t size = 0) {
  if (p != nullptr && t_keeping && keep(p, size)) return;
  std::free(p);
}

void* allocate_aligned(std::size_t n, std::align_val_t align) {
  if (t_counting) g_allocations.fetch_add(1, std::memory_order_relaxed);
  const auto a = static_cast<std::size_t>(align);
  return ::memalign(a, (n + a - 1) / a * a);
}

}  // namespace

void count_heap_allocations_on_this_thread() {
  t_counting = true;
  t_keeping = true;
}

std::uint64_t worker_heap_allocations() { return g_allocations.load(std::memory_order_relaxed); }

}  // namespace fleetgate

#if !defined(__SANITIZE_ADDRESS__)  // AddressSanitizer replaces aligned_alloc itself
// Asio's own handler memory comes from aligned_alloc, not operator new: counted too.
extern "C" void* aligned_alloc(std::size_t align, std::size_t n) {
  if (fleetgate::t_counting) fleetgate::g_allocations.fetch_add(1, std::memory_order_relaxed);
  return ::memalign(align, n);
}
#endif

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
void operator delete(void* p) noexcept { fleetgate::release(p); }
void operator delete[](void* p) noexcept { fleetgate::release(p); }
void operator delete(void* p, std::size_t n) noexcept { fleetgate::release(p, n); }
void operator delete[](void* p, std::size_t n) noexcept { fleetgate::release(p, n); }
void operator delete(void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::align_val_t) noexcept { std::free(p); }
void operator delete(void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
void operator delete[](void* p, std::size_t, std::align_val_t) noexcept { std::free(p); }
