"""``--case text`` of make_upstream_fixture.py: upstream's text towers with random tiny weights.

Runs upstream's own ``OpenCLIP_RADIO`` and ``SigLIP2Adaptor`` (``radio/open_clip_adaptor.py``,
``radio/siglip2_adaptor.py``) with the pretrained download replaced by a seeded random tiny tower,
and records their ``tokenizer(texts)`` and ``encode_text(tokens, normalize)`` for a set of prompts
(upper case, punctuation, underscores, over-long text). Writes ``tests/fixtures/upstream/text/``:

- ``towers.json``: per tower, how it was built (open_clip model config, SigLIP2 text config), the
  texts, and which tensor of ``reference.pt`` holds each output;
- ``reference.pt``: the towers' weights (float16-representable values) and upstream's outputs;
- ``tokenizer/``: a tiny word-level Hugging Face tokenizer over lower-case, punctuation-free
  words (SigLIP2 and the SigLIP-style open_clip tower use it), so un-canonicalised text maps to
  ``[UNK]`` and canonicalisation is tested, not assumed.
"""
import json
import os
from argparse import Namespace
from typing import Dict, List

import torch

TEXTS: List[str] = [
    'a photo of a dog.', 'A PHOTO of the Cat!', 'an_image_of   a_traffic_light', 'a photo of a (large) tree, outdoors',
    'photo ' * 90 + 'end', '', 'a photo of a café in the street',
]
VOCAB_WORDS = sorted({w for t in ['a photo of the dog cat an image traffic light large tree outdoors end in street',
                                  'caf'] for w in t.split()})
SEED = 23

OPEN_CLIP_CONFIGS = {
    # DFN CLIP style (RADIOv2.5 'clip' teacher: ViT-H-14-378-quickgelu): open_clip's BPE tokenizer.
    'rdtest-tiny-clip': dict(embed_dim=16, quick_gelu=True,
                             vision_cfg=dict(image_size=32, layers=1, width=16, head_width=8, patch_size=16),
                             text_cfg=dict(context_length=77, vocab_size=49408, width=16, heads=2, layers=2)),
    # SigLIP style (RADIOv2.5 'siglip' teacher: ViT-SO400M-14-SigLIP-384): HF tokenizer with
    # open_clip's 'canonicalize' clean-up, last-token pooling, no causal mask, projection bias.
    'rdtest-tiny-siglip': dict(embed_dim=16, init_logit_bias=-10, custom_text=True,
                               vision_cfg=dict(image_size=32, layers=1, width=16, head_width=8, patch_size=16),
                               text_cfg=dict(context_length=16, vocab_size=len(VOCAB_WORDS) + 3,
                                             hf_tokenizer_name='{tokenizer}', tokenizer_kwargs=dict(clean='canonicalize'),
                                             width=16, heads=2, layers=2, no_causal_mask=True, proj_bias=True,
                                             pool_type='last', norm_kwargs=dict(eps=1e-6))),
}
SIGLIP2_TEXT_CONFIG = dict(vocab_size=len(VOCAB_WORDS) + 3, hidden_size=16, intermediate_size=32, num_hidden_layers=2,
                           num_attention_heads=2, max_position_embeddings=64, projection_size=16,
                           pad_token_id=1, bos_token_id=0, eos_token_id=2)


def write_tokenizer(folder: str) -> None:
    """A word-level fast tokenizer: [UNK]=0, [PAD]=1, [EOS]=2 appended, then the vocabulary."""
    from tokenizers import Tokenizer, models, pre_tokenizers, processors
    from transformers import PreTrainedTokenizerFast
    vocab = {'[UNK]': 0, '[PAD]': 1, '[EOS]': 2, **{w: i + 3 for i, w in enumerate(VOCAB_WORDS)}}
    tok = Tokenizer(models.WordLevel(vocab, unk_token='[UNK]'))
    tok.pre_tokenizer = pre_tokenizers.WhitespaceSplit()
    tok.post_processor = processors.TemplateProcessing(single='$A [EOS]', special_tokens=[('[EOS]', 2)])
    fast = PreTrainedTokenizerFast(tokenizer_object=tok, unk_token='[UNK]', pad_token='[PAD]', eos_token='[EOS]',
                                   model_input_names=['input_ids', 'attention_mask'])
    fast.save_pretrained(folder)


def _randomise(module: torch.nn.Module, seed: int) -> None:
    """Seeded noise on every parameter (LayerNorms included), rounded to float16-representable values."""
    gen = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for p in module.parameters():
            p.copy_((p + 0.05 * torch.randn(p.shape, generator=gen)).half().float())


def _state(module: torch.nn.Module, prefix: str) -> Dict[str, torch.Tensor]:
    return {f'{prefix}{k}': v.detach().half() for k, v in module.state_dict().items()}


def _adaptor_state() -> Dict[str, torch.Tensor]:
    """A tiny v2 adaptor MLP state: upstream's adaptor classes need one to be built."""
    from radio.adaptor_module_factory import create_mlp_from_config
    state = {}
    for prefix, is_summary in (('summary.', True), ('feature.', False)):
        mlp = create_mlp_from_config('v2', 8, 8, 16, 0, is_summary=is_summary)
        state.update({prefix + k: v for k, v in mlp.state_dict().items()})
    return state


