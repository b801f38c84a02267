"""`make bench`: every benchmark, one after another, and one table of figures.

Each benchmark starts the programs it needs and measures the portal beside its
floor in the same run (see each module). `--readme` also writes the table, with
the machine it ran on, between the benchmark markers of README.md.

Usage: `.venv/bin/python -m bench [--rounds N] [--readme]`.
"""

from __future__ import annotations

import argparse
import datetime
import re

from bench import (
    callback_throughput,
    cold_start,
    concurrent_signins,
    page_weight,
    signin_latency,
)
from bench.common import Figure, machine, table
from tests.e2e.stack import ROOT

README = ROOT / "README.md"
BEGIN, END = "<!-- bench:begin -->", "<!-- bench:end -->"


def run(rounds: int, requests: int, signins: int, starts: int) -> list[Figure]:
    figures = []
    for name, measure in [
        ("sign-in latency", lambda: signin_latency.measure(rounds)),
        ("callback throughput", lambda: callback_throughput.measure(requests)),
        ("concurrent sign-ins", lambda: concurrent_signins.measure(signins)),
        ("page weight", page_weight.measure),
        ("cold start", lambda: cold_start.measure(starts)),
    ]:
        print(f"running: {name}", flush=True)
        figures.extend(measure())
    return figures


def write_readme(text: str) -> None:
    """Replace what stands between the markers of README.md with `text`."""
    readme = README.read_text()
    pattern = re.compile(f"{re.escape(BEGIN)}.*?{re.escape(END)}", re.S)
    if not pattern.search(readme):
        raise SystemExit(f"README.md has no {BEGIN} … {END} section")
    README.write_text(pattern.sub(lambda _: f"{BEGIN}\n{text}\n{END}", readme))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=30, help="sign-ins each")
    parser.add_argument("--requests", type=int, default=640, help="per round")
    parser.add_argument("--signins", type=int, default=200, help="concurrent")
    parser.add_argument("--starts", type=int, default=3, help="cold starts each")
    parser.add_argument("--readme", action="store_true", help="write README.md")
    args = parser.parse_args()

    figures = run(args.rounds, args.requests, args.signins, args.starts)
    day = datetime.date.today().isoformat()
    text = f"Measured {day} on {machine()}.\n\n{table(figures)}"
    print(f"\n{text}")
    if args.readme:
        write_readme(text)
        print("\nREADME.md updated.")


if __name__ == "__main__":
    main()
