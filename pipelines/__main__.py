"""`python -m pipelines` runs the same CLI as the `atlas` console script."""

from pipelines.cli import app

app(prog_name="atlas")
