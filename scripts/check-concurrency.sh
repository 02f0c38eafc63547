#!/usr/bin/env bash
# Concurrency in one style (docs/architecture.md, "Concurrency"): Mutex is the tree's one lock
# type, long-running work is a Service in the process's ServiceGroup (never a detached task),
# and a thread waits on a semaphore rather than sleeping in a loop.
set -euo pipefail
cd "$(dirname "$0")/.."
found=0
check() {
    local pattern="$1" why="$2"
    shift 2
    if grep -rnE --include='*.swift' "$pattern" "${@:-Shared}" --exclude-dir=Bench; then
        echo "^ $why" >&2
        found=1
    fi
}
# Everywhere (the benchmarks too, for the locks).
check 'NSLock|NSCondition|NSRecursiveLock|os_unfair_lock|pthread_mutex' 'use Mutex (Synchronization), the one lock type' \
    Shared Services Tests Fuzz/Sources Services/Bench/*.swift
check 'Task\.detached' 'long-running work is a Service in the ServiceGroup; no detached tasks' Shared Services Tests
# The product and its tests (a benchmark's baseline may pause once to let a socket settle).
check 'Thread\.sleep' 'wait on a semaphore (or a Gate in tests), not in a sleep loop' Shared Services Tests
exit $found
