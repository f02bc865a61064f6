"""ViTDet mode beyond upstream: any multiple of the patch size, padded tokens never leak."""
import pytest
import torch

from radio_dense import create_radio, load_radio
from radio_dense.radio.windows import WindowLayout, global_block_schedule


@pytest.mark.parametrize('depth,kwargs,expected', [
    (12, {}, [2, 5, 8, 11]),
    (24, {}, [5, 11, 17, 23]),
    (32, {'num_windowed': 5}, [5, 11, 17, 23, 29, 31]),
    (40, {'num_global': 8}, [4, 9, 14, 19, 24, 29, 34, 39]),
    (27, {}, [5, 11, 17, 23, 26]),
    (12, {'global_block_indices': [0, -1]}, [0, 11]),
])
def test_global_block_schedule(depth, kwargs, expected):
    sched = global_block_schedule(depth, **kwargs)
    assert [i for i, g in enumerate(sched) if g] == expected


def test_schedule_rejects_bad_values():
    with pytest.raises(ValueError, match='num_global'):
        global_block_schedule(12, num_global=0)
    with pytest.raises(ValueError, match='out of range'):
        global_block_schedule(12, global_block_indices=[12])


def test_window_layout_round_trip_and_mask():
    layout = WindowLayout(5, 7, 4)
    x = torch.randn(2, 35, 3)
    w = layout.to_windows(x)
    assert w.shape == (2, 8 * 8, 3) and layout.num_windows == 4
    assert torch.equal(layout.from_windows(w), x)
    assert layout.valid_tokens(torch.device('cpu')).sum() == 35
    mask = layout.window_attn_mask(2, torch.device('cpu'))
    assert mask.shape == (8, 1, 16, 16)
    assert mask.any(-1).all(), 'every query must see at least one key'


@pytest.fixture(scope='module')
def tiny_vitdet(hub_checkpoint):
    return load_radio(hub_checkpoint, vitdet_window_size=4)


def test_non_multiple_of_window_runs_with_unpadded_grid(tiny_vitdet):
    x = torch.rand(1, 3, 240, 400)  # 15 x 25 patches, not a multiple of 4
    with torch.no_grad():
        summary, features = tiny_vitdet(x, feature_fmt='NCHW')
    assert features.shape == (1, 192, 15, 25)
    assert summary.shape == (1, 3 * 192)
    assert torch.isfinite(features).all()


@pytest.mark.parametrize('pad_value', [1e4, -3.0, 123.0])
def test_padded_content_cannot_change_outputs(tiny_vitdet, pad_value):
    x = torch.rand(2, 3, 240, 400)
    with torch.no_grad():
        tiny_vitdet.model.pad_value = 0.0
        ref_s, ref_f = tiny_vitdet(x)
        inter_ref = tiny_vitdet.forward_intermediates(x, indices=[0, 3, 11], intermediates_only=True)
        tiny_vitdet.model.pad_value = pad_value
        s, f = tiny_vitdet(x)
        inter = tiny_vitdet.forward_intermediates(x, indices=[0, 3, 11], intermediates_only=True)
    tiny_vitdet.model.pad_value = 0.0
    assert torch.equal(s, ref_s) and torch.equal(f, ref_f)
    for a, b in zip(inter, inter_ref):
        assert torch.equal(a, b)


def test_padding_is_invisible_to_real_tokens_at_batch_level(tiny_vitdet):
    """Each image's output does not depend on the other images of the batch."""
    x = torch.rand(2, 3, 240, 400)
    with torch.no_grad():
        both = tiny_vitdet(x).features
        one = tiny_vitdet(x[1:]).features
    assert (both[1:] - one).abs().max() < 1e-5


def test_vitdet_intermediates_are_in_image_order(hub_checkpoint):
    """Windowed intermediates are spatially ordered like global ones (upstream scrambles them)."""
    glob = load_radio(hub_checkpoint)
    win = load_radio(hub_checkpoint, vitdet_window_size=4, global_block_indices=list(range(12)))
    x = torch.rand(1, 3, 256, 320)
    with torch.no_grad():
        a = glob.forward_intermediates(x, indices=[3, 11], intermediates_only=True)
        b = win.forward_intermediates(x, indices=[3, 11], intermediates_only=True)
    for ta, tb in zip(a, b):
        assert ta.shape == tb.shape == (1, 192, 16, 20)
        assert (ta - tb).abs().max() < 1e-4


