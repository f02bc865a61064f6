"""Shared test fixtures: repository paths and the radio_tiny upstream fixture (tests/fixtures/upstream)."""
import functools
import os
from pathlib import Path

# Idle OpenMP threads sleep instead of spinning: on a shared 2-core machine spinning threads
# make torch 10-30x slower. Must be set before torch starts its thread pool.
os.environ.setdefault('OMP_WAIT_POLICY', 'PASSIVE')

REPO_ROOT = Path(__file__).resolve().parents[1]
# Tools run in subprocesses (``python tools/x.py``) import this checkout's radio_dense, whatever package
# the interpreter has installed (a worktree or a throwaway clone beside a shared environment).
os.environ['PYTHONPATH'] = os.pathsep.join([str(REPO_ROOT), *filter(None, [os.environ.get('PYTHONPATH')])])

import pytest  # noqa: E402
import torch  # noqa: E402

UPSTREAM_FIXTURES = REPO_ROOT / 'tests' / 'fixtures' / 'upstream'
FIXTURE_DIR = UPSTREAM_FIXTURES / 'radio_tiny'
ADAPTORS = ['clip', 'siglip', 'dino_v2', 'sam']

torch.set_num_threads(min(2, os.cpu_count() or 1))


def _cache_openmmlab_model_index() -> None:
    """mmengine re-reads mmdet's / mmseg's ~300 metafiles (and reloads pkg_resources) for every ``mmdet::`` /
    ``mmseg::`` base of every ``Config.fromfile``: ~1.9 s of a 2.2 s config parse here. Neither can change during
    a test run, so both are read once."""
    try:
        from mmengine.config import config, utils
    except ImportError:  # the newest-torch environment has no OpenMMLab
        return
    if hasattr(utils.load, 'cache_info'):
        return
    utils.load = functools.lru_cache(maxsize=None)(utils.load)  # only _get_cfg_metainfo's metafile reads use it
    config.is_installed = functools.lru_cache(maxsize=None)(config.is_installed)


_cache_openmmlab_model_index()


@pytest.fixture(autouse=True)
def _keep_torch_threads():
    """A tool run in-process (e.g. with --threads 1) must not change torch's thread count for later tests."""
    threads = torch.get_num_threads()
    yield
    if torch.get_num_threads() != threads:
        torch.set_num_threads(threads)


def _require_fixtures() -> Path:
    needed = [FIXTURE_DIR / 'radio-tiny.pth.tar', FIXTURE_DIR / 'reference.pt',
              UPSTREAM_FIXTURES / 'patch14' / 'hf' / 'model.safetensors']
    missing = [str(p) for p in needed if not p.exists()]
    if missing:
        pytest.fail(f'RADIO reference fixtures are missing: {missing}. They are part of the repository; '
                    f'tools/dev/make_upstream_fixture.py rebuilds them.', pytrace=False)
    return FIXTURE_DIR


@pytest.fixture(scope='session')
def fixture_dir() -> Path:
    return _require_fixtures()


@pytest.fixture(scope='session')
def hub_checkpoint(fixture_dir) -> str:
    return str(fixture_dir / 'radio-tiny.pth.tar')


@pytest.fixture(scope='session')
def trained_checkpoint() -> str:
    """The tiny RADIO with its trunk trained on the synthetic shapes (tests/fixtures/trained_tiny; NOT upstream-made,
    never used for fidelity): dense features and summaries that separate the synthetic classes, for the oracles."""
    path = UPSTREAM_FIXTURES.parent / 'trained_tiny' / 'radio-tiny-trained.pth.tar'
    if not path.is_file():
        pytest.fail(f'{path} is missing: it is part of the repository; tools/dev/make_trained_tiny_fixture.py '
                    'rebuilds it', pytrace=False)
    return str(path)


@pytest.fixture(scope='session')
def hf_snapshot(fixture_dir) -> str:
    """An upstream-made Hugging Face snapshot with a ``sam`` adaptor (radio_tiny ships in the hub layout only)."""
    return str(UPSTREAM_FIXTURES / 'patch14' / 'hf')


@pytest.fixture(scope='session')
def reference(fixture_dir) -> dict:
    return torch.load(fixture_dir / 'reference.pt', weights_only=True)


#: the vocabulary of the named class-embedding file below (the web apps' "Segment by name" tests)
NAMED_CLASSES = ('red disc', 'blue bar', 'background', 'sky', 'road')


@pytest.fixture(scope='session')
def named_class_embeddings(tmp_path_factory) -> str:
    """``{'names', 'embeddings'}`` for :data:`NAMED_CLASSES`: random unit rows of radio_tiny's siglip width (72),
    the offline stand-in for a text tower (radio_tiny has no text tower weights)."""
    path = tmp_path_factory.mktemp('named_embeddings') / 'classes.pt'
    emb = torch.nn.functional.normalize(torch.randn(len(NAMED_CLASSES), 72, generator=torch.Generator().manual_seed(0)),
                                        dim=-1)
    torch.save({'names': list(NAMED_CLASSES), 'embeddings': emb}, path)
    return str(path)


@pytest.fixture(scope='session')
def name_segmenter(hub_checkpoint, named_class_embeddings):
    """Segment by name on radio_tiny (RANDOM weights, siglip adaptor) with the named embeddings, small and fast."""
    from radio_dense.analysis.segment_by_name import NameSegmenter
    return NameSegmenter(hub_checkpoint, class_embeddings=named_class_embeddings, short_side=128, slide=(128, 96),
                         random_weights=True, device='cpu')
