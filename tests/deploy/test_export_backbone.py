"""ONNX export of the RADIO backbone: onnxruntime matches PyTorch at 1e-4 at sizes other than the traced one."""
import pytest
import torch

pytest.importorskip('onnxruntime', reason='ONNX tests need the deploy extra: pip install -e .[deploy]')

from radio_dense import load_radio  # noqa: E402
from radio_dense.deploy import RadioForExport, export_radio_onnx, run_onnx  # noqa: E402

# (240, 400) is 15 x 25 patches: not square and not a multiple of the 4-patch ViTDet window
SIZES = [(224, 320), (240, 400)]


@pytest.mark.parametrize('window', [None, 4], ids=['global', 'vitdet4'])
def test_backbone_export_matches_pytorch_at_two_sizes(hub_checkpoint, tmp_path, window):
    model = load_radio(hub_checkpoint, vitdet_window_size=window, adaptor_names=['sam']).eval()
    path = tmp_path / 'radio.onnx'
    checks = export_radio_onnx(model, str(path), example_size=(256, 256), adaptor_names=['sam'],
                               intermediate_indices=[3, -1], validate_sizes=SIZES)
    assert [c.shapes['images'][2:] for c in checks] == SIZES
    for check in checks:
        assert set(check.max_abs_diff) == {'summary', 'features', 'sam_summary', 'sam_features', 'block3', 'block11'}
        assert check.worst < 1e-4
    # the graph's own output shapes follow the input: 15 x 25 grid, no padding left in
    out = run_onnx(str(path), {'images': torch.rand(1, 3, 240, 400).numpy()})
    assert out['features'].shape == (1, 192, 15, 25) and out['block3'].shape == (1, 192, 15, 25)
    assert out['sam_features'].shape[-2:] == (15, 25)


def test_export_wrapper_checks_its_arguments(hub_checkpoint):
    model = load_radio(hub_checkpoint)
    with pytest.raises(ValueError, match="adaptors \\['sam'\\] are not in the model"):
        RadioForExport(model, adaptor_names=['sam'])
    with pytest.raises(ValueError, match='out of range'):
        RadioForExport(model, intermediate_indices=[12])
    with pytest.raises(ValueError, match='multiples of the patch size 16'):
        export_radio_onnx(model, '/nonexistent/x.onnx', example_size=(100, 160))


def test_export_with_intermediates_keeps_the_final_norm(tmp_path):
    # A checkpoint whose trunk has a final norm: summary/features/adaptors must be model(x)'s
    # (normed), the block outputs forward_intermediates' default (norm=False).
    from tests.radio.upstream_fixtures import source
    model = load_radio(source('mlp_v1_final_norm', 'hub'), adaptor_names=['sam']).eval()
    assert not isinstance(model.model.norm, torch.nn.Identity)
    wrapper = RadioForExport(model, adaptor_names=['sam'], intermediate_indices=[0, -1]).eval()
    images = torch.rand(1, 3, 48, 80, generator=torch.Generator().manual_seed(1))
    with torch.no_grad():
        direct = model(images, feature_fmt='NCHW')
        blocks = model.forward_intermediates(images, indices=[0, 1], intermediates_only=True)
        unnormed, _ = model.forward_intermediates(images, indices=[0, 1])
        exported = wrapper(images)
    expected = (direct['backbone'].summary, direct['backbone'].features,
                direct['sam'].summary, direct['sam'].features, *blocks)
    assert len(exported) == len(expected) == 6
    for got, want in zip(exported, expected):
        assert torch.equal(got, want)
    # the upstream default (final skips the norm) really differs, so the check above bites
    assert (unnormed['backbone'].features - direct['backbone'].features).abs().max() > 1e-2
    path = tmp_path / 'final_norm.onnx'
    export_radio_onnx(model, str(path), example_size=(64, 64), adaptor_names=['sam'],
                      intermediate_indices=[0, -1], validate_sizes=None)
    out = run_onnx(str(path), {'images': images.numpy()})
    for name, want in zip(wrapper.output_names, expected):
        assert abs(torch.from_numpy(out[name]) - want).max() < 1e-4, name
