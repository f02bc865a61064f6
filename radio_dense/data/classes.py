"""The classes of the synthetic demo data set: names, colours, shapes and textures.

Label 0 is ``background``, a real class of the semantic task (train mmseg with
``reduce_zero_label=False``). Labels ``1..K`` are the "thing" classes, which are also the COCO
category ids of the instance set, so a label map and the COCO json use the same numbers.

Every thing class differs from the others in shape, in base colour and in texture, so a tiny
ViT trained from scratch for a few hundred iterations can tell them apart.
"""
from dataclasses import dataclass
from typing import Dict, Tuple

RGB = Tuple[int, int, int]


@dataclass(frozen=True)
class ShapeClass:
    """One thing class: a shape drawn with a base colour and a texture."""

    name: str
    color: RGB
    texture: str  # see radio_dense.data.synthetic.TEXTURES


BACKGROUND = 'background'
BACKGROUND_PALETTE: RGB = (0, 0, 0)

SHAPE_CLASSES: Tuple[ShapeClass, ...] = (
    ShapeClass('circle', (220, 45, 40), 'solid'),
    ShapeClass('square', (40, 85, 225), 'stripes'),
    ShapeClass('triangle', (40, 185, 60), 'checker'),
    ShapeClass('star', (240, 205, 35), 'dots'),
    ShapeClass('ellipse', (205, 55, 205), 'rings'),
    ShapeClass('cross', (35, 205, 215), 'speckle'),
)

#: Thing class names, in label order (label / COCO category id = index + 1).
DEMO_THING_CLASSES: Tuple[str, ...] = tuple(c.name for c in SHAPE_CLASSES)
#: Semantic classes, in label order: ``background`` (label 0) then the thing classes.
DEMO_CLASSES: Tuple[str, ...] = (BACKGROUND,) + DEMO_THING_CLASSES
#: One RGB colour per semantic class (mmseg ``palette``); thing colours are the class base colours.
DEMO_PALETTE: Tuple[RGB, ...] = (BACKGROUND_PALETTE,) + tuple(c.color for c in SHAPE_CLASSES)
#: ``metainfo`` for mmseg's ``BaseSegDataset`` (use ``reduce_zero_label=False``).
DEMO_SEG_METAINFO: Dict[str, tuple] = {'classes': DEMO_CLASSES, 'palette': DEMO_PALETTE}
#: ``metainfo`` for mmdet's ``CocoDataset`` (thing classes only; COCO ids 1..K).
DEMO_DET_METAINFO: Dict[str, tuple] = {'classes': DEMO_THING_CLASSES, 'palette': DEMO_PALETTE[1:]}
#: COCO-panoptic category id of the one stuff class (``background``), after the things' ``1..K``.
BACKGROUND_PANOPTIC_ID: int = len(SHAPE_CLASSES) + 1
#: ``metainfo`` for mmdet's ``CocoPanopticDataset``: things (labels ``0..K-1``) then stuff (label ``K``).
DEMO_PANOPTIC_METAINFO: Dict[str, tuple] = {
    'classes': DEMO_THING_CLASSES + (BACKGROUND,), 'thing_classes': DEMO_THING_CLASSES,
    'stuff_classes': (BACKGROUND,), 'palette': DEMO_PALETTE[1:] + (DEMO_PALETTE[0],)}
