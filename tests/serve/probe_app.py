"""A stand-in for the app process in the server's security tests.

It records the command line the server gave it (to check which ``--agent`` an
app gets), says textual-serve's hello, and waits for its quit message or the
end of its input, as the real app would. The real app runs in test_browser.py.
"""

import json
import os
import sys
from pathlib import Path

record = Path(os.environ["PROBE_RECORD"])
with record.open("a", encoding="utf-8") as out:
    out.write(json.dumps(sys.argv[1:]) + "\n")
sys.stdout.write("__GANGLION__\n")
sys.stdout.flush()
while True:
    chunk = sys.stdin.buffer.read1(65536)
    if not chunk or b'"quit"' in chunk:
        break
