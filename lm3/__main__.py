"""``python -m lm3``: the same as the ``lm3`` command."""

from lm3.cli import main

if __name__ == "__main__":
    main()
