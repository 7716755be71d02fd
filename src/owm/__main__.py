"""`python -m owm`: the same command as the `owm` script."""

from owm.cli.launch import main

main()
