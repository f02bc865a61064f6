"""``export_onnx.py sam --sam-interface``: the graph of segment-anything's ``scripts/export_onnx_model.py``.

The reference is segment-anything's own ``SamOnnxModel``, exported the way its script does (TorchScript
exporter, ``num_points`` dynamic); both files run in onnxruntime on the same small random decoder.
"""
import numpy as np
import pytest
import torch

pytest.importorskip('onnxruntime', reason='ONNX tests need the deploy extra: pip install -e .[deploy]')
onnx = pytest.importorskip('onnx')

from segment_anything.modeling import (ImageEncoderViT, MaskDecoder, PromptEncoder, Sam,  # noqa: E402
                                       TwoWayTransformer)
from segment_anything.utils.onnx import SamOnnxModel  # noqa: E402

from radio_dense.deploy import run_onnx  # noqa: E402
from radio_dense.deploy.sam_decoder import (SAM_INTERFACE_INPUTS, SAM_INTERFACE_OUTPUTS,  # noqa: E402
                                            export_sam_interface_onnx)

DIM, GRID, CANVAS = 32, (8, 8), (128, 128)


def small_sam(seed: int = 0) -> Sam:
    """A segment-anything ``Sam`` at 1/8 width (random weights): the decoder is what both graphs export."""
    torch.manual_seed(seed)
    encoder = ImageEncoderViT(img_size=CANVAS[0], patch_size=16, embed_dim=16, depth=1, num_heads=1, out_chans=DIM)
    prompts = PromptEncoder(embed_dim=DIM, image_embedding_size=GRID, input_image_size=CANVAS, mask_in_chans=4)
    decoder = MaskDecoder(num_multimask_outputs=3, transformer_dim=DIM, iou_head_depth=2, iou_head_hidden_dim=16,
                          transformer=TwoWayTransformer(depth=2, embedding_dim=DIM, mlp_dim=64, num_heads=2))
    return Sam(encoder, prompts, decoder).eval()


def export_upstream(sam: Sam, path: str, return_single_mask: bool) -> None:
    """segment-anything's script: SamOnnxModel, TorchScript export, dynamic num_points, opset 17."""
    inputs = {'image_embeddings': torch.randn(1, DIM, *GRID), 'point_coords': torch.randint(0, 128, (1, 5, 2)).float(),
              'point_labels': torch.randint(0, 4, (1, 5)).float(), 'mask_input': torch.randn(1, 1, 32, 32),
              'has_mask_input': torch.tensor([1.0]), 'orig_im_size': torch.tensor([150.0, 100.0])}
    with torch.no_grad():
        torch.onnx.export(SamOnnxModel(sam, return_single_mask), tuple(inputs.values()), path, dynamo=False,
                          opset_version=17, input_names=list(inputs), output_names=list(SAM_INTERFACE_OUTPUTS),
                          dynamic_axes={'point_coords': {1: 'num_points'}, 'point_labels': {1: 'num_points'}})


def signature(path: str):
    """(name, element type, dims) of every input and output; a dynamic dim reads as its name or '?'."""
    graph = onnx.load(path).graph

    def dims(value):
        return tuple(d.dim_value if d.HasField('dim_value') else d.dim_param if d.dim_param == 'num_points' else '?'
                     for d in value.type.tensor_type.shape.dim)
    return ([(v.name, v.type.tensor_type.elem_type, dims(v)) for v in graph.input],
            [(v.name, v.type.tensor_type.elem_type, len(v.type.tensor_type.shape.dim)) for v in graph.output])


def prompt(points, labels, orig, mask=None):
    return {'image_embeddings': torch.randn(1, DIM, *GRID).numpy(),
            'point_coords': np.array([points], np.float32), 'point_labels': np.array([labels], np.float32),
            'mask_input': (mask if mask is not None else np.zeros((1, 1, 32, 32))).astype(np.float32),
            'has_mask_input': np.array([0.0 if mask is None else 1.0], np.float32),
            'orig_im_size': np.array(orig, np.float32)}


@pytest.mark.parametrize('return_single_mask', [False, True], ids=['all-masks', 'single-mask'])
def test_sam_interface_matches_segment_anything_export(tmp_path, return_single_mask):
    sam = small_sam()
    ours, theirs = str(tmp_path / 'ours.onnx'), str(tmp_path / 'theirs.onnx')
    checks = export_sam_interface_onnx(sam.prompt_encoder, sam.mask_decoder, ours, GRID, CANVAS,
                                       return_single_mask=return_single_mask)
    assert len(checks) == 2 and all(c.worst < 1e-4 for c in checks)
    export_upstream(sam, theirs, return_single_mask)
    assert signature(ours) == signature(theirs)
    assert [n for n, *_ in signature(ours)[0]] == list(SAM_INTERFACE_INPUTS)

    torch.manual_seed(1)
    cases = [prompt([[30, 40], [0, 0]], [1, -1], (300, 200)),                        # one click: multimask choice
             prompt([[30, 40], [90, 20], [0, 0]], [1, 0, -1], (90, 200)),            # two clicks: single-mask token
             prompt([[60, 50], [10, 20], [100, 110]], [1, 2, 3], (128, 128),       # point, box and mask
                    np.random.RandomState(0).randn(1, 1, 32, 32)),
             prompt([[5, 9], [0, 0]], [0, -1], (75, 50))]
    masks = 1 if return_single_mask else 4
    reference = SamOnnxModel(sam, return_single_mask)
    for inputs in cases:
        got = run_onnx(ours, inputs)
        with torch.no_grad():
            ref = dict(zip(SAM_INTERFACE_OUTPUTS, (t.numpy() for t in reference(**{k: torch.from_numpy(v)
                                                                                   for k, v in inputs.items()}))))
        assert list(got) == list(SAM_INTERFACE_OUTPUTS)
        h, w = inputs['orig_im_size'].astype(int)
        assert got['masks'].shape == ref['masks'].shape == (1, masks, h, w)
        assert got['low_res_masks'].shape == (1, masks, 32, 32)
        diff = {name: float(np.abs(got[name] - ref[name]).max()) for name in SAM_INTERFACE_OUTPUTS}
        assert max(diff.values()) < 1e-4, diff
        # segment-anything's own file: its trace keeps the padding crop of the example image (150 x 100 ->
        # 128 x 85, a TracerWarning), so it agrees only on images of that aspect ratio; ours crops any
        if h * 2 == w * 3:
            theirs_out = run_onnx(theirs, inputs)
            assert list(theirs_out) == list(SAM_INTERFACE_OUTPUTS)
            for name in SAM_INTERFACE_OUTPUTS:
                assert np.abs(got[name] - theirs_out[name]).max() < 1e-4, name


def test_cli_sam_interface(tmp_path, capsys):
    from radio_dense.tools.deploy.export_onnx import main
    out = tmp_path / 'sam.onnx'
    assert main(['sam', '--sam-interface', '--return-single-mask', '--grid', '8', '8', '--out', str(out)]) == 0
    printed = capsys.readouterr()
    assert printed.out.count('max abs diff') == 2 and 'orig_im_size' in printed.out and 'random' in printed.err
    inputs, outputs = signature(str(out))
    assert [n for n, *_ in inputs] == list(SAM_INTERFACE_INPUTS)
    assert [n for n, *_ in outputs] == list(SAM_INTERFACE_OUTPUTS)
    with pytest.raises(SystemExit):
        main(['sam', '--return-single-mask', '--out', str(out)])
    assert '--return-single-mask belongs to --sam-interface' in capsys.readouterr().err
