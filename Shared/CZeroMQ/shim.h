#ifndef CZEROMQ_SHIM_H
#define CZEROMQ_SHIM_H
#include <zmq.h>
#include <sys/eventfd.h>
#include <errno.h>
#include <unistd.h>

/* errno is a macro on glibc; Swift cannot always read it directly. */
static inline int czmq_errno(void) { return errno; }
#endif
