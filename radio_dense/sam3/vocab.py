"""Find the CLIP BPE vocabulary (``bpe_simple_vocab_16e6.txt.gz``) that SAM3's tokenizer needs.

``sam3`` 0.1.4's wheel does not ship the file that ``build_sam3_image_model`` points at
(``<site-packages>/assets/``). The same file (OpenAI CLIP's vocabulary, byte-identical in every
copy) ships inside other installed packages; mmsegmentation's is always there in radio_dense's
environment. The search never imports those packages, it only looks at their folders.
"""
import importlib.util
import os
from pathlib import Path
from typing import List, Optional

BPE_FILENAME = 'bpe_simple_vocab_16e6.txt.gz'
#: Environment variable that points at the vocabulary explicitly.
BPE_ENV = 'SAM3_BPE_PATH'
# (package, path of the file inside the package folder)
_PACKAGE_COPIES = (
    ('sam3', os.path.join('..', 'assets', BPE_FILENAME)),  # where sam3's own builder looks (absent in 0.1.4)
    ('sam3', os.path.join('assets', BPE_FILENAME)),
    ('mmseg', os.path.join('utils', BPE_FILENAME)),
    ('open_clip', BPE_FILENAME),
    ('clip', BPE_FILENAME),
)


def _package_dir(name: str) -> Optional[Path]:
    try:
        spec = importlib.util.find_spec(name)
    except (ImportError, ValueError):
        return None
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(list(spec.submodule_search_locations)[0])


def candidate_paths() -> List[Path]:
    """Every place :func:`locate_bpe_vocab` looks, in order (existing or not)."""
    paths = []
    if os.environ.get(BPE_ENV):
        paths.append(Path(os.environ[BPE_ENV]))
    for package, relative in _PACKAGE_COPIES:
        folder = _package_dir(package)
        if folder is not None:
            paths.append((folder / relative).resolve())
    return paths


def locate_bpe_vocab(path: Optional[str] = None) -> str:
    """The path of the BPE vocabulary: ``path`` if given, else ``$SAM3_BPE_PATH``, else an installed copy.

    Raises ``FileNotFoundError`` listing where it looked and how to provide the file.
    """
    if path is not None:
        if not os.path.isfile(path):
            raise FileNotFoundError(f'BPE vocabulary {path} does not exist')
        return str(path)
    tried = candidate_paths()
    for candidate in tried:
        if candidate.is_file():
            return str(candidate)
    raise FileNotFoundError(
        f'SAM3 needs the CLIP BPE vocabulary {BPE_FILENAME}, which the sam3 wheel does not ship. Looked in: '
        f'{[str(p) for p in tried] or "(no candidate package installed)"}. Install mmsegmentation (it ships the '
        f'file), or download it from https://github.com/openai/CLIP/raw/main/clip/{BPE_FILENAME} and pass '
        f'bpe_path=... or set {BPE_ENV}.')
