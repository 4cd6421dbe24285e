"""Image generation cost: images x price per image, by size, quality and steps (the price's ``variant``, in the
one vocabulary of ``variants``)."""

from __future__ import annotations

from decimal import Decimal

from .errors import CalcError
from .lookup import PriceLookup
from .plan import ZERO, Component, PriceRef, check_counts, value
from .variants import image_variant


def image_components(
    *,
    images: int = 0,
    images_per_month: int = 0,
    size: str | None = None,
    quality: str | None = None,
    steps: int | None = None,
) -> list[Component]:
    """One-time batch of ``images`` and/or a run-rate of ``images_per_month``."""
    check_counts(images=images, images_per_month=images_per_month)
    if not images and not images_per_month:
        raise CalcError("an image line needs images (one-time) or images_per_month")
    check_counts(steps=steps)
    ref = PriceRef("output_image", "per_image", variant=image_variant(size, quality, steps))
    monthly = Decimal(images_per_month)
    return [Component("images", ref, one_time=Decimal(images), monthly=monthly, first_year=images + monthly * 12)]


def image_cost(lookup: PriceLookup, model: str | None = None, **workload) -> tuple[Decimal, Decimal, Decimal]:
    """(one-time, monthly, first-year) cost of an image workload."""
    valued = value(image_components(**workload), lookup, model, what="image cost")
    return valued.one_time, valued.monthly, valued.first_year


__all__ = ["ZERO", "image_components", "image_cost", "image_variant"]
