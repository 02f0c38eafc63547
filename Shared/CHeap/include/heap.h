#ifndef CRM_HEAP_H
#define CRM_HEAP_H
#include <stdint.h>

/// What the C allocator holds for this process, in bytes (glibc's mallinfo2; zeros elsewhere).
typedef struct {
    /// Allocated and not yet freed: what the program holds.
    uint64_t in_use;
    /// Freed but kept by the allocator for reuse (counted in the process's resident memory
    /// where its pages were touched).
    uint64_t free;
} crm_heap_usage;

crm_heap_usage crm_heap_usage_now(void);

/// Gives freed pages back to the system (glibc's malloc_trim(0)); 1 if any were given back.
int crm_heap_trim(void);

#endif
