"""Drive a command in a real pseudo-terminal: wait for each expected text, then type the reply.

usage: pty-drive.py SCRIPT_JSON COMMAND...   where SCRIPT_JSON is [[expect, reply], ...]
Prints everything the terminal showed (escape sequences removed) and exits with the command's
status; 3 if an expected text never appeared.
"""
import fcntl
import json
import os
import pty
import re
import select
import struct
import sys
import termios
import time

ESCAPES = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


def main() -> int:
    script = json.loads(sys.argv[1])
    pid, fd = pty.fork()
    if pid == 0:
        # the terminal's size (PTY_ROWS x PTY_COLS), set before the program starts
        rows, cols = int(os.environ.get("PTY_ROWS", "0")), int(os.environ.get("PTY_COLS", "0"))
        if rows and cols:
            fcntl.ioctl(0, termios.TIOCSWINSZ, struct.pack("HHHH", rows, cols, 0, 0))
        os.execvp(sys.argv[2], sys.argv[2:])
    seen = b""

    def shown() -> str:
        return ESCAPES.sub("", seen.decode("utf8", "replace"))

    def read(timeout: float) -> bool:
        nonlocal seen
        ready, _, _ = select.select([fd], [], [], timeout)
        if not ready:
            return True
        try:
            data = os.read(fd, 4096)
        except OSError:
            return False
        seen += data
        return bool(data)

    for expect, reply in script:
        end = time.time() + 20
        # only text shown after the previous reply counts, so a repeated prompt is waited for
        start = len(shown())
        while expect not in shown()[start:]:
            if time.time() > end or not read(0.1):
                sys.stdout.write(shown())
                print(f"\npty-drive: timed out waiting for {expect!r}")
                return 3
        os.write(fd, reply.encode())
    while read(5):
        pass
    _, status = os.waitpid(pid, 0)
    sys.stdout.write(shown())
    return os.waitstatus_to_exitcode(status)


sys.exit(main())
