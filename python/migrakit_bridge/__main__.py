"""``python -m migrakit_bridge``: serve requests until stdin closes."""

import faulthandler
import signal

from .server import main

# SIGUSR1 writes every thread's stack to stderr without stopping anything: when a request hangs (an ORM
# import waiting on a network share, a lock), the TS side asks where, and shows it on the terminal.
if hasattr(signal, "SIGUSR1"):
    faulthandler.register(signal.SIGUSR1, all_threads=True)

main()
