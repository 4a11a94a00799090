"""A project's categories as its managers edit them: add, rename, recolour, and merge one into
another (its masks and masklets move to the other, then it is deleted, in one transaction)."""

from django.db import IntegrityError, transaction

from backend.annotations.models import Mask, Masklet
from backend.core.errors import InvalidInput
from backend.projects.models import Category, Project
from backend.projects.services import PALETTE


def category_create(*, project: Project, name: str, color: str | None = None) -> Category:
    color = color or PALETTE[project.categories.count() % len(PALETTE)]
    try:
        with transaction.atomic():
            return Category.objects.create(project=project, name=name, color=color)
    except IntegrityError as exc:
        raise InvalidInput({"name": f"the project has a category named {name!r}"}) from exc


def category_update(*, category: Category, name: str | None = None, color: str | None = None) -> Category:
    fields = {key: value for key, value in (("name", name), ("color", color)) if value is not None}
    if not fields:
        return category
    for key, value in fields.items():
        setattr(category, key, value)
    try:
        with transaction.atomic():
            category.save(update_fields=list(fields))
    except IntegrityError as exc:
        raise InvalidInput({"name": f"the project has a category named {name!r}"}) from exc
    return category


def category_merge(*, source: Category, into: Category) -> dict:
    """Move every mask and masklet of `source` to `into` and delete `source`. Returns the counts."""
    if source.project_id != into.project_id:
        raise InvalidInput({"into": "merge into a category of the same project"})
    if source.pk == into.pk:
        raise InvalidInput({"into": "choose another category to merge into"})
    with transaction.atomic():
        masks = Mask.objects.filter(category=source).update(category=into)
        masklets = Masklet.objects.filter(category=source).update(category=into)
        source.delete()
    return {"masks": masks, "masklets": masklets}
