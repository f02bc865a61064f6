"""Text towers of RADIO's language-aligned adaptors: ``tokenize`` + ``encode_text`` as upstream's.

Upstream attaches a text encoder to the adaptors of teachers of type ``open_clip`` (RADIOv2.5's
``clip`` = DFN CLIP, ``siglip`` = SigLIP) and ``siglip2`` (C-RADIOv3/v4): image summaries and
dense features from those adaptors live in the text tower's embedding space, which is what makes
zero-shot classification and segmentation possible.

- :class:`OpenCLIPTextTower`: an open_clip model with its visual tower dropped; open_clip's own
  tokenizer (which canonicalises text for SigLIP models itself).
- :class:`SigLIP2TextTower`: transformers' SigLIP2 text model (``pooler_output``) with upstream's
  tokenisation: :func:`canonicalize_text` (big_vision's prompt clean-up; ~12% zero-shot accuracy
  is lost without it), then 64 tokens, padded to the maximum length, truncated.

Both libraries are optional (``pip install radio_dense[text]``) and imported only when a tower is
built. Weights come from open_clip's / Hugging Face's caches; when they are missing and downloads
are off, the error names the cache folder and the URL to fetch.
"""
import os
import string
from typing import Any, Dict, List, Optional, Sequence, Union

import torch
import torch.nn.functional as F
from torch import nn

from .offline import offline_requested

#: ``model`` names of upstream's ``siglip2`` teachers -> Hugging Face repository
SIGLIP2_VERSIONS = {
    'siglip2-g-384': 'google/siglip2-giant-opt-patch16-384',
    'siglip2-so400m': 'google/siglip2-so400m-patch16-naflex',
}
#: teacher types that carry a text tower
TEXT_TEACHER_TYPES = ('open_clip', 'siglip2')
SIGLIP2_MAX_TOKENS = 64

_PUNCTUATION = str.maketrans('', '', string.punctuation)


class TextTowerUnavailable(RuntimeError):
    """A text tower cannot be built: missing package, missing weights offline, or no text teacher."""


def _require(module: str, package: str):
    try:
        return __import__(module)
    except ImportError as err:
        raise TextTowerUnavailable(
            f'The text towers need {package!r} ({err}). Install them with `pip install radio_dense[text]` '
            f'(or `pip install open_clip_torch transformers`).') from err


def canonicalize_text(text: str, keep: Optional[str] = None) -> str:
    """Lower-case ``text``, drop punctuation (except occurrences of ``keep``), ``_`` -> space, squeeze spaces.

    The prompt clean-up SigLIP was trained with (big_vision's ``prompt_engineering``), which
    upstream applies before SigLIP2's tokenizer.
    """
    text = text.replace('_', ' ')
    parts = text.split(keep) if keep else [text]
    text = (keep or '').join(p.translate(_PUNCTUATION) for p in parts)
    return ' '.join(text.lower().split())


class TextTower(nn.Module):
    """``tokenize(texts)`` then ``encode_text(tokens, normalize)``, as upstream's adaptors expose them."""

    def tokenize(self, texts: Sequence[str]) -> Any:
        raise NotImplementedError

    def encode_text(self, tokens: Any, normalize: bool = False) -> torch.Tensor:
        raise NotImplementedError

    @property
    def device(self) -> torch.device:
        return next(self.parameters()).device

    @torch.no_grad()
    def encode(self, texts: Union[str, Sequence[str]], normalize: bool = True, batch_size: int = 256) -> torch.Tensor:
        """Embeddings ``(len(texts), D)`` of raw strings (tokenised here), in batches."""
        texts = [texts] if isinstance(texts, str) else list(texts)
        if not texts or not all(isinstance(t, str) for t in texts):
            raise ValueError(f'encode() needs a non-empty list of strings, got {texts!r:.200}')
        out = []
        for i in range(0, len(texts), batch_size):
            tokens = self.tokenize(texts[i:i + batch_size])
            tokens = tokens.to(self.device)
            out.append(self.encode_text(tokens, normalize=normalize).float())
        return torch.cat(out)


