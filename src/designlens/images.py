"""Decoding image bytes into sRGB pixel arrays, with a clear InputError for every bad input."""

from __future__ import annotations

import hashlib
import io
import warnings
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import numpy.typing as npt
from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

from designlens.errors import InputError

DEFAULT_MAX_PIXELS = 60_000_000  # a 1280 x 40000 full-page capture still fits; bombs do not
IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".webp", ".gif", ".bmp", ".tif", ".tiff")
_SRGB = ImageCms.createProfile("sRGB")
_LOSSY_FORMATS = {"JPEG", "MPO", "WEBP"}  # WebP may be lossless; treating it as lossy only denoises


@dataclass(frozen=True, eq=False)
class DecodedImage:
    """One screenshot as sRGB pixels. `id` is the SHA-256 of its bytes: its identity."""

    id: str
    source: str
    pixels: npt.NDArray[np.uint8]  # height x width x 3, sRGB
    scale: float = 1.0  # image px per CSS px
    lossy: bool = False  # decoded from a lossy format (JPEG, WebP): exact values carry noise

    @property
    def width(self) -> int:
        return int(self.pixels.shape[1])

    @property
    def height(self) -> int:
        return int(self.pixels.shape[0])


def image_id(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


@lru_cache(maxsize=16)
def _to_srgb_transform(profile: bytes, mode: str) -> ImageCms.ImageCmsTransform:
    source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
    return ImageCms.buildTransform(source, _SRGB, mode, "RGB")


def _as_srgb(img: Image.Image, source: str) -> Image.Image:
    """Convert any mode to 8-bit RGB in sRGB; alpha is composited over white."""
    if img.mode in ("I;16", "I;16B", "I;16L", "I"):
        # 16-bit grey: scale to 8 bit rather than clip.
        arr = np.asarray(img, dtype=np.float64)
        peak = 65535.0 if arr.max() > 255 else 255.0
        img = Image.fromarray(np.round(arr * (255.0 / peak)).astype(np.uint8), "L")
    if img.mode == "P" or img.mode == "PA":
        img = img.convert("RGBA")
    if img.mode in ("RGBA", "LA", "La", "RGBa"):
        rgba = img.convert("RGBA")
        background = Image.new("RGBA", rgba.size, (255, 255, 255, 255))
        img = Image.alpha_composite(background, rgba).convert("RGB")
    profile = img.info.get("icc_profile")
    if profile and img.mode in ("RGB", "CMYK", "L"):
        try:
            return ImageCms.applyTransform(img, _to_srgb_transform(profile, img.mode)) or img
        except (ImageCms.PyCMSError, OSError) as exc:
            warnings.warn(f"{source}: ignoring unreadable ICC profile ({exc})", stacklevel=2)
    return img.convert("RGB") if img.mode != "RGB" else img


def decode(
    data: bytes, source: str, *, max_pixels: int = DEFAULT_MAX_PIXELS, scale: float = 1.0
) -> DecodedImage:
    """Decode image bytes; every failure is an InputError naming `source`."""
    if not data:
        raise InputError(source, "empty file (0 bytes)")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", Image.DecompressionBombWarning)
            opened = Image.open(io.BytesIO(data))
            width, height = opened.size
            if width * height > max_pixels:
                raise InputError(
                    source,
                    f"image is {width}x{height} = {width * height:,} pixels, over the limit of "
                    f"{max_pixels:,} (decompression bomb guard)",
                )
            opened.load()
            lossy = opened.format in _LOSSY_FORMATS
            icc = opened.info.get("icc_profile")
            img: Image.Image = ImageOps.exif_transpose(opened) or opened
            if icc and "icc_profile" not in img.info:
                img.info["icc_profile"] = icc
            img = _as_srgb(img, source)
    except InputError:
        raise
    except UnidentifiedImageError:
        raise InputError(source, "not a supported image (format not recognised)") from None
    except (Image.DecompressionBombError, Image.DecompressionBombWarning) as exc:
        raise InputError(
            source, f"image is over the limit of {max_pixels:,} pixels (decompression bomb guard): {exc}"
        ) from None
    except (OSError, SyntaxError, ValueError) as exc:
        raise InputError(source, f"corrupt or truncated image ({exc})") from None
    pixels = np.asarray(img, dtype=np.uint8)
    if pixels.ndim != 3 or pixels.shape[2] != 3 or pixels.size == 0:
        raise InputError(source, f"cannot read pixels (shape {pixels.shape})")
    pixels.flags.writeable = False  # shared by every extractor of the image: none may change it
    return DecodedImage(id=image_id(data), source=source, pixels=pixels, scale=scale, lossy=lossy)


def thumbnail(path: str, max_side: int = 320) -> bytes | None:
    """A small JPEG of an image for reports and web pages; None if it does not decode."""
    try:
        with Image.open(path) as img:
            img.thumbnail((max_side, max_side))
            buf = io.BytesIO()
            img.convert("RGB").save(buf, format="JPEG", quality=80)
    except (OSError, ValueError, Image.DecompressionBombError):
        return None
    return buf.getvalue()
