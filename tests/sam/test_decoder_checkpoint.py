"""SAM decoder weights: extraction from an official-layout checkpoint and loading into RadioSam."""
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from segment_anything.modeling import MaskDecoder, PromptEncoder

from radio_dense.sam import SamDecoderCheckpointError, build_radio_sam, load_sam_decoder_state
from radio_dense.sam.modeling.prompt_decoder import build_mask_decoder, build_prompt_encoder

REPO = Path(__file__).resolve().parents[2]


class Payload:
    """An arbitrary pickled object, which weights_only loading must refuse."""


@pytest.fixture(scope='module')
def fake_official_checkpoint(tmp_path_factory):
    """A state dict laid out like sam_vit_*.pth: image_encoder.* + prompt_encoder.* + mask_decoder.*."""
    torch.manual_seed(1)
    state = {f'prompt_encoder.{k}': v for k, v in build_prompt_encoder().state_dict().items()}
    state.update({f'mask_decoder.{k}': v for k, v in build_mask_decoder().state_dict().items()})
    state['image_encoder.patch_embed.proj.weight'] = torch.randn(8, 3, 16, 16)
    path = tmp_path_factory.mktemp('sam_ckpt') / 'sam_vit_x.pth'
    torch.save(state, path)
    return path, state


def test_extract_tool_and_load(fake_official_checkpoint, tmp_path, hub_checkpoint):
    path, state = fake_official_checkpoint
    out = tmp_path / 'decoder.safetensors'
    run = subprocess.run([sys.executable, str(REPO / 'tools' / 'convert' / 'extract_sam_decoder.py'), str(path),
                          str(out)], capture_output=True, text=True, cwd=REPO)
    assert run.returncode == 0, run.stderr
    assert 'Wrote' in run.stdout and out.stat().st_size < path.stat().st_size
    extracted = load_sam_decoder_state(str(out))
    assert not any(k.startswith('image_encoder') for k in extracted)
    assert set(extracted) == {k for k in state if not k.startswith('image_encoder')}
    for source in (str(out), str(path)):  # extract or the official file itself
        model = build_radio_sam(dict(source=hub_checkpoint), decoder_checkpoint=source, seed=5)
        assert isinstance(model.prompt_encoder, PromptEncoder) and isinstance(model.mask_decoder, MaskDecoder)
        for key, value in extracted.items():
            part, name = key.split('.', 1)
            assert torch.equal(getattr(model, part).state_dict()[name], value), key


def test_decoder_checkpoint_errors(tmp_path):
    with pytest.raises(FileNotFoundError, match='extract_sam_decoder'):
        load_sam_decoder_state(str(tmp_path / 'missing.pth'))
    bad = tmp_path / 'other.pth'
    torch.save({'backbone.weight': torch.zeros(2)}, bad)
    with pytest.raises(SamDecoderCheckpointError, match='prompt_encoder'):
        load_sam_decoder_state(str(bad))
    pickled = tmp_path / 'pickled.pth'
    torch.save({'prompt_encoder.x': torch.zeros(1), 'obj': Payload()}, pickled)
    with pytest.raises(SamDecoderCheckpointError, match='weights_only'):
        load_sam_decoder_state(str(pickled))
