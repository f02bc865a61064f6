"""Our prompting path vs segment-anything's SamPredictor on the same (random vit_b) SAM.

The image embedding is computed once by SamPredictor and given to RadioSamPredictor together
with SAM's own prompt encoder and mask decoder; every prompt kind must give the same logits.
The embedding only has to be shared, not vit_b's: a patchify conv + SAM's LayerNorm2d makes the same
normalised (1, 256, 64, 64) map from the image (vit_b's 1024-px encoder pass took ~40 s of CPU).
"""
import numpy as np
import pytest
import torch
from segment_anything import SamPredictor, sam_model_registry
from segment_anything.modeling.common import LayerNorm2d

from radio_dense.sam import RadioSam, RadioSamPredictor, SamGeometry

from .conftest import shapes_image

TOL = 1e-4


class PatchifyEncoder(torch.nn.Sequential):
    """A cheap stand-in for SAM's image encoder: 1024-px input -> normalised (256, 64, 64) embedding."""
    img_size = 1024

    def __init__(self):
        super().__init__(torch.nn.Conv2d(3, 256, 16, 16), LayerNorm2d(256))


@pytest.fixture(scope='module')
def sam_pair():
    torch.manual_seed(0)
    sam = sam_model_registry['vit_b']().eval()
    sam.image_encoder = PatchifyEncoder().eval()
    image = shapes_image(300, 420, seed=1)
    reference = SamPredictor(sam)
    reference.set_image(image)  # the one encoder pass of this module
    ours = RadioSamPredictor(RadioSam(sam.image_encoder, sam.prompt_encoder, sam.mask_decoder,
                                      pixel_mean=sam.pixel_mean.flatten().tolist(),
                                      pixel_std=sam.pixel_std.flatten().tolist()),
                             resolution=1024, pad_to_square=True)
    ours.set_image_embedding(reference.get_image_embedding(), SamGeometry.for_image(image.shape[:2], 1024))
    return sam, image, reference, ours


def _compare(reference, ours, **prompt):
    ref = reference.predict(**prompt, return_logits=True)
    got = ours.predict(**prompt, return_logits=True)
    diffs = [float(np.abs(a - b).max()) for a, b in zip(ref, got)]
    for a, b in zip(ref, got):
        assert a.shape == b.shape
    assert max(diffs) < TOL, diffs
    masks_ref = reference.predict(**prompt)[0]
    masks_got = ours.predict(**prompt)[0]
    assert masks_got.dtype == bool and masks_got.shape == (len(ref[1]), 300, 420)
    assert (masks_ref != masks_got).mean() < 1e-4  # only pixels with |logit| < 1e-4 may flip
    return diffs


CASES = {
    'single_point': dict(point_coords=np.array([[120.0, 130.0]]), point_labels=np.array([1])),
    'multi_point': dict(point_coords=np.array([[120.0, 130.0], [300.0, 100.0], [30.0, 250.0]]),
                        point_labels=np.array([1, 1, 0])),
    'box': dict(box=np.array([60.0, 50.0, 220.0, 210.0])),
    'box_point': dict(box=np.array([60.0, 50.0, 220.0, 210.0]), point_coords=np.array([[120.0, 130.0]]),
                      point_labels=np.array([0])),
}


@pytest.mark.parametrize('name', sorted(CASES))
@pytest.mark.parametrize('multimask', [True, False])
def test_prompt_equivalence(sam_pair, name, multimask):
    _, _, reference, ours = sam_pair
    diffs = _compare(reference, ours, multimask_output=multimask, **CASES[name])
    print(name, multimask, 'max abs diffs (masks, iou, low-res):', diffs)


def test_mask_prompt_equivalence(sam_pair):
    _, _, reference, ours = sam_pair
    _, scores, low_res = reference.predict(**CASES['single_point'], multimask_output=True)
    mask_input = low_res[int(np.argmax(scores))][None]
    assert mask_input.shape == (1, 256, 256)
    _compare(reference, ours, point_coords=np.array([[120.0, 130.0], [200.0, 80.0]]),
             point_labels=np.array([1, 1]), mask_input=mask_input, multimask_output=False)


def test_batched_boxes_equivalence(sam_pair):
    _, image, reference, ours = sam_pair
    boxes = torch.tensor([[60.0, 50.0, 220.0, 210.0], [250.0, 40.0, 400.0, 200.0]])
    ref = reference.predict_torch(None, None, reference.transform.apply_boxes_torch(boxes, image.shape[:2]),
                                  multimask_output=True, return_logits=True)
    got = ours.predict_torch(None, None, ours.transform.apply_boxes_torch(boxes, image.shape[:2]),
                             multimask_output=True, return_logits=True)
    for a, b in zip(ref, got):
        assert a.shape == b.shape
        assert float((a - b).abs().max()) < TOL


def test_preprocessing_matches_sam(sam_pair):
    """Same resized, normalised, padded encoder input as SamPredictor (so set_image matches too)."""
    sam, image, reference, ours = sam_pair
    resized = torch.as_tensor(reference.transform.apply_image(image)).permute(2, 0, 1)[None].float()
    expected = sam.preprocess(resized)
    geometry = ours.model.geometry(image.shape[:2])
    got = ours.model.preprocess(torch.as_tensor(ours.transform.apply_image(image)).permute(2, 0, 1)[None].float(),
                                geometry)
    assert got.shape == expected.shape == (1, 3, 1024, 1024)
    assert float((got - expected).abs().max()) < 1e-5
