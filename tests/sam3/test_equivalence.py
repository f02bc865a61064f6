"""Sam3Predictor equals sam3's own Sam3Processor (random SAM3_TINY with SAM3's ViT, CPU, fp32).

Both run the same model; the processor gets boxes as it expects them (normalised cx, cy, w, h,
added one at a time), our predictor gets pixel boxes. Preprocessing, prompt encoding and
post-processing must agree to 1e-4.
"""
import numpy as np
import pytest
import torch

from radio_dense.sam3 import Sam3Predictor

from .conftest import scene_image

TOL = 1e-4
HEIGHT, WIDTH = 200, 300
BOXES = [[40, 40, 110, 100], [140, 90, 200, 150]]  # x0, y0, x1, y1 pixels: two discs


@pytest.fixture(scope='module')
def image():
    return scene_image(HEIGHT, WIDTH)


@pytest.fixture(scope='module')
def processor(tiny_sam3, image):
    from sam3.model.sam3_image_processor import Sam3Processor
    proc = Sam3Processor(tiny_sam3, resolution=224, device='cpu', confidence_threshold=0.0)
    return proc, proc.set_image(torch.from_numpy(image).permute(2, 0, 1))


@pytest.fixture(scope='module')
def predictor(tiny_sam3, image):
    pred = Sam3Predictor(tiny_sam3, resolution=224, mode='stretch', confidence_threshold=0.0)
    pred.set_image(image)
    return pred


def _normalised_cxcywh(box):
    x0, y0, x1, y1 = box
    return [(x0 + x1) / 2 / WIDTH, (y0 + y1) / 2 / HEIGHT, (x1 - x0) / WIDTH, (y1 - y0) / HEIGHT]


def _processor_run(processor, text=None, boxes=(), labels=()):
    proc, state = processor
    proc.reset_all_prompts(state)
    if text is not None:
        state = proc.set_text_prompt(text, state)
    for box, label in zip(boxes, labels):
        state = proc.add_geometric_prompt(_normalised_cxcywh(box), bool(label), state)
    order = torch.argsort(state['scores'], descending=True)
    return {'scores': state['scores'][order], 'boxes': state['boxes'][order],
            'mask_probs': state['masks_logits'][order, 0], 'masks': state['masks'][order, 0]}


def _assert_same(ours, theirs):
    assert len(ours) == theirs['scores'].shape[0] > 0
    for name in ('scores', 'boxes', 'mask_probs'):
        diff = (getattr(ours, name) - theirs[name]).abs().max().item()
        assert diff < TOL, f'{name} differ by {diff}'
    assert ours.masks.shape == (len(ours), HEIGHT, WIDTH)
    mismatch = (ours.masks != theirs['masks']).float().mean().item()
    assert mismatch < 1e-4, f'{mismatch:.2e} of mask pixels differ'


@pytest.mark.parametrize('prompts', [
    dict(text='red disc'),
    dict(boxes=BOXES[:1], labels=[1]),
    dict(boxes=BOXES, labels=[1, 0]),
    dict(text='disc', boxes=BOXES, labels=[1, 1]),
], ids=['text', 'box', 'pos-neg-boxes', 'text+boxes'])
def test_predictor_matches_sam3_processor(processor, predictor, prompts):
    theirs = _processor_run(processor, prompts.get('text'), prompts.get('boxes', ()), prompts.get('labels', ()))
    ours = predictor.predict(prompts.get('text'), prompts.get('boxes'), prompts.get('labels'))
    _assert_same(ours, theirs)


def test_incremental_prompts_match_processor(processor, predictor):
    """set_text_prompt then add_box, as a Sam3Processor session."""
    theirs = _processor_run(processor, 'disc', BOXES[1:], [0])
    predictor.reset_prompts()
    predictor.set_text_prompt('disc')
    ours = predictor.add_box(BOXES[1], positive=False)
    _assert_same(ours, theirs)


def test_confidence_threshold_filters_like_processor(processor, predictor):
    everything = predictor.predict('disc')
    threshold = float(everything.scores[5:7].mean())  # half-way between the 6th and 7th best
    proc, state = processor
    proc.reset_all_prompts(state)
    proc.set_confidence_threshold(threshold)
    try:
        state = proc.set_text_prompt('disc', state)
    finally:
        proc.set_confidence_threshold(0.0)
    kept = predictor.predict('disc', confidence_threshold=threshold)
    assert len(kept) == state['scores'].shape[0] == 6
    assert (kept.scores - torch.sort(state['scores'], descending=True).values).abs().max() < TOL


def test_embedding_is_cached_per_image_and_resolution(tiny_sam3, image):
    pred = Sam3Predictor(tiny_sam3, resolution=224, confidence_threshold=0.0)
    pred.set_image(image)
    first = pred.get_image_features().clone()
    pred.set_image(image[::-1].copy())
    pred.set_image(image)
    assert pred.embed_count == 2 and pred.cached
    assert torch.equal(pred.get_image_features(), first)
    assert pred.predict('disc').masks.shape[-2:] == (HEIGHT, WIDTH)


def test_points_reach_the_geometry_encoder(predictor):
    """Points (not supported by Sam3Processor) change the outputs and come back in pixels."""
    base = predictor.predict('disc')
    pointed = predictor.predict('disc', points=[[75, 70], [250, 100]], point_labels=[1, 0])
    assert pointed.masks.shape[1:] == (HEIGHT, WIDTH)
    assert not torch.allclose(base.scores, pointed.scores)


def test_bad_prompts_are_refused(predictor, tiny_sam3):
    with pytest.raises(ValueError, match='text prompt and/or exemplar boxes'):
        predictor.predict()
    with pytest.raises(ValueError, match='x1 > x0'):
        predictor.predict(boxes=[[50, 50, 10, 80]])
    with pytest.raises(ValueError, match='2 boxes but 1 labels'):
        predictor.predict(boxes=BOXES, box_labels=[1])
    with pytest.raises(ValueError, match='1 \\(positive\\) or 0'):
        predictor.predict(boxes=BOXES[:1], box_labels=[2])
    with pytest.raises(RuntimeError, match='set_image'):
        Sam3Predictor(tiny_sam3, resolution=224).predict('disc')
    with pytest.raises(ValueError, match='multiple of the trunk\'s patch size 14'):
        Sam3Predictor(tiny_sam3, resolution=230)
    with pytest.raises(ValueError, match='HxWx3 uint8'):
        predictor.set_image(np.zeros((10, 10), np.uint8))
