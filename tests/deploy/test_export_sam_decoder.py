"""ONNX export of SAM's prompt encoder + mask decoder on RADIO embeddings, at non-64x64 grids."""
import numpy as np
import pytest
import torch

pytest.importorskip('onnxruntime', reason='ONNX tests need the deploy extra: pip install -e .[deploy]')

from radio_dense.deploy import run_onnx  # noqa: E402
from radio_dense.deploy.sam_decoder import export_sam_decoder_onnx  # noqa: E402
from tests.sam.conftest import radio_sam, shapes_image  # noqa: E402,F401  (radio_sam: a fixture)


@pytest.mark.parametrize('image_size,pad_to_square', [((240, 320), False), ((200, 256), True)],
                         ids=['15x20-grid', '16x16-grid'])
def test_sam_decoder_export_matches_radio_sam_decode(radio_sam, tmp_path, image_size, pad_to_square):
    geometry = radio_sam.geometry(image_size, resolution=max(image_size) if not pad_to_square else 256,
                                  pad_to_square=pad_to_square)
    image = torch.from_numpy(shapes_image(*geometry.input_size)).permute(2, 0, 1)[None].float()
    with torch.no_grad():
        embedding = radio_sam.image_encoder(radio_sam.preprocess(image, geometry))
    grid, canvas = tuple(embedding.shape[-2:]), geometry.canvas_size
    path = str(tmp_path / 'sam_decoder.onnx')
    checks = export_sam_decoder_onnx(radio_sam.prompt_encoder, radio_sam.mask_decoder, path, grid, canvas)
    assert len(checks) == 2 and all(c.worst < 1e-4 for c in checks)

    # the graph on a real RADIO embedding vs RadioSam.decode (segment-anything's modules) in PyTorch
    h, w = canvas
    points = torch.tensor([[[0.3 * w, 0.45 * h], [0.75 * w, 0.4 * h]]])
    labels = torch.tensor([[1.0, 0.0]])
    box = torch.tensor([[0.55 * w, 0.15 * h, 0.95 * w, 0.75 * h]])
    prev = torch.randn(1, 1, 4 * grid[0], 4 * grid[1])
    cases = [  # (decode kwargs, graph points, graph labels, mask or None)
        (dict(point_coords=points, point_labels=labels),
         torch.cat([points, torch.zeros(1, 1, 2)], 1), torch.cat([labels, -torch.ones(1, 1)], 1), None),
        (dict(point_coords=points[:, :1], point_labels=labels[:, :1], boxes=box, mask_input=prev),
         torch.cat([points[:, :1], box.reshape(1, 2, 2)], 1), torch.tensor([[1.0, 2.0, 3.0]]), prev),
    ]
    for kwargs, coords, point_labels, mask in cases:
        with torch.no_grad():
            ref_masks, ref_iou = radio_sam.decode(embedding, canvas, multimask_output=True, **kwargs)
        out = run_onnx(path, {'image_embeddings': embedding.numpy(), 'point_coords': coords.numpy(),
                              'point_labels': point_labels.numpy(),
                              'mask_input': (mask if mask is not None else torch.zeros_like(prev)).numpy(),
                              'has_mask_input': np.array([0.0 if mask is None else 1.0], dtype=np.float32)})
        assert out['low_res_masks'].shape == (1, 3, 4 * grid[0], 4 * grid[1])
        assert np.abs(out['low_res_masks'] - ref_masks.numpy()).max() < 1e-4
        assert np.abs(out['iou_predictions'] - ref_iou.numpy()).max() < 1e-4
