"""`python -m owm`: the same command as the `owm` script."""

from owm.launch import main

main()
