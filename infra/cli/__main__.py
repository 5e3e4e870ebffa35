"""`python -m infra.cli`: the `otklik` program, for a checkout without the console script."""

from infra.cli import main

if __name__ == "__main__":
    main()
