"""Text towers reproduce upstream's adaptor ``tokenizer`` + ``encode_text`` (fixtures: ``--case text``).

``tests/fixtures/upstream/text/`` holds three random tiny towers run through upstream's own
``OpenCLIP_RADIO`` (a DFN-CLIP-style and a SigLIP-style open_clip model) and ``SigLIP2Adaptor``
(transformers' SigLIP2 + upstream's text canonicalisation), with upstream's tokens and embeddings.
"""
import json
from pathlib import Path

import pytest
import torch

from radio_dense.radio.text_towers import (OpenCLIPTextTower, SigLIP2TextTower, TextTowerUnavailable,
                                           canonicalize_text, class_embeddings, load_text_tower, text_teacher)

open_clip = pytest.importorskip('open_clip')
transformers = pytest.importorskip('transformers')

TEXT_DIR = Path(__file__).resolve().parents[1] / 'fixtures' / 'upstream' / 'text'
TOL = 1e-5


@pytest.fixture(scope='module')
def fixture():
    with open(TEXT_DIR / 'towers.json') as f:
        index = json.load(f)
    return index, torch.load(TEXT_DIR / 'reference.pt', weights_only=True)


def _weights(refs, name):
    prefix = f'{name}.weights.'
    return {k[len(prefix):]: v.float() for k, v in refs.items() if k.startswith(prefix)}


def build_tower(name, spec, refs, tmp_dir: Path):
    """Our tower for a fixture tower: built by our code from the recorded config + weights."""
    if spec['type'] == 'open_clip':
        cfg = json.loads(json.dumps(spec['model_config']).replace('{tokenizer}', str(TEXT_DIR / 'tokenizer')))
        path = tmp_dir / f'{name}.json'
        path.write_text(json.dumps(cfg))
        open_clip.add_model_config(str(path))
        tower = OpenCLIPTextTower.from_pretrained(name, pretrained=None)
        tower.model.load_state_dict(_weights(refs, name))
    else:
        config = transformers.Siglip2TextConfig(**spec['text_config'])
        text_model = transformers.Siglip2TextModel(config)  # what Siglip2Model.text_model is (transformers 5)
        text_model.load_state_dict(_weights(refs, name))
        tower = SigLIP2TextTower(text_model, transformers.AutoTokenizer.from_pretrained(str(TEXT_DIR / 'tokenizer')))
    return tower.eval()


@pytest.fixture(scope='module')
def towers(fixture, tmp_path_factory):
    index, refs = fixture
    tmp = tmp_path_factory.mktemp('open_clip_cfg')
    return {name: build_tower(name, spec, refs, tmp) for name, spec in index['towers'].items()}


def test_fixture_covers_the_three_tower_kinds(fixture):
    index, _ = fixture
    assert sorted(index['towers']) == ['rdtest-tiny-clip', 'rdtest-tiny-siglip', 'siglip2']
    assert any(t != canonicalize_text(t) for t in index['texts'])


@pytest.mark.parametrize('name', ['rdtest-tiny-clip', 'rdtest-tiny-siglip', 'siglip2'])
def test_tokens_and_embeddings_match_upstream(name, fixture, towers):
    index, refs = fixture
    outputs = index['towers'][name]['outputs']
    tower = towers[name]
    tokens = tower.tokenize(index['texts'])
    if isinstance(tokens, torch.Tensor):
        assert torch.equal(tokens, refs[outputs['tokens']])
    else:
        recorded = {k.split('.', 1)[1]: refs[v] for k, v in outputs.items() if k.startswith('tokens.')}
        assert sorted(tokens.keys()) == sorted(recorded)
        for k, v in recorded.items():
            assert torch.equal(tokens[k], v), k
    with torch.no_grad():
        for normalize in (False, True):
            ours = tower.encode_text(tokens, normalize=normalize).float()
            ref = refs[outputs[f'encode_text.normalize={normalize}']]
            assert ours.shape == ref.shape
            assert (ours - ref).abs().max().item() < TOL, (name, normalize)
            assert ref.abs().max() > 0.1  # not trivially zero


def test_siglip2_needs_canonicalisation(fixture, towers):
    """Without upstream's canonicalisation, SigLIP2's tokens (and embeddings) differ."""
    index, refs = fixture
    tower = towers['siglip2']
    raw = tower.tokenizer(text=index['texts'], return_tensors='pt', max_length=64, padding='max_length',
                          truncation=True)
    assert not torch.equal(raw['input_ids'], refs['siglip2.tokens.input_ids'])


@pytest.mark.parametrize('text, expected', [
    ('A Photo of a DOG.', 'a photo of a dog'), ('traffic_light', 'traffic light'), ("  it's   (big)! ", 'its big'),
    ('', ''),
])
def test_canonicalize_text(text, expected):
    assert canonicalize_text(text) == expected


def test_canonicalize_keeps_the_placeholder():
    assert canonicalize_text('A {} Photo, of {}!', keep='{}') == 'a {} photo of {}'


def test_class_embeddings_average_normalised_prompts(towers):
    tower = towers['siglip2']
    emb = class_embeddings(tower, ['dog', 'cat'], ['a photo of a {}.', lambda c: f'an image of the {c}'])
    assert emb.shape == (2, 16)
    assert torch.allclose(emb.norm(dim=-1), torch.ones(2), atol=1e-6)
    manual = tower.encode(['a photo of a dog.', 'an image of the dog'], normalize=True).mean(0)
    assert torch.allclose(emb[0], manual / manual.norm(), atol=1e-6)
    with pytest.raises(ValueError, match='templates is empty'):
        class_embeddings(tower, ['dog'], [])


def test_teacher_lookup_names_the_text_adaptors():
    args = {'teachers': [dict(name='clip', type='open_clip', model='ViT-H-14-378-quickgelu', pretrained='dfn5b'),
                         dict(name='dino_v2', type='dino_v2'), dict(name='siglip2-g', type='siglip2',
                                                                    model='siglip2-g-384')]}
    assert text_teacher(args, 'siglip2-g')['model'] == 'siglip2-g-384'
    with pytest.raises(TextTowerUnavailable, match=r"'dino_v2'.*has no text tower.*\['clip', 'siglip2-g'\]"):
        text_teacher(args, 'dino_v2')
    with pytest.raises(TextTowerUnavailable, match='No teacher named'):
        text_teacher(args, 'sam')


def test_offline_errors_name_the_cache_and_the_url(monkeypatch, tmp_path):
    monkeypatch.setenv('HF_HUB_OFFLINE', '1')
    monkeypatch.setenv('RADIO_DENSE_OFFLINE', '1')
    import huggingface_hub.constants as hf_constants
    monkeypatch.setattr(hf_constants, 'HF_HUB_OFFLINE', True)
    args = {'teachers': [dict(name='clip', type='open_clip', model='ViT-B-32', pretrained='laion2b_s34b_b79k'),
                         dict(name='siglip2-g', type='siglip2', model='siglip2-g-384')]}
    with pytest.raises(TextTowerUnavailable) as err:
        load_text_tower(args, 'siglip2-g', cache_dir=str(tmp_path))
    msg = str(err.value)
    assert str(tmp_path) in msg and 'https://huggingface.co/google/siglip2-giant-opt-patch16-384' in msg
    assert 'offline' in msg.lower() or 'Downloads are off' in msg
    with pytest.raises(TextTowerUnavailable) as err:
        load_text_tower(args, 'clip', cache_dir=str(tmp_path))
    msg = str(err.value)
    assert str(tmp_path) in msg and 'https://huggingface.co/laion/CLIP-ViT-B-32-laion2B-s34B-b79K' in msg
