"""Project scripts: the shell helpers `make` runs, and Python ones run with -m."""
