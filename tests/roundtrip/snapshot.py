#!/usr/bin/env python3
# SPDX-License-Identifier: MIT
"""snapshot.py HOST PORT USER PASSWORD [--count]: one line per message
of the mailbox, "UID SHA-256", sorted by UID, read over POP3 (UIDL, RETR)
and left as it was (QUIT without DELE); with --count only the number of
messages (STAT). The password comes from the environment if PASSWORD is
"-" (POP3_PASSWORD)."""
import hashlib
import os
import poplib
import sys


def main():
    host, port, user, password = sys.argv[1:5]
    if password == "-":
        password = os.environ["POP3_PASSWORD"]
    box = poplib.POP3(host, int(port), timeout=30)
    box.user(user)
    box.pass_(password)
    if sys.argv[5:] == ["--count"]:
        print(box.stat()[0])
        box.quit()
        return
    lines = []
    for entry in box.uidl()[1]:
        num, uid = entry.decode().split(" ", 1)
        body = b"\r\n".join(box.retr(int(num))[1])
        lines.append("%s %s" % (uid, hashlib.sha256(body).hexdigest()))
    box.quit()
    print("\n".join(sorted(lines)))


if __name__ == "__main__":
    main()
