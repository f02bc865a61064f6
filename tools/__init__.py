"""radio_dense command-line tools: the repository's ``tools/`` folder, installed as ``radio_dense.tools``.

Run them as ``python -m radio_dense.tools.<tool>``, as the ``radio-*`` console commands, or from a
checkout as ``python tools/<tool>.py``. Every tool imports this package before anything heavy, so the
process settings below apply before torch loads (``import radio_dense`` itself does not load torch).
Shared code lives in :mod:`radio_dense.tools.common` and :mod:`radio_dense.tools.tool_args`.
"""
import os

#: process settings every tool applies unless the user set them
TOOL_ENV = {
    # Idle OpenMP threads sleep instead of spinning: on busy CPUs spinning threads make torch many
    # times slower (tools/test.py on a loaded 2-core machine: 36.3 s spinning, 9.1 s passive).
    'OMP_WAIT_POLICY': 'PASSIVE',
}
for _name, _value in TOOL_ENV.items():
    os.environ.setdefault(_name, _value)
