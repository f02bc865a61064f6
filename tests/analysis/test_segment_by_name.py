"""The segment-by-name engine (radio_dense.analysis.segment_by_name): labels, shares, legend, named embeddings."""
import numpy as np
import pytest
import torch

from radio_dense.analysis.segment_by_name import RANDOM_WEIGHTS_WARNING, NameSegmenter, NoLanguageAdaptor
from radio_dense.radio.dense_zero_shot import language_adaptors, read_class_embeddings

from ..sam.conftest import shapes_image


def test_labels_shares_legend_and_warning(name_segmenter):
    image = shapes_image(150, 200, seed=1)
    result = name_segmenter.segment(image, ['red disc', 'blue bar', 'background, sky'])
    assert result.labels.shape == (150, 200) and result.labels.dtype == np.uint8 and result.labels.max() < 3
    assert result.names == ['red disc', 'blue bar', 'background, sky']
    counts = np.bincount(result.labels.ravel(), minlength=3)
    assert np.allclose(result.shares, counts / counts.sum()) and abs(sum(result.shares) - 1) < 1e-9
    legend = result.legend()
    assert [n for n, _, _ in legend] == [n for n, s in zip(result.names, result.shares) if s > 0]
    assert len(set(result.palette)) == 3 and result.warning == RANDOM_WEIGHTS_WARNING
    rgba = result.overlay_rgba(100)
    assert rgba.shape == (150, 200, 4) and (rgba[..., 3] == 100).all()
    assert tuple(rgba[0, 0, :3]) == result.palette[result.labels[0, 0]]


def test_named_rows_follow_the_names_not_their_order(name_segmenter):
    image = shapes_image(96, 128, seed=2)
    forward = name_segmenter.segment(image, ['red disc', 'road'])
    swapped = name_segmenter.segment(image, ['road', 'red disc'])
    assert 0 < forward.shares[0] < 1  # both classes present: the swap is visible
    assert np.array_equal(forward.labels, 1 - swapped.labels)


def test_unknown_names_and_wrong_files_are_refused(name_segmenter, tmp_path):
    with pytest.raises(ValueError, match=r"no embedding for \['zebra'\]; it knows"):
        name_segmenter.segment(shapes_image(64, 64), ['red disc', 'zebra'])
    with pytest.raises(ValueError, match='class_names is empty'):
        name_segmenter.segment(shapes_image(64, 64), [])
    bad = tmp_path / 'bad.pt'
    torch.save({'names': ['a', 'b'], 'embeddings': torch.zeros(3, 72)}, bad)
    with pytest.raises(ValueError, match=r'expected "embeddings" of shape \(2, D\)'):
        read_class_embeddings(str(bad), ['a'])


def test_language_adaptors_and_missing_ones(hub_checkpoint):
    assert language_adaptors({'teachers': [dict(name='sam', type='sam'), dict(name='clip', type='open_clip'),
                                           dict(name='siglip2-g', type='siglip2')]}) == ['siglip2-g', 'clip']
    assert language_adaptors({'teachers': [dict(name='sam', type='sam')]}) == []
    with pytest.raises(NoLanguageAdaptor, match="no language adaptor 'sam'"):
        NameSegmenter(hub_checkpoint, 'sam', device='cpu')
