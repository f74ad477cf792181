#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""snapshot.py HOST PORT USER PASSWORD: one line per message of the
mailbox, "UID SHA-256", sorted by UID, read over POP3 (UIDL, RETR) and
left as it was (QUIT without DELE)."""
import hashlib
import poplib
import sys


def main():
    host, port, user, password = sys.argv[1:5]
    box = poplib.POP3(host, int(port), timeout=30)
    box.user(user)
    box.pass_(password)
    lines = []
    for entry in box.uidl()[1]:
        num, uid = entry.decode().split(" ", 1)
        body = b"\r\n".join(box.retr(int(num))[1])
        lines.append("%s %s" % (uid, hashlib.sha256(body).hexdigest()))
    box.quit()
    print("\n".join(sorted(lines)))


if __name__ == "__main__":
    main()
