"""The benchmarks' arithmetic and table: percentiles, ratios, the notes."""

import pytest

from bench.common import Figure, percentile, table


@pytest.mark.parametrize(
    ("fraction", "expected"), [(0.5, 50.0), (0.95, 95.0), (1.0, 100.0), (0.01, 1.0)]
)
def test_percentiles_are_nearest_rank(fraction: float, expected: float) -> None:
    values = [float(n) for n in range(100, 0, -1)]

    assert percentile(values, fraction) == expected


def test_the_p95_of_thirty_is_the_second_slowest() -> None:
    values = [float(n) for n in range(1, 31)]

    assert percentile(values, 0.95) == 29.0


def test_a_cost_ratio_is_the_portal_over_the_floor() -> None:
    figure = Figure("latency", "s", portal=0.9, floor=0.3, floor_is="bare page")

    assert figure.ratio == pytest.approx(3.0)


def test_a_rate_ratio_is_the_floor_over_the_portal() -> None:
    figure = Figure(
        "throughput",
        "req/s",
        portal=25,
        floor=100,
        floor_is="bare",
        higher_is_better=True,
    )

    assert figure.ratio == pytest.approx(4.0)


def test_the_table_shows_both_figures_the_ratio_and_numbered_notes() -> None:
    figures = [
        Figure("sign-in p50", "s", 0.858, 0.378, "a bare page"),
        Figure("page weight", "B", 345_088, 336_896, "blank app", note="22 responses"),
        Figure(
            "completed", "", 199, 200, "IA alone", higher_is_better=True, note="1 lost"
        ),
    ]

    lines = table(figures).splitlines()

    assert lines[2] == "| sign-in p50 | 858 ms | 378 ms | 2.27× | a bare page |"
    assert lines[3] == "| page weight (1) | 337 KiB | 329 KiB | 1.02× | blank app |"
    assert lines[4] == "| completed (2) | 199 | 200 | 1.01× | IA alone |"
    assert lines[-2:] == ["(1) 22 responses", "(2) 1 lost"]
