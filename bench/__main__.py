"""`python -m bench`: the whole suite in one command (see bench/README.md)."""

from bench.cli import main

if __name__ == "__main__":
    main()
