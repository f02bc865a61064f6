"""The timing engine every benchmark and gpu_check use: interleaving, warm-up, tables, and that the tools
use it instead of their own timers."""
import math
import re
from pathlib import Path

import pytest

from radio_dense.analysis.timing import format_cell, interleaved_ms, markdown_table, time_ms, wall_seconds

REPO = Path(__file__).resolve().parents[2]


def test_interleaved_runs_warm_up_then_alternates():
    calls = []
    times, outputs = interleaved_ms({'a': lambda: calls.append('a') or 1, 'b': lambda: calls.append('b') or 2},
                                    repeats=3, warmup=1)
    assert calls == ['a', 'b'] + ['a', 'b'] * 3
    assert outputs == {'a': 1, 'b': 2} and all(len(t) == 3 for t in times.values())


def test_time_ms_measures_milliseconds():
    import time
    calls = []
    times = time_ms(lambda: calls.append(time.sleep(0.02)), 'cpu', repeats=2, warmup=1)
    assert len(calls) == 3 and len(times) == 2 and all(15 < t < 1000 for t in times)


def test_wall_seconds_reports_a_failing_command():
    import sys
    with pytest.raises(SystemExit, match='failed'):
        wall_seconds([sys.executable, '-c', 'raise SystemExit(3)'], 1)


def test_markdown_table_and_cells():
    table = markdown_table([{'a': 1.23456, 'b': None}, {'a': math.nan, 'c': 'x'}])
    assert table.splitlines() == ['| a | b | c |', '|---|---|---|', '| 1.235 | - | - |', '| nan | - | x |']
    assert (format_cell(0.0001234), format_cell(2.0), format_cell(123456.0), format_cell(True)) == \
        ('0.000123', '2', '1.23e+05', 'True')


TIMERS = re.compile(r'perf_counter|getloadavg|cuda\.synchronize|statistics\.median')


@pytest.mark.parametrize('path', sorted((REPO / 'tools' / 'analysis').glob('benchmark*.py')) +
                         sorted((REPO / 'radio_dense' / 'analysis').glob('gpu_*.py')), ids=lambda p: p.name)
def test_benchmarks_time_through_the_engine(path):
    assert not TIMERS.findall(path.read_text()), f'{path.name}: time with radio_dense.analysis.timing'