class OpenCLIPTextTower(TextTower):
    """open_clip's text encoder: ``model`` is an open_clip CLIP / CustomTextCLIP (visual tower dropped)."""

    def __init__(self, model: nn.Module, tokenizer):
        super().__init__()
        model.visual = None
        self.model = model
        self.tokenizer = tokenizer

    @classmethod
    def from_pretrained(cls, model_name: str, pretrained: Optional[str] = None,
                        cache_dir: Optional[str] = None) -> 'OpenCLIPTextTower':
        """open_clip's ``model_name`` with ``pretrained`` weights (a tag such as ``'dfn5b'`` or a file)."""
        open_clip = _require('open_clip', 'open_clip_torch')
        try:
            model = open_clip.create_model(model_name, pretrained=pretrained, cache_dir=cache_dir)
        except Exception as err:  # open_clip raises RuntimeError / OSError / HF errors when offline
            raise TextTowerUnavailable(_open_clip_missing(open_clip, model_name, pretrained, cache_dir, err)) from err
        return cls(model, open_clip.get_tokenizer(model_name, cache_dir=cache_dir))

    def tokenize(self, texts: Sequence[str]) -> torch.Tensor:
        return self.tokenizer(list(texts))

    def encode_text(self, tokens: torch.Tensor, normalize: bool = False) -> torch.Tensor:
        return self.model.encode_text(tokens, normalize=normalize)


class SigLIP2TextTower(TextTower):
    """transformers' SigLIP2 text model (``pooler_output``) behind upstream's canonicalising tokenizer."""

    def __init__(self, text_model: nn.Module, tokenizer, max_length: int = SIGLIP2_MAX_TOKENS):
        super().__init__()
        self.text_model = text_model
        self.tokenizer = tokenizer
        self.max_length = max_length

    @classmethod
    def from_pretrained(cls, version: str, cache_dir: Optional[str] = None) -> 'SigLIP2TextTower':
        """``version``: an upstream teacher name (``'siglip2-g-384'``) or a Hugging Face repository."""
        _require('transformers', 'transformers')
        from transformers import AutoModel, AutoTokenizer
        repo = SIGLIP2_VERSIONS.get(version, version)
        try:
            model = AutoModel.from_pretrained(repo, cache_dir=cache_dir)
            tokenizer = AutoTokenizer.from_pretrained(repo, cache_dir=cache_dir)
        except Exception as err:
            raise TextTowerUnavailable(_hf_missing(repo, cache_dir, err)) from err
        return cls(model.text_model, tokenizer)

    def tokenize(self, texts: Sequence[str]):
        texts = [canonicalize_text(t) for t in texts]
        return self.tokenizer(text=texts, return_tensors='pt', max_length=self.max_length, padding='max_length',
                              truncation=True)

    def encode_text(self, tokens, normalize: bool = False) -> torch.Tensor:
        pooled = self.text_model(**tokens, return_dict=True).pooler_output
        return F.normalize(pooled, dim=-1) if normalize else pooled


# ----- which tower a checkpoint's adaptor speaks -------------------------------------------------
def text_teacher(args: Dict[str, Any], adaptor_name: str) -> Dict[str, Any]:
    """The teacher config (``type``, ``model``, ``pretrained``) of ``adaptor_name`` in checkpoint ``args``."""
    teachers = args.get('teachers', []) if isinstance(args, dict) else getattr(args, 'teachers', [])
    teacher = next((t for t in teachers if t.get('name') == adaptor_name), None)
    if teacher is None:
        raise TextTowerUnavailable(f'No teacher named {adaptor_name!r} in this checkpoint '
                                   f'(teachers: {[t.get("name") for t in teachers]})')
    if teacher.get('type') not in TEXT_TEACHER_TYPES:
        text_names = [t.get('name') for t in teachers if t.get('type') in TEXT_TEACHER_TYPES]
        raise TextTowerUnavailable(f'Adaptor {adaptor_name!r} (type {teacher.get("type")!r}) has no text tower; '
                                   f'adaptors with one: {text_names}')
    return teacher


