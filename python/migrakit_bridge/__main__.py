"""``python -m migrakit_bridge``: serve requests until stdin closes."""

from .server import main

main()
