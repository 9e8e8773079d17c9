"""Run lm3 from a checkout without installing it: ``python cli.py calculate ...``."""

from lm3.cli import main

if __name__ == "__main__":
    main()
