"""PCA to RGB: recovers the dominant subspace, is deterministic, and a fitted basis transfers."""
import pytest
import torch

from radio_dense.analysis.pca import PCABasis, as_tokens, features_to_rgb, sample_tokens


def _low_rank_maps(seed=0, c=16, sizes=((8, 8), (16, 12))):
    gen = torch.Generator().manual_seed(seed)
    basis = torch.linalg.qr(torch.randn(c, 3, generator=gen))[0]  # (C, 3) orthonormal
    scales = torch.tensor([5.0, 3.0, 2.0])
    maps = []
    for h, w in sizes:
        coords = torch.randn(1, h, w, 3, generator=gen) * scales
        noise = 0.01 * torch.randn(1, h, w, c, generator=gen)
        maps.append((coords @ basis.T + noise + 7).permute(0, 3, 1, 2))
    return maps, basis


def test_as_tokens_shapes():
    assert as_tokens(torch.zeros(2, 5, 3, 4)).shape == (24, 5)
    assert as_tokens(torch.zeros(2, 6, 5)).shape == (12, 5)
    assert as_tokens([torch.zeros(1, 5, 2, 2), torch.zeros(3, 5)]).shape == (7, 5)
    with pytest.raises(ValueError):
        as_tokens(torch.zeros(5))


def test_fit_recovers_subspace_and_ranges():
    maps, true_basis = _low_rank_maps()
    basis = PCABasis.fit(maps)
    # the fitted components span the true 3-d subspace
    overlap = torch.linalg.svdvals(basis.components @ true_basis)
    assert torch.allclose(overlap, torch.ones(3), atol=1e-3)
    assert basis.explained_variance_ratio.sum() > 0.99
    assert torch.all(basis.explained_variance_ratio[:-1] >= basis.explained_variance_ratio[1:])
    rgb = basis.to_rgb(maps[1])
    assert rgb.shape == (1, 16, 12, 3) and rgb.min() >= 0 and rgb.max() <= 1


def test_fit_is_deterministic_and_transfers():
    maps, _ = _low_rank_maps()
    a, b = PCABasis.fit(maps, max_samples=50), PCABasis.fit(maps, max_samples=50)
    assert torch.equal(a.components, b.components) and torch.equal(a.low, b.low)
    basis = PCABasis.fit(maps[0])
    # a token gets the same colour whatever map it sits in
    token = maps[1][:, :, 3, 4]
    assert torch.allclose(basis.to_rgb(maps[1])[0, 3, 4], basis.to_rgb(token)[0])
    with pytest.raises(ValueError, match='channels'):
        basis.to_rgb(torch.zeros(1, 4, 2, 2))


def test_sample_tokens_weights_maps_equally():
    maps, _ = _low_rank_maps(sizes=((4, 4), (32, 32)))
    rows = sample_tokens(maps, per_map=16)
    assert rows.shape == (32, 16)


def test_features_to_rgb_one_shot():
    maps, _ = _low_rank_maps()
    assert features_to_rgb(maps[0]).shape == (1, 8, 8, 3)
