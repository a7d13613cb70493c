# Drives an interactive psql (readline on a pty) the way an analyst types:
# each argument is a line of keystrokes ("\t\t" asks for completions), and
# what psql echoes after each one is printed, between "## n" markers, for
# the Go test to check. Connection settings come from the PG* environment,
# the psql binary from PSQL.
import os
import pty
import select
import sys
import time


def read(fd, seconds):
    out = b""
    end = time.time() + seconds
    while time.time() < end:
        ready, _, _ = select.select([fd], [], [], 0.1)
        if ready:
            try:
                chunk = os.read(fd, 4096)
            except OSError:
                break
            if not chunk:
                break
            out += chunk
    return out


pid, fd = pty.fork()
if pid == 0:
    psql = os.environ.get("PSQL", "psql")
    os.execvp(psql, [psql, "-X"])
read(fd, 3)
for i, keys in enumerate(sys.argv[1:]):
    # ^U clears what the previous line left on the prompt.
    os.write(fd, b"\x15" + keys.encode().decode("unicode_escape").encode())
    sys.stdout.write("## %d\n%s\n" % (i, read(fd, 3).decode(errors="replace")))
os.write(fd, b"\x15\\q\r")
read(fd, 1)
