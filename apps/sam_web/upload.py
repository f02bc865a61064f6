"""Decode an uploaded file safely: size and pixel limits first, then a decode downscaled to what the model uses.

The model never sees more than ``max_side`` pixels along the long side (the largest resolution
the app offers), so the stored image is reduced to that at decode time (JPEG: PIL's ``draft``
decodes at 1/2, 1/4 or 1/8 scale directly). Prompts and masks stay in original-image pixels.
"""
import io
from typing import Tuple

import numpy as np
from PIL import Image, UnidentifiedImageError

from .errors import AppError
from radio_dense.sam.utils.image_io import UnsupportedImageError, pil_to_rgb, upright_size


def _target_size(width: int, height: int, max_side: int) -> Tuple[int, int]:
    scale = min(1.0, max_side / max(width, height))
    return max(1, round(width * scale)), max(1, round(height * scale))


def decode_upload(data: bytes, max_bytes: int, max_pixels: int, max_side: int = 1 << 30
                  ) -> Tuple[np.ndarray, Tuple[int, int]]:
    """Uploaded file bytes -> ``(HxWx3 uint8 RGB with long side <= max_side, original (H, W))``.

    Both are upright (EXIF orientation applied), as the browser shows the picture.
    """
    if not data:
        raise AppError('The upload is empty; choose an image file (PNG, JPEG, WebP, BMP...).')
    if len(data) > max_bytes:
        raise AppError(f'The file is {len(data) / 2 ** 20:.1f} MiB; the limit is {max_bytes / 2 ** 20:.0f} MiB. '
                          f'Upload a smaller image.', 413)
    try:
        with Image.open(io.BytesIO(data)) as probe:
            width, height = probe.size
            if width * height > max_pixels:
                raise AppError(f'The image is {width}x{height} = {width * height / 1e6:.0f} MP; the limit is '
                                  f'{max_pixels / 1e6:.0f} MP. Downscale it first.', 413)
            probe.verify()
        with Image.open(io.BytesIO(data)) as img:
            width, height = upright_size(img)  # as shown (EXIF orientation); verify() above left no EXIF to read
            target = _target_size(width, height, max_side)
            if target != (width, height):
                raw_target = target if img.size == (width, height) else target[::-1]  # draft: stored orientation
                img.draft('RGB', raw_target)  # JPEG: decode at a reduced scale (>= target); others: no-op
            image = pil_to_rgb(img)
    except AppError:
        raise
    except UnsupportedImageError as err:
        raise AppError(f'This image cannot be shown correctly: {err}') from err
    except Image.DecompressionBombError as err:
        raise AppError(f'The image has too many pixels ({err}); downscale it first.', 413) from err
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError) as err:
        raise AppError(f'This file is not an image that can be read ({type(err).__name__}). '
                          f'Upload a PNG, JPEG, WebP, BMP, GIF or TIFF picture.') from err
    if height < 2 or width < 2:
        raise AppError(f'The image is only {width}x{height} pixels; upload a larger one.')
    if max(image.shape[:2]) > max_side:
        small = Image.fromarray(image).resize(target, Image.BILINEAR, reducing_gap=2.0)
        image = np.asarray(small)
    return image, (height, width)
