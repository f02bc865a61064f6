"""RadioSam on the radio_tiny fixture's ``sam`` adaptor with a random SAM decoder, at several resolutions."""
import numpy as np
import pytest
import torch

from radio_dense.sam import AdaptorNeck, ConvNeck, RadioSamPredictor, SamGeometry, build_radio_sam
from radio_dense.sam.modeling.prompt_decoder import build_prompt_encoder, prompt_encoder_at

from .conftest import shapes_image


@pytest.mark.parametrize('resolution,pad,image_hw,grid', [
    (512, True, (240, 320), (32, 32)),
    (1024, True, (240, 320), (64, 64)),
    (1536, True, (240, 320), (96, 96)),
    (1024, False, (768, 1024), (48, 64)),
    (768, False, (250, 330), (37, 48)),  # 582x768 resized, padded to 592x768
])
def test_predict_any_resolution(radio_sam, resolution, pad, image_hw, grid):
    image = shapes_image(*image_hw)
    predictor = RadioSamPredictor(radio_sam, resolution=resolution, pad_to_square=pad)
    predictor.set_image(image)
    assert tuple(predictor.get_image_embedding().shape) == (1, 256, *grid)
    h, w = image_hw
    masks, scores, low_res = predictor.predict(np.array([[w * 0.3, h * 0.45]]), np.array([1]))
    assert masks.shape == (3, h, w) and masks.dtype == bool
    assert scores.shape == (3,) and np.isfinite(scores).all()
    assert low_res.shape == (3, 4 * grid[0], 4 * grid[1])
    # refine with a box and the previous logits as mask prompt
    masks, scores, low_res2 = predictor.predict(box=np.array([w * 0.1, h * 0.2, w * 0.5, h * 0.7]),
                                                mask_input=low_res[:1], multimask_output=False)
    assert masks.shape == (1, h, w) and low_res2.shape == (1, 4 * grid[0], 4 * grid[1])


def test_embedding_computed_once(radio_sam, monkeypatch):
    predictor = RadioSamPredictor(radio_sam, resolution=256)
    calls = []
    original = radio_sam.image_encoder.forward
    monkeypatch.setattr(radio_sam.image_encoder, 'forward', lambda x: calls.append(x.shape) or original(x))
    predictor.set_image(shapes_image())
    for x in (40, 80, 120):
        predictor.predict(np.array([[x, 60]]), np.array([1]))
    assert calls == [torch.Size([1, 3, 256, 256])]
    predictor.reset_image()
    with pytest.raises(RuntimeError, match='set_image'):
        predictor.predict(np.array([[10, 10]]), np.array([1]))


def test_predict_torch_batch_and_bgr(radio_sam):
    image = shapes_image()
    predictor = RadioSamPredictor(radio_sam, resolution=512)
    predictor.set_image(image)
    boxes = predictor.transform.apply_boxes_torch(torch.tensor([[10.0, 10, 100, 100], [150, 40, 300, 200]]),
                                                  image.shape[:2])
    masks, scores, low_res = predictor.predict_torch(None, None, boxes, multimask_output=False)
    assert masks.shape == (2, 1, 240, 320) and scores.shape == (2, 1) and low_res.shape == (2, 1, 128, 128)
    rgb = predictor.get_image_embedding().clone()
    predictor.set_image(image[..., ::-1].copy(), image_format='BGR')
    assert torch.allclose(rgb, predictor.get_image_embedding())


def test_sam_forward_api(radio_sam):
    """RadioSam(batched_input, multimask_output) as segment-anything's Sam.forward."""
    image = shapes_image()
    predictor = RadioSamPredictor(radio_sam, resolution=512)
    resized = torch.as_tensor(predictor.transform.apply_image(image)).permute(2, 0, 1)
    box = predictor.transform.apply_boxes_torch(torch.tensor([[10.0, 10, 100, 100]]), image.shape[:2])
    old = radio_sam.resolution
    radio_sam.resolution = 512
    try:
        out = radio_sam([{'image': resized, 'original_size': image.shape[:2], 'boxes': box}], multimask_output=False)
    finally:
        radio_sam.resolution = old
    predictor.set_image(image)
    expected = predictor.predict_torch(None, None, box, multimask_output=False, return_logits=True)
    assert out[0]['masks'].shape == (1, 1, 240, 320)
    assert torch.allclose(out[0]['low_res_logits'], expected[2], atol=1e-5)


def test_dense_pe_matches_point_encoding_on_non_square_grid():
    """A point at a patch centre gets the dense positional encoding of that patch (768x1024 canvas)."""
    encoder = build_prompt_encoder()
    view = prompt_encoder_at(encoder, (48, 64), (768, 1024))
    assert encoder.image_embedding_size == (64, 64) and encoder.input_image_size == (1024, 1024)
    assert view.pe_layer is encoder.pe_layer and view.mask_input_size == (192, 256)
    dense = view.get_dense_pe()[0]
    assert dense.shape == (256, 48, 64)
    rows, cols = torch.tensor([0, 10, 47]), torch.tensor([63, 5, 0])
    points = torch.stack([(cols + 0.5) * 16, (rows + 0.5) * 16], dim=-1)[None] - 0.5  # _embed_points adds 0.5
    encoded = view.pe_layer.forward_with_coords(points + 0.5, view.input_image_size)[0]
    assert torch.allclose(encoded, dense[:, rows, cols].T, atol=1e-5)


def test_geometry_maps_prompts_and_masks():
    g = SamGeometry.for_image((300, 400), 512, pad_to_square=False)
    assert g.input_size == (384, 512) and g.canvas_size == (384, 512)
    g = SamGeometry.for_image((250, 330), 768, pad_to_square=False)
    assert g.input_size == (582, 768) and g.canvas_size == (592, 768)
    np.testing.assert_allclose(g.apply_boxes(np.array([0, 0, 330, 250])), [0, 0, 768, 582])
    logits = torch.zeros(1, 1, 148, 192)
    logits[..., :20, :30] = 1
    assert g.postprocess_masks(logits).shape == (1, 1, 250, 330)
    with pytest.raises(ValueError, match='multiple of the patch size'):
        SamGeometry.for_image((10, 10), 1000)


def test_conv_neck_and_errors(hub_checkpoint):
    model = build_radio_sam(dict(source=hub_checkpoint), neck='conv', resolution=256, seed=0)
    assert isinstance(model.image_encoder.neck, ConvNeck) and model.image_encoder.neck.in_channels == 192
    trainable = {n.split('.')[0] + '.' + n.split('.')[1] for n, p in model.named_parameters() if p.requires_grad}
    assert 'image_encoder.neck' in trainable and not any(n.startswith('image_encoder.radio') for n in trainable)
    predictor = RadioSamPredictor(model)
    predictor.set_image(shapes_image())
    assert predictor.get_image_embedding().shape == (1, 256, 16, 16)
    with pytest.raises(ValueError, match="adaptor_names=\\['sam'\\]"):
        AdaptorNeck()(model.image_encoder.radio(torch.zeros(1, 3, 32, 32), feature_fmt='NCHW'))
    with pytest.raises(ValueError, match='mask_input must be'):
        predictor.predict(np.array([[5, 5]]), np.array([1]), mask_input=np.zeros((1, 256, 256)))
    with pytest.raises(ValueError, match='uint8'):
        predictor.set_image(np.zeros((10, 10, 3), dtype=np.float32))
