"""`python -m qwenchat`."""

from qwenchat.cli import main

main()
