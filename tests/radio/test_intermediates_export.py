"""forward_intermediates sees every block also on the graph-export ViTDet path."""
import torch

from radio_dense import load_radio
from radio_dense.radio import vit


def test_exported_vitdet_path_gives_the_same_intermediates(hub_checkpoint, monkeypatch):
    model = load_radio(hub_checkpoint, vitdet_window_size=4)
    x = torch.rand(1, 3, 96, 160)  # 6 x 10 patches: padded windows
    kwargs = dict(indices=[2, 5, -1], aggregation='dense', return_prefix_tokens=True, output_fmt='NLC')
    with torch.no_grad():
        eager_final, eager = model.forward_intermediates(x, **kwargs)
        monkeypatch.setattr(vit, '_exporting', lambda: True)
        traced_final, traced = model.forward_intermediates(x, **kwargs)
    assert len(traced) == len(eager) == 3
    for a, b in zip(eager + [eager_final], traced + [traced_final]):
        assert torch.allclose(a.summary, b.summary, atol=1e-5) and torch.allclose(a.features, b.features, atol=1e-5)
