#pragma once
// std::vector for the large per-peer and per-resource arrays. Blocks of 2 MiB and more are
// aligned to 2 MiB and marked MADV_HUGEPAGE: the simulator touches hundreds of MiB at random
// (one peer, then another), and with 4 KiB pages most of those touches also miss the TLB.
// Debian's default THP mode is "madvise", so without the hint no huge pages are used.
#include <sys/mman.h>

#include <cstdlib>
#include <new>
#include <vector>

namespace circlecdn::sim {

template <class T>
struct huge_page_allocator {
  using value_type = T;
  static constexpr std::size_t huge_page_bytes = std::size_t{2} << 20;

  huge_page_allocator() = default;
  template <class U>
  huge_page_allocator(const huge_page_allocator<U>&) {}

  T* allocate(std::size_t n) {
    const std::size_t bytes = n * sizeof(T);
    if (bytes < huge_page_bytes) {
      return static_cast<T*>(::operator new (bytes, std::align_val_t{alignof(T)}));
    }
    const std::size_t rounded = (bytes + huge_page_bytes - 1) / huge_page_bytes * huge_page_bytes;
    void* p = std::aligned_alloc(huge_page_bytes, rounded);
    if (p == nullptr) throw std::bad_alloc();
    ::madvise(p, rounded, MADV_HUGEPAGE);
    return static_cast<T*>(p);
  }
  void deallocate(T* p, std::size_t n) {
    if (n * sizeof(T) < huge_page_bytes) {
      ::operator delete (p, std::align_val_t{alignof(T)});
    } else {
      std::free(p);
    }
  }
  template <class U>
  bool operator==(const huge_page_allocator<U>&) const {
    return true;
  }
};

template <class T>
using big_vector = std::vector<T, huge_page_allocator<T>>;

}  // namespace circlecdn::sim
