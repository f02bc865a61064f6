"""Pictures of any common depth -> ``HxWx3`` uint8 RGB, scaled correctly or refused with a reason.

PIL's ``convert('RGB')`` clips 16-bit and 32-bit integer images at 255 (a 16-bit photo becomes
almost all white) and truncates float images (``[0, 1]`` data becomes black). Here high bit depths
are scaled by their bit depth and float images by their range ``[0, 1]`` or ``[0, 255]``.

Every reader also applies the EXIF orientation (phone photos store pixels sideways plus a tag): the
array is the picture as viewers and browsers show it, so prompts and masks line up with what users see.
This module is the one image reader of the tools, the app and the analysis code.
"""
from typing import Tuple

import numpy as np
from PIL import Image, ImageOps

#: Modes PIL converts to RGB correctly by itself (8 bits per channel, palettes, CMYK, YCbCr...).
EIGHT_BIT_MODES = ('1', 'L', 'LA', 'P', 'PA', 'RGB', 'RGBA', 'RGBX', 'RGBa', 'CMYK', 'YCbCr', 'LAB', 'HSV', 'La')


class UnsupportedImageError(ValueError):
    """An image whose pixel values cannot be mapped to 8-bit RGB without guessing."""


def _gray_to_rgb(gray: np.ndarray) -> np.ndarray:
    return np.repeat(np.clip(np.rint(gray), 0, 255).astype(np.uint8)[..., None], 3, axis=2)


#: EXIF ``Orientation`` tag, and its values that turn the picture by 90 degrees (width and height swap)
EXIF_ORIENTATION = 0x0112
SWAPS_AXES = (5, 6, 7, 8)


def exif_orientation(img: Image.Image) -> int:
    """The EXIF orientation of an opened image (1, upright, when there is none or it is invalid)."""
    try:
        value = img.getexif().get(EXIF_ORIENTATION, 1)
    except Exception:  # a broken EXIF block must not make an otherwise good picture unreadable
        return 1
    return value if value in range(1, 9) else 1


def upright_size(img: Image.Image) -> Tuple[int, int]:
    """``(width, height)`` of an opened image as shown, i.e. after its EXIF orientation."""
    width, height = img.size
    return (height, width) if exif_orientation(img) in SWAPS_AXES else (width, height)


def upright(img: Image.Image) -> Image.Image:
    """The image turned/flipped as its EXIF orientation says (the same image when it is upright)."""
    return img if exif_orientation(img) == 1 else ImageOps.exif_transpose(img)


def pil_to_rgb(img: Image.Image) -> np.ndarray:
    """An opened PIL image -> ``HxWx3`` uint8 RGB, upright (EXIF orientation applied), alpha dropped,
    gray replicated, high depths scaled."""
    img = upright(img)
    mode = img.mode
    if mode in EIGHT_BIT_MODES:
        return np.asarray(img.convert('RGB'))
    if mode.startswith('I;16') or mode == 'I':
        values = np.asarray(img, dtype=np.float64)
        if mode.startswith('I;16') or (values.min() >= 0 and values.max() <= 65535):
            return _gray_to_rgb(values / 257.0)  # 16-bit: 65535 -> 255
        raise UnsupportedImageError(f'a 32-bit integer image with values in [{values.min():.0f}, {values.max():.0f}] '
                                    f'has no known scale; save it as an 8- or 16-bit PNG.')
    if mode == 'F':
        values = np.asarray(img, dtype=np.float64)
        if not np.isfinite(values).all():
            raise UnsupportedImageError('a float image with NaN/inf pixels; fill them and save it as an 8-bit PNG.')
        low, high = float(values.min()), float(values.max())
        if low >= 0 and high <= 1:
            return _gray_to_rgb(values * 255.0)
        if low >= 0 and high <= 255:
            return _gray_to_rgb(values)
        raise UnsupportedImageError(f'a float image with values in [{low:.4g}, {high:.4g}]: only [0, 1] or '
                                    f'[0, 255] have a known meaning; rescale it and save it as an 8-bit PNG.')
    raise UnsupportedImageError(f'PIL mode {mode!r} is not supported; convert the image to 8-bit RGB first.')


def read_rgb(path: str) -> np.ndarray:
    """An image file as an ``HxWx3`` uint8 RGB array (see :func:`pil_to_rgb`)."""
    with Image.open(path) as img:
        try:
            return pil_to_rgb(img)
        except UnsupportedImageError as err:
            raise UnsupportedImageError(f'{path}: {err}') from None
