"""Captioned result pictures: ``input | ground truth | prediction`` panels with a title and a class legend.

Label maps and instances are tinted over the input, so the picture stays readable: the background
class and ignored pixels are left transparent, class regions get a coloured outline.
"""
from typing import List, Optional, Sequence, Tuple

import cv2
import numpy as np
from PIL import Image, ImageDraw

from .grid import label_font

RGB = Tuple[int, int, int]
MARGIN = 8
CAPTION_HEIGHT = 22
TITLE_HEIGHT = 26
LEGEND_ROW = 20


def tint_label_map(image: np.ndarray, labels: np.ndarray, palette: Sequence[RGB], transparent: Sequence[int] = (0,),
                   ignore_index: int = 255, alpha: float = 0.5) -> np.ndarray:
    """``image`` with every class region of ``labels`` tinted in its palette colour and outlined.

    Pixels whose label is in ``transparent`` (the background class) or equals ``ignore_index`` keep
    the input's colours.
    """
    out = image.copy()
    palette = np.asarray(palette, dtype=np.float32)
    for label in np.unique(labels):
        if label in transparent or label == ignore_index or label >= len(palette):
            continue
        region = labels == label
        out[region] = (out[region] * (1 - alpha) + palette[label] * alpha).astype(np.uint8)
        contours, _ = cv2.findContours(region.astype(np.uint8), cv2.RETR_EXTERNAL, cv2.CHAIN_APPROX_NONE)
        cv2.drawContours(out, contours, -1, tuple(int(c) for c in palette[label]), 1)
    return out


def draw_instances(image: np.ndarray, boxes: np.ndarray, labels: Sequence[int], palette: Sequence[RGB],
                   names: Sequence[str], masks: Optional[np.ndarray] = None, scores: Optional[Sequence[float]] = None,
                   alpha: float = 0.45) -> np.ndarray:
    """``image`` with each instance's mask tinted, its box framed and ``name [score]`` written above it."""
    out = image.copy()
    for i, (box, label) in enumerate(zip(np.asarray(boxes).reshape(-1, 4), labels)):
        color = tuple(int(c) for c in palette[int(label) % len(palette)])
        if masks is not None and len(masks) > i:
            region = np.asarray(masks[i]).astype(bool)
            out[region] = (out[region] * (1 - alpha) + np.array(color) * alpha).astype(np.uint8)
        x0, y0, x1, y1 = [int(round(v)) for v in box]
        cv2.rectangle(out, (x0, y0), (x1, y1), color, 1)
        text = names[int(label)] + (f' {scores[i]:.2f}' if scores is not None else '')
        cv2.putText(out, text, (x0 + 1, max(y0 - 3, 9)), cv2.FONT_HERSHEY_SIMPLEX, 0.33, color, 1, cv2.LINE_AA)
    return out


def _legend_rows(entries: Sequence[Tuple[str, RGB]], width: int, draw: ImageDraw.ImageDraw, font) -> List[List]:
    rows, row, x = [], [], MARGIN
    for name, color in entries:
        item = 14 + 4 + draw.textlength(name, font=font) + 14
        if row and x + item > width - MARGIN:
            rows.append(row)
            row, x = [], MARGIN
        row.append((x, name, color))
        x += item
    return rows + ([row] if row else [])


def compose_panels(panels: Sequence[np.ndarray], captions: Sequence[str], title: str,
                   legend: Sequence[Tuple[str, RGB]] = (), scale: int = 1) -> Image.Image:
    """Side-by-side panels (equal-size ``HxWx3`` uint8), each captioned, under ``title``, above ``legend``.

    ``legend`` is ``(name, colour)`` pairs drawn as swatches; ``scale`` enlarges small panels
    (nearest neighbour, so label boundaries stay crisp).
    """
    h, w = panels[0].shape[:2]
    h, w = h * scale, w * scale
    width = len(panels) * w + (len(panels) + 1) * MARGIN
    font, title_font = label_font(13), label_font(15)
    probe = ImageDraw.Draw(Image.new('RGB', (1, 1)))
    legend_rows = _legend_rows(legend, width, probe, font)
    height = TITLE_HEIGHT + CAPTION_HEIGHT + h + MARGIN + len(legend_rows) * LEGEND_ROW + MARGIN
    canvas = Image.new('RGB', (width, height), (255, 255, 255))
    draw = ImageDraw.Draw(canvas)
    draw.text((MARGIN, 5), title, fill=(0, 0, 0), font=title_font)
    top = TITLE_HEIGHT + CAPTION_HEIGHT
    for i, (panel, caption) in enumerate(zip(panels, captions)):
        x = MARGIN + i * (w + MARGIN)
        draw.text((x + (w - draw.textlength(caption, font=font)) / 2, TITLE_HEIGHT + 3), caption, fill=(40, 40, 40),
                  font=font)
        canvas.paste(Image.fromarray(panel).resize((w, h), Image.NEAREST), (x, top))
    y = top + h + MARGIN
    for row in legend_rows:
        for x, name, color in row:
            draw.rectangle([x, y + 3, x + 13, y + 16], fill=tuple(color), outline=(60, 60, 60))
            draw.text((x + 18, y + 2), name, fill=(0, 0, 0), font=font)
        y += LEGEND_ROW
    return canvas