def text_tower_for_teacher(teacher: Dict[str, Any], cache_dir: Optional[str] = None) -> TextTower:
    """Build (and download, when allowed) the text tower a teacher config names, as upstream does."""
    if teacher['type'] == 'open_clip':
        return OpenCLIPTextTower.from_pretrained(teacher['model'], teacher.get('pretrained'), cache_dir=cache_dir)
    return SigLIP2TextTower.from_pretrained(teacher['model'], cache_dir=cache_dir)


def load_text_tower(checkpoint: Any, adaptor_name: str, cache_dir: Optional[str] = None) -> TextTower:
    """The text tower of ``adaptor_name`` for a :class:`RadioCheckpoint` (or its ``args`` dict)."""
    args = getattr(checkpoint, 'args', checkpoint)
    return text_tower_for_teacher(text_teacher(args, adaptor_name), cache_dir=cache_dir)


# ----- errors that say where the weights go ----------------------------------------------------
def _hf_cache(cache_dir: Optional[str]) -> str:
    if cache_dir:
        return cache_dir
    try:
        from huggingface_hub import constants
        return constants.HF_HUB_CACHE
    except ImportError:
        return os.path.join(os.path.expanduser('~'), '.cache', 'huggingface', 'hub')


def _offline_note() -> str:
    return (' Downloads are off (RADIO_DENSE_OFFLINE / HF_HUB_OFFLINE); fetch it on a machine with internet and '
            'copy the cache folder here.' if offline_requested() else ' Check the network, or pre-fill the cache.')


def _hf_missing(repo: str, cache_dir: Optional[str], err: Exception) -> str:
    return (f'Could not load the SigLIP2 text tower {repo!r} ({type(err).__name__}: {str(err).splitlines()[0][:200]}). '
            f'It is read from the Hugging Face cache {_hf_cache(cache_dir)} and downloaded from '
            f'https://huggingface.co/{repo}.' + _offline_note())


def _open_clip_missing(open_clip, model_name: str, pretrained: Optional[str], cache_dir: Optional[str],
                       err: Exception) -> str:
    cfg = open_clip.get_pretrained_cfg(model_name, pretrained) if pretrained else {}
    if cfg.get('hf_hub'):
        source = 'https://huggingface.co/' + '/'.join(cfg['hf_hub'].strip('/').split('/')[:2])  # owner/repo[/file]
        cache = _hf_cache(cache_dir)
    elif cfg.get('url'):
        source, cache = cfg['url'], cache_dir or os.path.join(os.path.expanduser('~'), '.cache', 'clip')
    else:
        source, cache = f'(open_clip knows no pretrained tag {pretrained!r} for {model_name!r}; '\
                        f'tags: {open_clip.list_pretrained_tags_by_model(model_name)})', cache_dir or '-'
    return (f'Could not load the open_clip text tower {model_name!r} / {pretrained!r} '
            f'({type(err).__name__}: {str(err).splitlines()[0][:200] if str(err) else ""}). '
            f'Weights are read from the cache {cache} and downloaded from {source}.' + _offline_note())


def class_embeddings(tower: TextTower, class_names: Sequence[str], templates: Sequence[Union[str, Any]],
                     batch_size: int = 256) -> torch.Tensor:
    """Zero-shot classifier ``(num_classes, D)``: per class, the normalised mean of its normalised prompts.

    ``templates`` are format strings with one ``{}`` or callables ``name -> prompt`` (open_clip's
    ``OPENAI_IMAGENET_TEMPLATES``), as upstream's ``get_clip_classifier`` takes them.
    """
    if not class_names:
        raise ValueError('class_names is empty')
    if not templates:
        raise ValueError('templates is empty: give at least one, e.g. "a photo of a {}."')
    prompts: List[str] = [t(c) if callable(t) else t.format(c) for c in class_names for t in templates]
    emb = tower.encode(prompts, normalize=True, batch_size=batch_size)
    emb = emb.reshape(len(class_names), len(templates), -1).mean(dim=1)
    return F.normalize(emb, dim=-1)
