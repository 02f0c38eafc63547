#include "heap.h"
#if defined(__GLIBC__)
#include <malloc.h>
#endif

crm_heap_usage crm_heap_usage_now(void) {
    crm_heap_usage usage = {0, 0};
#if defined(__GLIBC__) && (__GLIBC__ > 2 || (__GLIBC__ == 2 && __GLIBC_MINOR__ >= 33))
    struct mallinfo2 info = mallinfo2();
    // uordblks: in use in the arenas; hblkhd: large blocks mapped on their own (always in use).
    usage.in_use = (uint64_t)info.uordblks + (uint64_t)info.hblkhd;
    usage.free = (uint64_t)info.fordblks;
#endif
    return usage;
}

int crm_heap_trim(void) {
#if defined(__GLIBC__)
    return malloc_trim(0);
#else
    return 0;
#endif
}
