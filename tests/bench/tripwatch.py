#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""tripwatch.py MAILDIR RUNS POLL_S -- TRIPFIGS_COMMAND...: the accuracy
of a round trip's delivery time. Watches MAILDIR/new with inotify (libc
through ctypes: nothing to install) and runs TRIPFIGS_COMMAND, which
prints one line per round trip ("delivered delivery_us submitted_at_ms
polls poll_ms", tests/tools/tripfigs). For each round trip the true
delivery time is when its file appeared in new/ (Dovecot's LMTP renames
it there) minus when the server took it (the 250), both on this host's
wall clock; the reported one is the library's. Prints the lateness
(reported - true) per run as a summary and one verdict line:
  late by at most one poll interval + 50 ms, over RUNS round trips.
Exit 0 even when the target is missed; 1 when a run did not deliver."""
import ctypes
import os
import struct
import subprocess
import sys
import threading
import time

IN_CREATE, IN_MOVED_TO = 0x100, 0x80


class Watch:
    """The times (Unix ms) at which files appear in a folder, in order."""

    def __init__(self, folder):
        self.libc = ctypes.CDLL(None, use_errno=True)
        self.fd = self.libc.inotify_init()
        if self.fd < 0:
            raise OSError(ctypes.get_errno(), "inotify_init")
        if self.libc.inotify_add_watch(self.fd, folder.encode(),
                                       IN_CREATE | IN_MOVED_TO) < 0:
            raise OSError(ctypes.get_errno(), "inotify_add_watch")
        self.times = []
        self.lock = threading.Lock()
        threading.Thread(target=self.run, daemon=True).start()

    def run(self):
        while True:
            buf = os.read(self.fd, 65536)
            now = time.time() * 1000
            off = 0
            while off + 16 <= len(buf):
                _, mask, _, namelen = struct.unpack_from("iIII", buf, off)
                off += 16 + namelen
                if mask & (IN_CREATE | IN_MOVED_TO):
                    with self.lock:
                        self.times.append(now)

    def take(self):
        with self.lock:
            return self.times.pop(0) if self.times else None


def main():
    maildir, runs, poll = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
    cmd = sys.argv[sys.argv.index("--") + 1:]
    watch = Watch(os.path.join(maildir, "new"))
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, text=True)
    late, failed = [], 0
    for line in proc.stdout:
        delivered, us, at, polls, _ = (int(x) for x in line.split())
        appeared = None
        for _ in range(100):
            appeared = watch.take()
            if appeared is not None:
                break
            time.sleep(0.01)
        if not delivered or appeared is None:
            failed += 1
            continue
        late.append(us / 1000.0 - (appeared - at))
    proc.wait()
    if not late:
        print("tripwatch: no round trip delivered")
        return 1
    late.sort()
    bound = poll * 1000 + 50
    worst = late[-1]
    print("delivery time reported minus true (ms), %d round trips, poll %.1f s:"
          % (len(late), poll))
    print("  min %.1f  median %.1f  p95 %.1f  max %.1f"
          % (late[0], late[len(late) // 2], late[int(len(late) * 0.95)], worst))
    print("target: late by at most one poll interval + 50 ms (%.0f ms): %s"
          % (bound, "PASS" if worst <= bound and late[0] >= -50 else "MISS"))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