def _record(refs: Dict[str, torch.Tensor], name: str, tokenizer, encode, tokens_as_dict: bool) -> Dict[str, str]:
    tokens = tokenizer(TEXTS)
    out = {}
    if tokens_as_dict:
        for k, v in tokens.items():
            refs[f'{name}.tokens.{k}'] = v
            out[f'tokens.{k}'] = f'{name}.tokens.{k}'
    else:
        refs[f'{name}.tokens'] = tokens
        out['tokens'] = f'{name}.tokens'
    with torch.no_grad():
        for normalize in (False, True):
            key = f'{name}.encode_text.normalize={normalize}'
            refs[key] = encode(tokens, normalize=normalize).float()
            out[f'encode_text.normalize={normalize}'] = key
    return out


def make_text_case(out_dir: str) -> None:
    """Needs upstream's ``radio`` package importable (make_upstream_fixture.py puts it on sys.path)."""
    import open_clip
    import transformers
    from radio.open_clip_adaptor import OpenCLIP_RADIO
    from radio.siglip2_adaptor import SigLIP2Adaptor
    folder = os.path.join(out_dir, 'text')
    tok_dir = os.path.join(folder, 'tokenizer')
    os.makedirs(folder, exist_ok=True)
    write_tokenizer(tok_dir)
    main_config = Namespace(mlp_version='v2', spatial_mlp_version=None, spectral_heads=False)
    refs: Dict[str, torch.Tensor] = {}
    index: Dict[str, dict] = {'texts': TEXTS, 'towers': {}}

    real_create = open_clip.create_model_from_pretrained
    for i, (model_name, cfg) in enumerate(OPEN_CLIP_CONFIGS.items()):
        cfg_path = os.path.join(folder, f'{model_name}.json')
        with open(cfg_path, 'w') as f:  # registered with open_clip, then removed: the test writes its own
            json.dump(json.loads(json.dumps(cfg).replace('{tokenizer}', tok_dir)), f)
        open_clip.add_model_config(cfg_path)
        os.remove(cfg_path)

        def random_pretrained(model_name, pretrained, return_transform=False, _seed=SEED + i):
            assert pretrained == 'random' and not return_transform
            model = open_clip.create_model(model_name, pretrained=None)
            _randomise(model, _seed)
            return model

        open_clip.create_model_from_pretrained = random_pretrained
        try:
            adaptor = OpenCLIP_RADIO(main_config, dict(model=model_name, pretrained='random'), _adaptor_state())
        finally:
            open_clip.create_model_from_pretrained = real_create
        adaptor.eval()
        refs.update(_state(adaptor.oc_model, f'{model_name}.weights.'))
        outputs = _record(refs, model_name, adaptor.tokenizer, adaptor.encode_text, tokens_as_dict=False)
        index['towers'][model_name] = dict(type='open_clip', model_config=cfg, outputs=outputs)

    # SigLIP2: upstream maps 'siglip2-g-384' to google/siglip2-giant-opt-patch16-384; the random
    # tiny model and the tiny tokenizer stand in for that download.
    auto_model, auto_proc = transformers.AutoModel.from_pretrained, transformers.AutoProcessor.from_pretrained

    def random_siglip2(version, **kwargs):
        assert version == 'google/siglip2-giant-opt-patch16-384', version
        torch.manual_seed(SEED)
        config = transformers.Siglip2Config(text_config=SIGLIP2_TEXT_CONFIG,
                                            vision_config=dict(hidden_size=16, intermediate_size=32, num_hidden_layers=1,
                                                               num_attention_heads=2, num_patches=16))
        model = transformers.Siglip2Model(config).eval()
        _randomise(model.text_model, SEED + 10)
        return model

    transformers.AutoModel.from_pretrained = random_siglip2
    transformers.AutoProcessor.from_pretrained = lambda version, **kw: transformers.AutoTokenizer.from_pretrained(tok_dir)
    try:
        adaptor = SigLIP2Adaptor(main_config, dict(model='siglip2-g-384'), _adaptor_state())
    finally:
        transformers.AutoModel.from_pretrained, transformers.AutoProcessor.from_pretrained = auto_model, auto_proc
    adaptor.eval()
    refs.update(_state(adaptor.text_model, 'siglip2.weights.'))
    outputs = _record(refs, 'siglip2', adaptor.tokenizer, adaptor.encode_text, tokens_as_dict=True)
    index['towers']['siglip2'] = dict(type='siglip2', text_config=SIGLIP2_TEXT_CONFIG, outputs=outputs,
                                      upstream_model='siglip2-g-384')

    torch.save(refs, os.path.join(folder, 'reference.pt'))
    with open(os.path.join(folder, 'towers.json'), 'w') as f:
        json.dump(index, f, indent=1)
    size = sum(os.path.getsize(os.path.join(r, n)) for r, _, ns in os.walk(folder) for n in ns)
    print(f'text: {len(index["towers"])} towers, {len(TEXTS)} texts, {size / 1e6:.1f} MB in {folder}')
