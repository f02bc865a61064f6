"""The one ``__main__`` of the tools: errors written for the user print as one line, not a traceback.

radio_dense's own errors (``RadioCheckpointError``, ``SamDecoderCheckpointError``, ``ResumeError``,
``CheckpointMismatchError``, ``PromptError``...) and missing or unreadable paths already say what is
wrong and how to fix it; a 46-line traceback above that message hides it. Other exceptions are bugs:
they keep their traceback. ``--debug`` (any tool) or ``RADIO_DENSE_DEBUG=1`` shows every traceback.
Standard library only.
"""
import os
import sys
from typing import Callable, Optional, Sequence

#: OS errors about a path the user gave: their message names the path
PATH_ERRORS = (FileNotFoundError, IsADirectoryError, NotADirectoryError, PermissionError)


def is_user_error(err: BaseException) -> bool:
    """Whether ``err`` carries a message meant for the user: one of radio_dense's error classes or a path error."""
    module = type(err).__module__ or ''
    return isinstance(err, PATH_ERRORS) or module.split('.')[0] in ('radio_dense', 'apps', 'tools')


def run_main(main: Callable[[Optional[Sequence[str]]], Optional[int]], argv: Optional[Sequence[str]] = None) -> int:
    """Run a tool's ``main(argv)`` (``argv`` defaults to the command line, ``--debug`` taken out) and return its
    exit status; a user error prints ``<tool>: error: <message>`` on stderr and returns 1."""
    argv = list(sys.argv[1:] if argv is None else argv)
    debug = '--debug' in argv or os.environ.get('RADIO_DENSE_DEBUG', '') not in ('', '0')
    argv = [a for a in argv if a != '--debug']
    try:
        return main(argv) or 0
    except Exception as err:
        if debug or not is_user_error(err):
            raise
        tool = os.path.basename(sys.argv[0]) or 'radio_dense'
        print(f'{tool}: error: {err}\n(run again with --debug for the traceback)', file=sys.stderr)
        return 1