def test_windowed_block_is_local(hub_checkpoint):
    """With only the last block global, changing one window of the image changes no other
    window's block-10 features."""
    model = load_radio(hub_checkpoint, vitdet_window_size=4, global_block_indices=[11])
    x = torch.rand(1, 3, 256, 256)
    y = x.clone()
    y[..., :64, :64] = torch.rand(1, 3, 64, 64)  # the top-left 4x4-patch window
    with torch.no_grad():
        fa = model.forward_intermediates(x, indices=[10], intermediates_only=True)[0]
        fb = model.forward_intermediates(y, indices=[10], intermediates_only=True)[0]
    changed = (fa - fb).abs().amax(1)[0] > 0
    assert changed[:4, :4].all() and not changed[4:, :].any() and not changed[:, 4:].any()


def test_no_padding_mode_requires_window_multiple(hub_checkpoint):
    model = load_radio(hub_checkpoint, vitdet_window_size=4, pad_windows=False)
    assert model.min_resolution_step == 64
    with pytest.raises(ValueError, match='multiple of min_resolution_step=64'):
        model(torch.rand(1, 3, 240, 256))
    assert model.get_nearest_supported_resolution(240, 400) == (256, 384)


def test_random_vitdet_model_trains(tmp_path):
    model = create_radio('radio-tiny', vitdet_window_size=4, drop_path_rate=0.1).train()
    model.model.grad_checkpointing = True
    _, feats = model(torch.rand(2, 3, 96, 160))
    feats.mean().backward()
    grads = [p.grad for p in model.parameters() if p.requires_grad]
    assert all(g is not None and torch.isfinite(g).all() for g in grads)


def test_balanced_chunks_cover_everything_without_small_remainders():
    from radio_dense.radio.chunked_inference import balanced_chunks
    parts = balanced_chunks(4104, 2048, align=64)
    assert [(p.start, p.stop) for p in parts] == [(0, 2048), (2048, 4104)]
    parts = balanced_chunks(16392, 2048, align=64)
    assert len(parts) == 8 and parts[-1].stop == 16392 and min(p.stop - p.start for p in parts) >= 2048
    assert balanced_chunks(100, 2048) == [slice(0, 100)]


def test_lean_vitdet_inference_is_bit_identical_to_block_by_block(hub_checkpoint, monkeypatch):
    """Windows in groups and chunked global blocks (inference) give exactly the plain blocks' outputs."""
    import radio_dense.radio.vit as vit
    model = load_radio(hub_checkpoint, vitdet_window_size=4).eval()
    x = torch.rand(1, 3, 1008, 1520)  # 63 x 95 patches: padded, 384 windows in 3 groups, 2 row chunks
    with torch.no_grad():
        lean = model(x)
        lean_maps = model.forward_intermediates(x, indices=[1, 2, 11], intermediates_only=True)
        monkeypatch.setattr(vit, 'can_run_lean', lambda block: False)
        ref = model(x)
        ref_maps = model.forward_intermediates(x, indices=[1, 2, 11], intermediates_only=True)
    assert torch.equal(lean.summary, ref.summary) and torch.equal(lean.features, ref.features)
    assert all(torch.equal(a, b) for a, b in zip(lean_maps, ref_maps))


@pytest.mark.parametrize('batch', [1, 2])
def test_global_block_on_query_chunks_is_bit_identical(batch):
    """Attention on query chunks (k/v for all tokens, residual in place) equals timm's block exactly."""
    from timm.models.vision_transformer import Block

    from radio_dense.radio.chunked_inference import global_block_lean_
    torch.manual_seed(0)
    block = Block(64, 2, qkv_bias=True).eval()
    x = torch.randn(batch, 2056, 64) * 3  # 2 query chunks of 1024 + 1032 rows, as at 2048 px
    with torch.no_grad():
        ref = block(x)
        work = x.clone()
        out = global_block_lean_(block, work, rows_per_chunk=1024 * batch)
    assert out is work  # written in place: no second token tensor
    assert torch.equal(out, ref)


def test_lean_path_only_in_inference(hub_checkpoint):
    from radio_dense.radio.chunked_inference import can_run_lean
    model = load_radio(hub_checkpoint, vitdet_window_size=4)
    block = model.blocks[0]
    with torch.no_grad():
        assert can_run_lean(block)
        assert not can_run_lean(block.train())
    assert not can_run_lean(block.eval())  # gradients enabled: the autograd path runs the plain blocks
