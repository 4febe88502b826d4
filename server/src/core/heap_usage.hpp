#pragma once
// Bytes the process has allocated and not freed: what an idle connection costs, counted rather than
// timed. Under AddressSanitizer its allocator's own counter (user bytes, no redzones), else
// glibc's.
#include <cstddef>

#if defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CIRCLECDN_ASAN 1
#endif
#endif
#if defined(__SANITIZE_ADDRESS__)
#define CIRCLECDN_ASAN 1
#endif

#ifdef CIRCLECDN_ASAN
// Declared here: gcc does not install clang's <sanitizer/allocator_interface.h>.
extern "C" std::size_t __sanitizer_get_current_allocated_bytes();
#else
#include <malloc.h>
#endif

namespace circlecdn {

inline std::size_t heap_bytes_in_use() {
#ifdef CIRCLECDN_ASAN
  return __sanitizer_get_current_allocated_bytes();
#else
  return mallinfo2().uordblks;
#endif
}

}  // namespace circlecdn
