"""The suite runs however it is started: from a terminal, a script, CI, or a parent that
ignores Ctrl-C (`nohup`, `trap "" INT`, a job put in the background by a non-interactive shell)."""

from __future__ import annotations

import signal
import subprocess
import sys


def test_the_processes_the_suite_starts_can_be_interrupted() -> None:
    # Python installs its own SIGINT handler only when the signal was not ignored at startup
    probe = "import signal; print(signal.getsignal(signal.SIGINT) is signal.default_int_handler)"
    done = subprocess.run(
        [sys.executable, "-c", probe], capture_output=True, text=True, timeout=30, check=True
    )
    assert done.stdout.strip() == "True"
    assert signal.getsignal(signal.SIGINT) is not signal.SIG_IGN
