"""RepromptDecoder (the predictor's fast re-prompting path) against segment-anything's MaskDecoder.forward."""
import numpy as np
import pytest
import torch
from segment_anything.modeling import MaskDecoder

from radio_dense.sam import RadioSam, RadioSamPredictor, SamGeometry
from radio_dense.sam.modeling.prompt_decoder import (build_mask_decoder, build_prompt_encoder,
                                                     dense_positional_encoding, prompt_encoder_at)
from radio_dense.sam.modeling.reprompt_decoder import RepromptDecoder, supports_reprompt

TOL = 1e-4  # observed: ~3e-6 on logits of magnitude ~3 (float summation order)


def _perturbed_decoder(seed: int = 0):
    """SAM-sized prompt encoder and decoder with every parameter (biases, norms too) away from its init."""
    torch.manual_seed(seed)
    prompt_encoder, mask_decoder = build_prompt_encoder().eval(), build_mask_decoder().eval()
    with torch.no_grad():
        for p in list(prompt_encoder.parameters()) + list(mask_decoder.parameters()):
            p.add_(0.05 * torch.randn_like(p))
    return prompt_encoder, mask_decoder


@pytest.fixture(scope='module')
def decoders():
    return _perturbed_decoder()


# (batch, points, box, mask input, multimask): one point (the low-rank path: 7 tokens x 8 heads < 128),
# many points (16+ tokens: the projection path), boxes, a mask prompt (no per-image cache), batches
PROMPTS = [(1, 1, False, False, True), (1, 3, True, False, False), (3, 2, False, False, True),
           (2, 0, True, False, True), (1, 14, False, False, True), (2, 1, False, True, True),
           (1, 30, True, True, False)]


@pytest.mark.parametrize('grid', [(64, 64), (48, 80)])
@pytest.mark.parametrize('batch,points,box,mask,multimask', PROMPTS)
def test_equals_segment_anything_mask_decoder(decoders, grid, batch, points, box, mask, multimask):
    prompt_encoder, mask_decoder = decoders
    canvas = (16 * grid[0], 16 * grid[1])
    encoder = prompt_encoder_at(prompt_encoder, grid, canvas)
    generator = torch.Generator().manual_seed(batch * 100 + points)
    embedding = torch.randn(1, 256, *grid, generator=generator)
    coords = labels = boxes = mask_input = None
    if points:
        coords = torch.rand(batch, points, 2, generator=generator) * torch.tensor([canvas[1], canvas[0]])
        labels = torch.randint(0, 2, (batch, points), generator=generator)
    if box:
        boxes = torch.tensor([[100.0, 120.0, 500.0, 600.0]]).repeat(batch, 1)
    if mask:
        mask_input = torch.randn(batch, 1, 4 * grid[0], 4 * grid[1], generator=generator)
    image_pe = dense_positional_encoding(encoder)
    with torch.no_grad():
        sparse, dense = encoder(points=None if coords is None else (coords, labels), boxes=boxes, masks=mask_input)
        expected = mask_decoder(image_embeddings=embedding, image_pe=image_pe, sparse_prompt_embeddings=sparse,
                                dense_prompt_embeddings=dense, multimask_output=multimask)
        got = RepromptDecoder(encoder, mask_decoder, embedding, image_pe)(coords, labels, boxes, mask_input, multimask)
    masks = 3 if multimask else 1
    assert got[0].shape == expected[0].shape == (batch, masks, 4 * grid[0], 4 * grid[1])
    assert got[1].shape == expected[1].shape == (batch, masks)
    assert float(expected[0].abs().max()) > 0.5  # logits of a real size, so TOL means something
    for a, b in zip(got, expected):
        assert float((a - b).abs().max()) < TOL


def test_other_decoder_layouts_fall_back_to_their_own_forward(decoders):
    class CustomDecoder(MaskDecoder):  # e.g. HQ-SAM: another forward on the same modules
        def forward(self, *args, **kwargs):
            masks, iou = super().forward(*args, **kwargs)
            return masks + 1.0, iou

    prompt_encoder, mask_decoder = decoders
    custom = CustomDecoder(transformer_dim=256, transformer=mask_decoder.transformer, num_multimask_outputs=3)
    custom.load_state_dict(mask_decoder.state_dict())
    assert supports_reprompt(mask_decoder) and not supports_reprompt(custom)
    embedding = torch.randn(1, 256, 16, 16)
    with pytest.raises(TypeError, match="use its own forward"):
        RepromptDecoder(prompt_encoder, custom, embedding, torch.randn(1, 256, 16, 16))
    model = RadioSam(torch.nn.Identity(), prompt_encoder, custom, resolution=256).eval()
    predictor = RadioSamPredictor(model)
    predictor.set_image_embedding(embedding, SamGeometry.for_image((200, 256), 256))
    point = dict(point_coords=np.array([[100.0, 80.0]]), point_labels=np.array([1]), return_logits=True)
    _, _, low_res = predictor.predict(**point)
    with torch.no_grad():
        expected, _ = model.decode(embedding, (256, 256), torch.tensor([[[100.0, 80.0]]]), torch.tensor([[1]]))
    assert np.array_equal(low_res, expected[0].numpy())  # the subclass's own forward ran (its + 1.0)


def test_predictor_follows_new_decoder_weights_and_can_run_segment_anything_forward():
    prompt_encoder, mask_decoder = _perturbed_decoder(seed=1)
    model = RadioSam(torch.nn.Identity(), prompt_encoder, mask_decoder, resolution=512).eval()
    embedding = torch.randn(1, 256, 32, 32)
    geometry = SamGeometry.for_image((384, 512), 512)
    fast, exact = RadioSamPredictor(model), RadioSamPredictor(model, fast_decoder=False)
    for predictor in (fast, exact):
        predictor.set_image_embedding(embedding, geometry)
    point = dict(point_coords=np.array([[300.0, 200.0]]), point_labels=np.array([1]), return_logits=True)

    @torch.no_grad()
    def exact_logits():
        low_res, _ = model.decode(embedding, geometry.canvas_size, torch.tensor([[[300.0, 200.0]]]),
                                  torch.tensor([[1]]))
        return low_res[0].numpy()

    assert np.array_equal(exact.predict(**point)[2], exact_logits())  # segment-anything's forward, bit for bit
    first = fast.predict(**point)[2]
    assert np.abs(first - exact_logits()).max() < TOL
    other = _perturbed_decoder(seed=2)[1]
    model.mask_decoder.load_state_dict(other.state_dict())  # new weights, same image
    again = fast.predict(**point)[2]
    assert np.abs(again - first).max() > 0.1  # the bound decoder was rebuilt ...
    assert np.abs(again - exact_logits()).max() < TOL  # ... from the new weights
