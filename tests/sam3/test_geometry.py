"""Sam3Geometry: image placement on the canvas, prompt and output mapping (no model needed)."""
import pytest
import torch

from radio_dense.sam3 import Sam3Geometry


@pytest.mark.parametrize('mode, resolution, input_size, canvas', [
    ('stretch', 1152, (1152, 1152), (1152, 1152)),
    ('pad', 1152, (768, 1152), (1152, 1152)),
    ('fit', 1152, (768, 1152), (768, 1152)),
    ('fit', 512, (341, 512), (352, 512)),
])
def test_sizes(mode, resolution, input_size, canvas):
    g = Sam3Geometry.for_image((600, 900), resolution, mode)
    assert (g.input_size, g.canvas_size) == (input_size, canvas)


@pytest.mark.parametrize('mode', ['stretch', 'pad', 'fit'])
def test_boxes_and_points_round_trip(mode):
    g = Sam3Geometry.for_image((200, 300), 320, mode)
    boxes = torch.tensor([[30.0, 20.0, 120.0, 180.0], [0.0, 0.0, 300.0, 200.0]])
    canvas = g.boxes_to_canvas(boxes)
    assert torch.allclose(g.boxes_to_original(canvas), boxes, atol=1e-4)
    # the whole image spans the resized part of the canvas
    full = canvas[1]
    fx, fy = g.input_size[1] / g.canvas_size[1], g.input_size[0] / g.canvas_size[0]
    assert torch.allclose(full, torch.tensor([fx / 2, fy / 2, fx, fy]))
    points = g.points_to_canvas(torch.tensor([[300.0, 200.0]]))
    assert torch.allclose(points, full[None, :2] * 2)


def test_masks_drop_the_padding():
    g = Sam3Geometry.for_image((100, 200), 64, 'pad')  # image on the top half of a 64x64 canvas
    logits = torch.full((1, 16, 16), -10.0)
    logits[:, 8:] = 10.0  # only the padding says "object"
    out = g.masks_to_original(logits)
    assert out.shape == (1, 100, 200)
    assert (out > 0).float().mean() < 0.05  # bilinear bleed at the border only
    assert g.masks_to_original(torch.zeros(0, 16, 16)).shape == (0, 100, 200)


def test_prepare_image_normalises_and_pads():
    g = Sam3Geometry.for_image((20, 40), 32, 'fit', step=16)
    image = torch.full((3, 20, 40), 255, dtype=torch.uint8)
    canvas = g.prepare_image(image)
    assert canvas.shape == (1, 3, 16, 32)
    assert torch.allclose(canvas[..., :g.input_size[0], :], torch.ones(1))
    assert torch.all(canvas[..., g.input_size[0]:, :] == 0)


def test_bad_arguments():
    with pytest.raises(ValueError, match='multiple of the trunk\'s patch size 16.*try 1152'):
        Sam3Geometry.for_image((10, 10), 1150, 'fit')
    with pytest.raises(ValueError, match='mode must be one of'):
        Sam3Geometry.for_image((10, 10), 1152, 'crop')
    with pytest.raises(ValueError, match='uint8'):
        Sam3Geometry.for_image((10, 10), 32).prepare_image(torch.zeros(3, 10, 10))
