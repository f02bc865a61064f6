"""A readable console for a tool that runs other tools: their multi-line INFO dumps folded, each warning once.

mmengine's Runner logs the whole environment and config as one INFO message of hundreds of lines,
and the same library warnings come again from every process that builds a model. :func:`run_folded`
runs a child command, prints its output without the continuation lines of INFO messages (its
one-line INFO records, every WARNING/ERROR, tracebacks and anything else pass), and without a Python
warning it already printed; :func:`warn_once_more_quietly` keeps warnings seen in children out of
this process's own output. Nothing is lost: mmengine writes the full log to the work_dir.
"""
import re
import subprocess
import sys
import warnings
from typing import Sequence, Set, Tuple

_MMENGINE_RECORD = re.compile(r'^\d\d/\d\d \d\d:\d\d:\d\d - \S+ - ([A-Z]+) - ')
_PYTHON_WARNING = re.compile(r':\d+: (\w*Warning): (.*)$')
#: ``(category, message)`` of every Python warning printed so far (children and this process).
SEEN_WARNINGS: Set[Tuple[str, str]] = set()


def run_folded(cmd: Sequence[str]) -> Tuple[int, int]:
    """Run ``cmd`` (stdout and stderr merged) printing its folded output; returns ``(returncode, lines hidden)``."""
    proc = subprocess.Popen(list(cmd), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1)
    hidden, inside = 0, 'OTHER'  # inside: what the current line continues (an INFO record, a warning, ...)
    for line in proc.stdout:
        record, warning = _MMENGINE_RECORD.match(line), _PYTHON_WARNING.search(line.rstrip('\n'))
        if record:
            inside = record.group(1)
        elif warning:
            key = (warning.group(1), warning.group(2).strip())
            inside = 'SEEN_WARNING' if key in SEEN_WARNINGS else 'WARNING'
            SEEN_WARNINGS.add(key)
        elif line.startswith('Traceback'):
            inside = 'OTHER'
        elif inside == 'WARNING' and not line.startswith(' '):
            inside = 'OTHER'  # a warning is its line plus the indented source line
        if inside in ('INFO', 'SEEN_WARNING') and not record:
            hidden += 1
            continue
        sys.stdout.write(line)
        sys.stdout.flush()
    return proc.wait(), hidden


def warn_once_more_quietly() -> None:
    """From now on this process does not print a warning that a child (or itself) already printed."""
    show = warnings.showwarning

    def show_new(message, category, filename, lineno, file=None, line=None):
        key = (category.__name__, str(message).strip())
        if key not in SEEN_WARNINGS:
            SEEN_WARNINGS.add(key)
            show(message, category, filename, lineno, file, line)
    warnings.showwarning = show_new
