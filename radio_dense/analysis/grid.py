"""A labelled picture grid: rows of equally sized cells under a row of column titles."""
from typing import Optional, Sequence, Tuple

import numpy as np
from PIL import Image, ImageDraw, ImageFont

GAP = 4  # pixels between cells and around the border
TITLE_HEIGHT = 24  # pixels of the column-title row
BACKGROUND = (255, 255, 255)


def grid_size(rows: int, cols: int, cell: int) -> Tuple[int, int]:
    """``(width, height)`` of a grid picture of ``rows x cols`` cells of side ``cell``."""
    return cols * cell + (cols + 1) * GAP, TITLE_HEIGHT + rows * cell + (rows + 1) * GAP


def _to_pil(cell: np.ndarray, side: int) -> Image.Image:
    arr = np.asarray(cell)
    if arr.dtype != np.uint8:
        arr = (np.clip(arr, 0, 1) * 255).round().astype(np.uint8)
    im = Image.fromarray(arr)
    if im.size == (side, side):
        return im
    # nearest when enlarging, so feature-map patches stay visible; box filter when shrinking
    grow = im.size[0] < side and im.size[1] < side
    return im.resize((side, side), Image.NEAREST if grow else Image.BOX)


def label_font(size: int = 14):
    """Pillow's default font at ``size`` pixels (the fixed-size bitmap font on Pillow < 10.1)."""
    try:
        return ImageFont.load_default(size=size)
    except TypeError:  # Pillow < 10.1
        return ImageFont.load_default()


def image_grid(cells: Sequence[Sequence[np.ndarray]], titles: Optional[Sequence[str]] = None,
               cell: int = 256) -> Image.Image:
    """Compose ``cells[row][col]`` (uint8 or float [0, 1] ``(h, w, 3)`` arrays) into one picture.

    Each cell is scaled to ``cell x cell``; ``titles`` label the columns.
    """
    rows = len(cells)
    cols = max((len(r) for r in cells), default=0)
    if rows == 0 or cols == 0:
        raise ValueError('image_grid needs at least one cell')
    canvas = Image.new('RGB', grid_size(rows, cols, cell), BACKGROUND)
    draw = ImageDraw.Draw(canvas)
    font = label_font()
    for c, title in enumerate(titles or []):
        x = GAP + c * (cell + GAP) + (cell - draw.textlength(str(title), font=font)) / 2
        draw.text((max(x, 0), GAP + 2), str(title), fill=(0, 0, 0), font=font)
    for r, row in enumerate(cells):
        for c, arr in enumerate(row):
            canvas.paste(_to_pil(arr, cell), (GAP + c * (cell + GAP), TITLE_HEIGHT + GAP + r * (cell + GAP)))
    return canvas
