"""What re-prompting reuses: the prompt encoder's view per geometry and the dense positional encoding per grid."""
import contextlib

import torch

from radio_dense.sam.modeling.geometry import SamGeometry
from radio_dense.sam.modeling.prompt_decoder import build_prompt_encoder, dense_positional_encoding, prompt_encoder_at


def test_geometry_view_is_cached_and_shares_parameters():
    encoder = build_prompt_encoder()
    view = prompt_encoder_at(encoder, (48, 64), (768, 1024))
    assert prompt_encoder_at(encoder, (48, 64), (768, 1024)) is view
    assert prompt_encoder_at(encoder, (32, 64), (512, 1024)) is not view
    assert view.point_embeddings[0].weight is encoder.point_embeddings[0].weight
    assert tuple(encoder.image_embedding_size) == (64, 64)  # the original is untouched


def test_dense_pe_cache_equals_segment_anything_and_follows_new_weights():
    torch.manual_seed(0)
    encoder = build_prompt_encoder()
    view = prompt_encoder_at(encoder, (48, 64), (768, 1024))
    first = dense_positional_encoding(view)
    assert first.shape == (1, 256, 48, 64) and torch.equal(first, view.get_dense_pe())
    assert dense_positional_encoding(view) is first  # computed once
    assert dense_positional_encoding(encoder).shape == (1, 256, 64, 64)  # per grid
    state = encoder.state_dict()
    state['pe_layer.positional_encoding_gaussian_matrix'] = torch.randn(2, 128)
    encoder.load_state_dict(state)
    again = dense_positional_encoding(view)
    assert not torch.equal(again, first) and torch.equal(again, view.get_dense_pe())


@contextlib.contextmanager
def torch_threads(n: int):
    """Run with ``n`` torch threads (other tests, e.g. tools run in-process with --threads 1, change it)."""
    before = torch.get_num_threads()
    torch.set_num_threads(n)
    try:
        yield
    finally:
        torch.set_num_threads(before)


@torch_threads(2)  # torch's multi-channel bilinear kernel equals the per-plane one on >= 2 threads
def test_same_size_postprocess_skips_the_identity_resize_exactly():
    geometry = SamGeometry.for_image((96, 128), 128, True, 16)
    assert geometry.input_size == geometry.original_size == (96, 128)
    low_res = torch.randn(1, 3, 32, 32)
    canvas = torch.nn.functional.interpolate(low_res, (128, 128), mode='bilinear', align_corners=False)[..., :96, :]
    resized = torch.nn.functional.interpolate(canvas, (96, 128), mode='bilinear', align_corners=False)
    assert torch.equal(resized, canvas)  # why skipping it changes nothing
    assert torch.equal(geometry.postprocess_masks(low_res), resized)


def test_postprocess_resizes_plane_by_plane_the_same_at_any_thread_count():
    """One channel per plane: torch's multi-channel result on >= 2 threads, also on one thread."""
    geometry = SamGeometry.for_image((600, 800), 1024, True, 16)  # crop to 768 x 1024, then resize to 600 x 800
    low_res = torch.randn(2, 3, 256, 256, generator=torch.Generator().manual_seed(0))
    with torch_threads(2):
        two = geometry.postprocess_masks(low_res)
        canvas = torch.nn.functional.interpolate(low_res, (1024, 1024), mode='bilinear', align_corners=False)
        expected = torch.nn.functional.interpolate(canvas[..., :768, :], (600, 800), mode='bilinear',
                                                   align_corners=False)
    with torch_threads(1):
        one = geometry.postprocess_masks(low_res)
    assert two.shape == (2, 3, 600, 800)
    assert torch.equal(two, expected)
    assert torch.equal(one, two)  # torch's own 3-channel call on one thread differs in the last bit
