"""``python -m provenance``: the same CLI as the ``provenance`` command."""

from .cli import main

if __name__ == "__main__":
    main()
