#!/usr/bin/env python3
"""Summarises a dotnet-trace stack-sampling trace (converted to Speedscope JSON) for bench/profile.sh.

dotnet-trace's sampler records every managed thread, running or blocked, so its own topN is mostly wait functions.
This splits each thread's sampled time by the innermost frame: a wait (a blocked thread: thread-pool idle, socket
epoll, Monitor.Wait, a sync wait on a Task) or running/runnable managed code. Then it lists where the running time
goes (by innermost frame, and by the operator's and its libraries' methods on the stack), and which of the
operator's methods a blocking wait on a Task sits under (sync-over-async holds a thread-pool thread).

usage: profile_stacks.py TRACE.speedscope.json [N]
"""
import collections
import json
import re
import sys

WAIT = re.compile(
    r"LowLevelLifoSemaphore|WaitHandle\.Wait|WaitOneNoCheck|Monitor\.Wait|ManualResetEventSlim\.Wait|SemaphoreSlim\.Wait\b"
    r"|Thread\.Sleep|Interop\+Sys\.(Read|WaitForSocketEvents|Poll)|SocketAsyncEngine\.EventLoop|Thread\.Join"
    r"|SpinWait|Task\.SpinThenBlockingWait|Task\.InternalWait|UNMANAGED_CODE_TIME|Interop\+Sys\.Accept|CLR_WAIT"
)
SYNC_WAIT = re.compile(r"Task\.InternalWait|TaskAwaiter\.HandleNonSuccessAndDebuggerNotification|Task`1\.get_Result|Task\.Wait\(")
OURS = re.compile(r"^(ImageBuilder\.Operator|KubernetesClient|RabbitMQ\.Client)!")


def short(name, width=150):
    name = re.sub(r"^[\w.]+!", "", name)
    name = re.sub(r"System\.Runtime\.CompilerServices\.AsyncTaskMethodBuilder`1\+AsyncStateMachineBox`1\[[^\]]*\]", "StateMachineBox", name)
    return name if len(name) <= width else name[: width - 3] + "..."


def main():
    data = json.load(open(sys.argv[1]))
    top = int(sys.argv[2]) if len(sys.argv) > 2 else 25
    frames = [f["name"] for f in data["shared"]["frames"]]
    stacks = collections.Counter()
    for profile in data["profiles"]:
        stack, last = [], None
        for event in profile.get("events", []):
            if stack and last is not None:
                stacks[tuple(stack)] += event["at"] - last
            last = event["at"]
            if event["type"] == "O":
                stack.append(event["frame"])
            elif stack:
                stack.pop()
    total = sum(stacks.values())
    waiting = collections.Counter()
    running_leaf = collections.Counter()
    running_ours = collections.Counter()
    sync_callers = collections.Counter()
    for stack, ms in stacks.items():
        names = [frames[f] for f in stack]
        # The converter ends each sample with a pseudo-frame: CPU_TIME (managed code on the stack was running or
        # runnable) or UNMANAGED_CODE_TIME (the thread was in native code: mostly a wait, also syscalls and the GC).
        kind = names[-1] if names[-1] in ("CPU_TIME", "UNMANAGED_CODE_TIME") else ""
        inner = names[:-1] if kind else names
        leaf = next((n for n in reversed(inner) if not n.startswith("Thread (") and n not in ("Threads", "(Non-Activities)")), names[-1])
        if kind == "UNMANAGED_CODE_TIME" or any(WAIT.search(n) for n in inner[-3:]):
            waiting[short(leaf, 80)] += ms
            if any(SYNC_WAIT.search(n) for n in names):
                caller = next((n for n in reversed(inner) if n.startswith("ImageBuilder.Operator!")), None) or next(
                    (n for n in reversed(inner) if not n.startswith("System.")), leaf)
                sync_callers[short(caller)] += ms
            continue
        running_leaf[short(leaf)] += ms
        for name in set(names):
            if OURS.search(name) and "MoveNext" not in name:
                running_ours[short(name)] += ms
    run = sum(running_leaf.values())
    print(f"sampled thread time {total / 1000:.1f} s over all threads: blocked {sum(waiting.values()) / 1000:.1f} s, "
          f"in managed code (running or runnable) {run / 1000:.2f} s; native time (syscalls, TLS, the GC, JIT) counts as blocked here")
    print()
    print(f"### Running: top {top} innermost frames (exclusive), ms and share of running time")
    for name, ms in running_leaf.most_common(top):
        print(f"{ms:9.1f} {100 * ms / max(run, 1e-9):5.1f}%  {name}")
    print()
    print(f"### Running: top {top} methods of the operator, KubernetesClient and RabbitMQ.Client on the stack (inclusive)")
    for name, ms in running_ours.most_common(top):
        print(f"{ms:9.1f} {100 * ms / max(run, 1e-9):5.1f}%  {name}")
    print()
    print("### Blocked on a Task synchronously (sync-over-async holds a pool thread), by the innermost operator method")
    if not sync_callers:
        print("  (none)")
    for name, ms in sync_callers.most_common(10):
        print(f"{ms:9.1f}  {name}")
    print()
    print("### Blocked or native: top innermost managed frames")
    for name, ms in waiting.most_common(12):
        print(f"{ms:9.1f}  {name}")


if __name__ == "__main__":
    main()
