"""The SAM3 builder shim: sam3's modules on CPU, a located vocabulary, safe weight loading with clear errors."""
import argparse
import os

import pytest
import torch

from radio_dense.sam3 import SAM3_TINY, Sam3CheckpointError, Sam3Predictor, build_radio_sam3, build_sam3_image
from radio_dense.sam3.vocab import BPE_FILENAME, locate_bpe_vocab

from .conftest import scene_image


def test_builds_on_cpu_without_cuda_allocations():
    from sam3.model.sam3_image import Sam3Image
    model = build_sam3_image(SAM3_TINY, seed=0)  # fresh: caches fill on first use
    assert isinstance(model, Sam3Image) and not model.training
    tensors = list(model.parameters()) + list(model.buffers())
    assert all(t.device.type == 'cpu' for t in tensors)
    assert all(torch.isfinite(p).all() for p in model.parameters())  # sam3 leaves two text tensors empty
    assert model.backbone.vision_backbone.position_encoding.cache == {}  # nothing precomputed (on 'cuda')
    assert model.transformer.decoder.compilable_cord_cache is None  # made lazily on the features' device
    assert sum(t.numel() for t in model.parameters()) < 6_000_000
    again = build_sam3_image(SAM3_TINY, seed=0)
    assert all(torch.equal(a, b) for a, b in zip(model.parameters(), again.parameters()))  # seeded


def test_pin_memory_guard_is_scoped(tiny_sam3):
    """Without CUDA, sam3's box encoder calls pin_memory(): a no-op only while the encoder runs."""
    original = torch.Tensor.pin_memory
    predictor = Sam3Predictor(tiny_sam3, resolution=224, confidence_threshold=0.0)
    predictor.set_image(scene_image(64, 64))
    assert len(predictor.predict(boxes=[[5, 5, 40, 40]])) == 12
    assert torch.Tensor.pin_memory is original
    if not torch.cuda.is_available():
        with pytest.raises(RuntimeError):
            torch.zeros(2).pin_memory()  # the guard did not leak


def test_vocabulary_is_located(monkeypatch, tmp_path):
    path = locate_bpe_vocab()
    assert os.path.basename(path) == BPE_FILENAME and os.path.getsize(path) > 1_000_000
    monkeypatch.setenv('SAM3_BPE_PATH', str(tmp_path / 'nowhere.txt.gz'))
    assert locate_bpe_vocab() == path  # a wrong env var falls through to the installed copies
    with pytest.raises(FileNotFoundError, match='does not exist'):
        locate_bpe_vocab(str(tmp_path / 'missing.gz'))


def _save_released_layout(model, path, drop=()):
    """The layout of Meta's sam3.pt: {'model': {'detector.*': ..., 'tracker.*': ...}}."""
    state = {f'detector.{k}': v.clone() for k, v in model.state_dict().items() if not k.startswith(drop)}
    state['tracker.maskmem_tpos_enc'] = torch.zeros(7, 1, 1, 64)
    torch.save({'model': state}, path)


def test_released_layout_round_trip(tiny_sam3, tmp_path):
    path = tmp_path / 'sam3.pt'
    _save_released_layout(tiny_sam3, path)
    loaded = build_sam3_image(SAM3_TINY, checkpoint=str(path), seed=123)
    image = scene_image(120, 160)
    results = []
    for model in (tiny_sam3, loaded):
        predictor = Sam3Predictor(model, resolution=224, confidence_threshold=0.0)
        predictor.set_image(image)
        results.append(predictor.predict('disc', boxes=[[10, 10, 60, 60]]))
    assert torch.equal(results[0].scores, results[1].scores)
    assert torch.equal(results[0].mask_probs, results[1].mask_probs)


def test_radio_trunk_takes_everything_but_the_vit(tiny_sam3, sam3_radio_checkpoint, tmp_path):
    path = tmp_path / 'sam3.pt'
    _save_released_layout(tiny_sam3, path)
    model = build_radio_sam3(dict(source=sam3_radio_checkpoint), sam3_checkpoint=str(path), size=SAM3_TINY, seed=5)
    ours, theirs = model.state_dict(), tiny_sam3.state_dict()
    for key, value in theirs.items():
        if not key.startswith('backbone.vision_backbone.trunk.'):
            assert torch.equal(ours[key], value), key
    assert any(k.startswith('backbone.vision_backbone.trunk.radio.') for k in ours)


def test_checkpoint_errors_name_where_to_get_weights(tiny_sam3, tmp_path):
    with pytest.raises(FileNotFoundError, match='huggingface.co/facebook/sam3'):
        build_sam3_image(SAM3_TINY, checkpoint=str(tmp_path / 'sam3.pt'))
    partial = tmp_path / 'partial.pt'
    _save_released_layout(tiny_sam3, partial, drop=('transformer.decoder.',))
    with pytest.raises(Sam3CheckpointError, match='lacks .* SAM3 weights.*transformer.decoder'):
        build_sam3_image(SAM3_TINY, checkpoint=str(partial))
    pickled = tmp_path / 'pickled.pt'
    torch.save({'model': {'detector.x': torch.zeros(1)}, 'args': argparse.Namespace(a=1)}, pickled)
    with pytest.raises(Sam3CheckpointError, match='not allowed for safe loading'):
        build_sam3_image(SAM3_TINY, checkpoint=str(pickled))
    truncated = tmp_path / 'truncated.pt'
    truncated.write_bytes(partial.read_bytes()[:1000])
    with pytest.raises(Sam3CheckpointError, match='not a readable torch file'):
        build_sam3_image(SAM3_TINY, checkpoint=str(truncated))


def test_bf16_predictor_runs_and_returns_float32(tiny_sam3):
    """--dtype bf16 on the SAM3 side: image embedding, text and grounding under bf16 autocast."""
    fp32 = Sam3Predictor(tiny_sam3, resolution=224, confidence_threshold=0.0)
    bf16 = Sam3Predictor(tiny_sam3, resolution=224, confidence_threshold=0.0, dtype='bf16')
    assert bf16.dtype == torch.bfloat16 and fp32.dtype == torch.float32
    image = scene_image(64, 64)
    fp32.set_image(image)
    bf16.set_image(image)
    assert bf16.get_image_features().dtype == torch.float32
    cos = torch.nn.functional.cosine_similarity(bf16.get_image_features().flatten(),
                                                fp32.get_image_features().flatten(), dim=0)
    assert cos > 0.99
    got, ref = bf16.predict('disc'), fp32.predict('disc')
    assert len(got) == len(ref) == 12 and got.scores.dtype == ref.scores.dtype
