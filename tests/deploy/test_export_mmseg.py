"""ONNX export of a whole mmseg model (demo config: tiny RADIO + SimpleFPN + UPerNet), from config and checkpoint."""
import pytest
import torch

pytest.importorskip('onnxruntime', reason='ONNX tests need the deploy extra: pip install -e .[deploy]')
pytest.importorskip('mmseg')

from radio_dense.openmmlab.export.segmentor_onnx import SegmentorForExport, export_mmseg_onnx, load_segmentor  # noqa: E402
from tests.conftest import REPO_ROOT  # noqa: E402

CONFIG = str(REPO_ROOT / 'configs/demo/radio-tiny_upernet_1xb4-300_synthetic-192x192.py')


@pytest.fixture(scope='module')
def segmentor(tmp_path_factory):
    """The demo model with non-trivial weights, saved as an mmengine checkpoint and loaded back by config."""
    torch.manual_seed(0)
    model = load_segmentor(CONFIG)
    with torch.no_grad():  # BN statistics away from identity, so normalisation matters
        for module in model.modules():
            if isinstance(module, torch.nn.BatchNorm2d):
                module.running_mean.uniform_(-0.5, 0.5)
                module.running_var.uniform_(0.5, 2.0)
    path = tmp_path_factory.mktemp('seg') / 'demo.pth'
    torch.save({'state_dict': model.state_dict(), 'meta': {}}, path)
    loaded = load_segmentor(CONFIG, str(path))
    for a, b in zip(model.state_dict().values(), loaded.state_dict().values()):
        assert torch.equal(a, b)
    return loaded


def test_wrapper_is_mmseg_whole_inference(segmentor):
    image = torch.rand(1, 3, 160, 256) * 255
    assert not segmentor.data_preprocessor._enable_normalize  # RADIOBackbone applies the checkpoint's mean/std
    with torch.no_grad():
        ref = segmentor.encode_decode(image, [dict(img_shape=(160, 256), ori_shape=(160, 256))])
        exact = SegmentorForExport(segmentor, exportable_pooling=False)(image)
        exportable = SegmentorForExport(segmentor)(image)
    assert exact.shape == (1, 7, 160, 256)
    assert torch.equal(exact, ref)
    assert (exportable - ref).abs().max() < 1e-5  # pooling as matrix products: float rounding only


def test_mmseg_export_matches_pytorch_at_two_sizes(segmentor, tmp_path):
    checks = export_mmseg_onnx(segmentor, str(tmp_path / 'seg.onnx'), example_size=(224, 320),
                               validate_sizes=[(192, 192), (160, 256)])
    assert [c.shapes['images'] for c in checks] == [(1, 3, 192, 192), (2, 3, 160, 256)]
    assert all(c.worst < 1e-4 for c in checks)


def test_exportable_pooling_equals_torch_adaptive_pooling():
    from radio_dense.deploy.pooling import ExportableAdaptiveAvgPool2d
    x = torch.randn(2, 5, 13, 22)
    for size in [1, 2, 3, 6, (4, 7)]:
        ref = torch.nn.AdaptiveAvgPool2d(size)(x)
        assert torch.allclose(ExportableAdaptiveAvgPool2d(size)(x), ref, atol=1e-6), size