def segmentation_panel(image: np.ndarray, ground_truth: np.ndarray, prediction: np.ndarray, classes: Sequence[str],
                       palette: Sequence[RGB], title: str, transparent: Sequence[int] = (0,), ignore_index: int = 255,
                       scale: int = 1) -> Image.Image:
    """``input | ground truth | prediction`` for semantic segmentation, with the legend of the classes shown.

    ``transparent`` classes (default: label 0, the background) are not tinted and are named in
    the legend as such.
    """
    shown = sorted({int(v) for v in np.unique(ground_truth)} | {int(v) for v in np.unique(prediction)})
    legend = [(classes[c], tuple(palette[c])) for c in shown if c < len(classes) and c not in transparent]
    legend += [(f'{classes[c]} (transparent)', (255, 255, 255)) for c in transparent if c < len(classes)]
    panels = [image, tint_label_map(image, ground_truth, palette, transparent, ignore_index),
              tint_label_map(image, prediction, palette, transparent, ignore_index)]
    return compose_panels(panels, ['input', 'ground truth', 'prediction'], title, legend, scale)


#: What every picture made with untrained (random) weights says in its title.
RANDOM_WEIGHTS = 'RANDOM WEIGHTS'


def weights_title(title: str, random_weights: bool) -> str:
    """``title``, led by ``RANDOM WEIGHTS:`` when the model that made the picture is (partly) untrained.

    Leading, so that a narrow picture, whose band cuts the title short, still shows it.
    """
    return f'{RANDOM_WEIGHTS}: {title}' if random_weights and RANDOM_WEIGHTS not in title else title


def save_titled(picture, path: str, title: str) -> Image.Image:
    """Save ``picture`` (PIL image or ``(H, W, 3)`` uint8) under a band holding ``title``; returns what was saved.

    A PNG also carries the title as its ``Title`` text chunk (``Image.open(path).text['Title']``).
    """
    from PIL.PngImagePlugin import PngInfo
    image = picture if isinstance(picture, Image.Image) else Image.fromarray(np.asarray(picture))
    titled = add_title(image.convert('RGB'), title)
    info = PngInfo()
    info.add_text('Title', title)
    titled.save(path, pnginfo=info if str(path).lower().endswith('.png') else None)
    return titled


def add_title(picture: Image.Image, title: str) -> Image.Image:
    """``picture`` under a white band holding ``title``."""
    canvas = Image.new('RGB', (picture.width, picture.height + TITLE_HEIGHT), (255, 255, 255))
    ImageDraw.Draw(canvas).text((MARGIN, 5), title, fill=(0, 0, 0), font=label_font(15))
    canvas.paste(picture, (0, TITLE_HEIGHT))
    return canvas


def detection_panel(image: np.ndarray, ground_truth: dict, prediction: dict, classes: Sequence[str],
                    palette: Sequence[RGB], title: str, score_threshold: float = 0.3, scale: int = 1) -> Image.Image:
    """``input | ground truth | prediction`` for instance detection/segmentation.

    ``ground_truth`` / ``prediction`` are dicts of arrays ``boxes`` (N, 4 xyxy), ``labels`` (N,),
    optional ``masks`` (N, H, W) and, for predictions, ``scores``; predictions below
    ``score_threshold`` are not drawn (the caption says how many are).
    """
    keep = np.asarray(prediction['scores']) >= score_threshold
    pred = {k: np.asarray(v)[keep] for k, v in prediction.items() if v is not None}
    gt_drawn = draw_instances(image, ground_truth['boxes'], ground_truth['labels'], palette, classes,
                              ground_truth.get('masks'))
    pred_drawn = draw_instances(image, pred['boxes'], pred['labels'], palette, classes, pred.get('masks'),
                                pred['scores'])
    labels = sorted({int(v) for v in np.concatenate([np.asarray(ground_truth['labels']), pred['labels']])})
    legend = [(classes[c], tuple(palette[c])) for c in labels]
    captions = ['input', f'ground truth ({len(ground_truth["labels"])})',
                f'prediction ({int(keep.sum())} with score >= {score_threshold:g})']
    return compose_panels([image, gt_drawn, pred_drawn], captions, title, legend, scale)
