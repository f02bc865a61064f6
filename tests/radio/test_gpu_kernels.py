"""What GPUs need from the ViTDet path: masks only on windows that hold padding, no host syncs, lean CPU-only."""
import pytest
import torch

from radio_dense import create_radio
from radio_dense.radio import chunked_inference
from radio_dense.radio.windows import WindowLayout

CPU = torch.device('cpu')


def _masked_windows(layout):
    """Window-grid (row, col) of every window in a masked group, and of every unmasked one."""
    masked, full = set(), set()
    for rows, cols, mask in layout.window_groups(CPU):
        cells = {(r, c) for r in range(rows.start, rows.stop) for c in range(cols.start, cols.stop)}
        (full if mask is None else masked).update(cells)
        if mask is not None:
            assert mask.shape == (len(cells), 1, layout.window ** 2, layout.window ** 2)
    return masked, full


@pytest.mark.parametrize('grid,expected_masked', [
    ((8, 12), set()),                                    # whole windows: no mask at all
    ((7, 12), {(1, 0), (1, 1), (1, 2)}),                 # last window row padded
    ((8, 10), {(0, 2), (1, 2)}),                         # last window column padded
    ((7, 10), {(0, 2), (1, 0), (1, 1), (1, 2)}),         # both
    ((3, 3), {(0, 0)}),                                  # one padded window
])
def test_only_windows_holding_padding_get_a_mask(grid, expected_masked):
    layout = WindowLayout(*grid, 4)
    masked, full = _masked_windows(layout)
    assert masked == expected_masked
    every = {(r, c) for r in range(layout.padded_h // 4) for c in range(layout.padded_w // 4)}
    assert full == every - expected_masked and not masked & full
    # a masked group's masks are the windows' rows of the full per-window mask
    if masked:
        reference = layout.window_attn_mask(1, CPU).reshape(layout.padded_h // 4, layout.padded_w // 4, 16, 16)
        for rows, cols, mask in layout.window_groups(CPU):
            if mask is not None:
                assert torch.equal(mask[:, 0], reference[rows, cols].reshape(-1, 16, 16))


def test_windowed_blocks_run_unmasked_on_full_windows(monkeypatch):
    """Count SDPA calls with and without a mask: one padded column of windows -> one masked call per block."""
    import torch.nn.functional as F
    calls = []
    real_sdpa = F.scaled_dot_product_attention

    def counting_sdpa(q, k, v, attn_mask=None, **kw):
        calls.append((q.shape[0], attn_mask is not None))
        return real_sdpa(q, k, v, attn_mask=attn_mask, **kw)

    model = create_radio('radio-tiny', vitdet_window_size=4, seed=0).train()  # training path (no lean blocks)
    monkeypatch.setattr(F, 'scaled_dot_product_attention', counting_sdpa)
    windowed = sum(not g for g in model.model.is_global)
    model(torch.rand(2, 3, 8 * 16, 12 * 16))  # whole windows
    assert calls and not any(masked for _, masked in calls)
    calls.clear()
    model(torch.rand(2, 3, 8 * 16, 10 * 16))  # 2 x 3 windows per image, the last column padded
    assert [c for c in calls if c[1]] == [(2 * 2, True)] * windowed  # 2 images x 2 padded windows
    assert [c[0] for c in calls if not c[1]].count(2 * 4) == windowed  # 2 images x 4 full windows


def test_padded_vitdet_forward_needs_no_host_sync():
    """On the meta device any .item(), bool(tensor) or nonzero() raises: a full padded ViTDet forward
    (general and intermediates path) queues its work without reading values back."""
    with torch.device('meta'):
        model = create_radio('radio-tiny', vitdet_window_size=4, seed=None)
    x = torch.empty(2, 3, 7 * 16, 10 * 16, device='meta')
    with torch.no_grad():
        out = model(x)
        inter = model.forward_intermediates(x, indices=[2, 5], intermediates_only=True)
    assert out.features.shape == (2, 70, 192) and [t.shape for t in inter] == [(2, 192, 7, 10)] * 2


def test_chunked_inference_run_on_cpu_only(monkeypatch):
    """Chunked (lean) blocks bound CPU memory; on another device the plain blocks run."""
    model = create_radio('radio-tiny', vitdet_window_size=4, seed=0).eval()
    used = []
    real = chunked_inference.global_block_lean_
    monkeypatch.setattr('radio_dense.radio.vit.global_block_lean_', lambda *a, **k: used.append(1) or real(*a, **k))
    with torch.no_grad():
        model(torch.rand(1, 3, 64, 80))
        assert used, 'lean blocks serve CPU inference'
        used.clear()
        with torch.device('meta'):
            meta = create_radio('radio-tiny', vitdet_window_size=4).eval()
        meta(torch.empty(1, 3, 64, 80, device='meta'))
    assert not used
