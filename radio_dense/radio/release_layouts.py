"""The architecture of each released RADIO checkpoint, as the upstream ``args`` that build it.

A released checkpoint carries ``args`` (``model``, ``model_kwargs``, ``cpe_max_size``, ``teachers``,
``register_multiple`` / ``cpe_num_registers``...) and upstream builds its trunk from them. These
tables restate the parts that fix the trunk's parameter names and shapes, so a config can build a
release's real architecture without its weights (``create_radio('c-radio_v4-h')``, e.g. on the meta
device to plan memory), and ``tests/fixtures/upstream/releases/`` records what upstream's own
``create_model_from_args`` builds from the same arguments.

Sources: trunk widths, depths, layer scale, MLP ratio and the number of prefix tokens (summary +
registers) of C-RADIOv3 / C-RADIOv4 are those of timm's remaps of the released weights
(``vit_*_patch16_radio_v3`` / ``_v4``: 8 and 10 prefix tokens, 128 x 128 position grid); C-RADIOv3's
4 teachers with 4 registers are its Hugging Face ``config.json`` (``cpe_num_registers: 4``).
C-RADIOv4's split of its 10 prefix tokens into 3 teacher tokens (SigLIP2-g, DINOv3, SAM3) and 7
registers, and RADIOv2.5-H/g's 4 teachers (DFN CLIP, SigLIP, DINOv2, SAM) padded to 8 tokens, follow
their model cards and upstream's register rule; only the total changes parameter shapes.
"""
from dataclasses import dataclass, field
from typing import Any, Dict, Mapping, Optional, Tuple


@dataclass(frozen=True)
class ReleaseLayout:
    """What fixes a release's trunk: upstream's ``args.model`` (+ ``model_kwargs``) and its CPE prefix."""

    model: str
    teachers: Tuple[str, ...]
    cpe_max_size: int = 2048
    cpe_num_registers: Optional[int] = None
    register_multiple: Optional[int] = 8
    model_kwargs: Mapping[str, Any] = field(default_factory=dict)

    @property
    def num_registers(self) -> int:
        from .cpe import num_registers_for
        return num_registers_for(len(self.teachers), self.register_multiple, self.cpe_num_registers)

    def upstream_args(self) -> Dict[str, Any]:
        """The checkpoint ``args`` keys upstream's ``create_model_from_args`` reads for the trunk."""
        return dict(model=self.model, model_kwargs=dict(self.model_kwargs), cpe_max_size=self.cpe_max_size,
                    cls_token_per_teacher=True, register_multiple=self.register_multiple,
                    cpe_num_registers=self.cpe_num_registers, model_norm=False,
                    teachers=[dict(name=t) for t in self.teachers])


_V25 = ('clip', 'siglip', 'dino_v2', 'sam')
_V3 = ('clip', 'siglip2-g', 'dino_v2', 'sam')
_V4 = ('siglip2-g', 'dino_v3', 'sam3')

RELEASE_LAYOUTS: Dict[str, ReleaseLayout] = {
    'radio_v2.5-h': ReleaseLayout('vit_huge_patch16_224', _V25),
    'radio_v2.5-g': ReleaseLayout('vit_giant_patch14_224', _V25, cpe_max_size=1792),
    'c-radio_v3-b': ReleaseLayout('vit_base_patch16_v2_224', _V3, cpe_num_registers=4),
    'c-radio_v3-l': ReleaseLayout('vit_large_patch16_v2_224', _V3, cpe_num_registers=4),
    'c-radio_v3-h': ReleaseLayout('vit_huge_patch16_224', _V3, cpe_num_registers=4),
    'c-radio_v3-g': ReleaseLayout('vit_giant_patch16_224', _V3, cpe_num_registers=4),
    'c-radio_v4-so400m': ReleaseLayout('vit_so400m_patch16_224', _V4, cpe_num_registers=7),
    'c-radio_v4-h': ReleaseLayout('vit_huge_patch16_224', _V4, cpe_num_registers=7),
}
