"""`python -m qwenchat`."""

from qwenchat.cli.app import main

main()
