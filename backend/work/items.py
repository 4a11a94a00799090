"""The two kinds of work item, images and videos, and how work rows point at each (one nullable
foreign key per kind), so services and selectors are written once for both."""

from dataclasses import dataclass

from django.db.models import Model

from backend.core.errors import InvalidInput
from backend.media.models import Image, Video


@dataclass(frozen=True)
class ItemKind:
    name: str  # "image" or "video": the foreign key's name on ItemDecision, Completion and Claim
    model: type[Model]
    work: str  # the reverse relation to what people make on it: masks (images), masklets (videos)

    def ref(self, item: Model | int) -> dict:
        """Filter / create keywords pointing a work row at `item` (an object or its id)."""
        return {self.name if isinstance(item, Model) else f"{self.name}_id": item}

    def outer(self, reference) -> dict:
        """Filter keywords pointing a work row at the outer query's item (OuterRef)."""
        return {self.name: reference}


IMAGE = ItemKind("image", Image, "masks")
VIDEO = ItemKind("video", Video, "masklets")
KINDS = {kind.name: kind for kind in (IMAGE, VIDEO)}


def kind_named(name: str) -> ItemKind:
    try:
        return KINDS[name]
    except KeyError as exc:
        raise InvalidInput({"kind": f"one of {', '.join(KINDS)}, got {name[:20]!r}"}) from exc


def kind_of(item: Model) -> ItemKind:
    return IMAGE if isinstance(item, Image) else VIDEO
