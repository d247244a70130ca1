"""`python -m app.cli …` runs the same CLI as the `rolodex` console script."""

from app.cli import main

main()
