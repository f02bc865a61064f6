"""The pins: sam3 0.1.4 and the OpenMMLab stack live in one environment (numpy < 2.4, compiled mmcv ops)."""
import importlib.metadata as metadata
import re
from pathlib import Path

import torch
from packaging.requirements import Requirement
from packaging.version import Version

REPO = Path(__file__).resolve().parents[2]


def _sam3_numpy_spec():
    reqs = [Requirement(r) for r in metadata.requires('sam3') or []]
    return next(r.specifier for r in reqs if r.name == 'numpy' and not r.marker)


def test_installed_numpy_satisfies_sam3_and_mmcv_ops_still_run():
    assert metadata.version('sam3') == '0.1.4'
    assert Version(metadata.version('numpy')) in _sam3_numpy_spec()
    import mmdet.models  # noqa: F401
    import mmseg.models  # noqa: F401
    import sam3  # noqa: F401
    from mmcv.ops import nms
    _, keep = nms(torch.tensor([[0, 0, 10, 10], [1, 1, 10, 10], [20, 20, 30, 30]], dtype=torch.float32),
                  torch.tensor([0.9, 0.8, 0.7]), 0.5)
    assert keep.tolist() == [0, 2]


def test_project_pins_agree_with_sam3():
    """Our numpy ranges stay inside sam3's, so a fresh `make env` resolves without conflicts."""
    sam3_upper = min(Version(s.version) for s in _sam3_numpy_spec() if s.operator == '<')
    assert 'sam3==0.1.4' in (REPO / 'requirements.txt').read_text()
    for path in ('requirements.txt', 'tools/setup_env.sh'):
        pins = re.findall(r'numpy>=[\d.]+,<([\d.]+)', (REPO / path).read_text())
        assert pins, f'{path} pins no numpy range'
        assert all(Version(upper) <= sam3_upper for upper in pins), f'{path}: numpy<{pins} vs sam3 numpy<{sam3_upper}'
