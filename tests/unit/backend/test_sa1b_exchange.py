"""SA-1B export and import: exact fields, point_coords of clicked, box-only and brushed masks (the
interior points worked out by hand below), export -> import -> export identical, bad archives
(empty masks too) refused with nothing stored, empty masks refused on save."""

import io
import json
import tarfile

import numpy as np
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError

from backend.annotations.models import Mask
from backend.exports.sa1b_import import import_sa1b
from backend.exports.services import export_to_path
from backend.media.models import Image
from engine import rle as rle_ops
from engine.formats.validation import validate_export
from tests import media_factory as mf


@pytest.fixture
def annotated(manager, project_factory, client_for, without_embedding_on_upload):
    project = project_factory(manager, name="sa1b-source")
    api = client_for(manager)
    images = api.post(
        f"/api/projects/{project.pk}/images/",
        {
            "files": [
                SimpleUploadedFile("a.jpg", mf.jpeg_bytes(120, 90, seed=21)),
                SimpleUploadedFile("b.png", mf.png_bytes(64, 48, seed=22)),
            ]
        },
        format="multipart",
    ).json()
    for image in images:
        for k in range(2):
            mask = np.zeros((image["height"], image["width"]), bool)
            mask[5 + k * 10 : 20 + k * 10, 3:30] = True
            Mask.objects.create(
                image_id=image["id"],
                rle=rle_ops.encode(mask),
                area=int(mask.sum()),
                bbox=rle_ops.bbox_coco(rle_ops.encode(mask)),
                source="auto",
                predicted_iou=0.91 + k / 100,
                stability_score=0.97,
                crop_box=[0.0, 0.0, 60.0, 45.0],
                point_coords=[[10.5, 12.25]],
            )
        Mask.objects.create(
            image_id=image["id"],
            rle=rle_ops.encode(np.ones((image["height"], image["width"]), bool)),
            area=image["height"] * image["width"],
            bbox=[0, 0, image["width"], image["height"]],
            status="proposed",
            source="auto",
            predicted_iou=0.5,
            stability_score=0.5,
        )
    return project


def tar_members(path) -> dict[str, bytes]:
    with tarfile.open(path) as tar:
        return {m.name: tar.extractfile(m).read() for m in tar.getmembers()}


def test_sa1b_export_has_exactly_the_sa1b_fields(annotated, tmp_path):
    path = tmp_path / "export.tar"
    counts = export_to_path(annotated, "sa1b", str(path))
    assert counts == {"images": 2, "annotations": 4}  # the proposal is not exported by default
    members = tar_members(path)
    image = Image.objects.filter(project=annotated).order_by("id").first()
    record = json.loads(members[f"sa_{image.pk}.json"])
    assert set(record) == {"image", "annotations"}
    assert record["image"] == {"image_id": image.pk, "width": 120, "height": 90, "file_name": f"sa_{image.pk}.jpg"}
    annotation = record["annotations"][0]
    assert list(annotation) == [
        "id",
        "segmentation",
        "bbox",
        "area",
        "predicted_iou",
        "stability_score",
        "crop_box",
        "point_coords",
    ]
    assert annotation["bbox"] == [3.0, 5.0, 26.0, 14.0]  # SAM's XYWH: x1 - x0, not COCO's + 1
    assert isinstance(annotation["area"], int) and annotation["area"] == 15 * 27
    assert annotation["point_coords"] == [[10.5, 12.25]] and annotation["crop_box"] == [0.0, 0.0, 60.0, 45.0]
    assert members[f"sa_{image.pk}.jpg"][:3] == b"\xff\xd8\xff"


def test_export_import_export_gives_identical_files(annotated, tmp_path, manager, project_factory):
    first = tmp_path / "first.tar"
    export_to_path(annotated, "sa1b", str(first))
    target = project_factory(manager, name="sa1b-copy")
    result = import_sa1b(project=target, path=str(first))
    assert (result.images_created, result.masks_created) == (2, 4)
    second = tmp_path / "second.tar"
    export_to_path(target, "sa1b", str(second))
    assert tar_members(first) == tar_members(second)
    assert first.read_bytes() == second.read_bytes()
    again = import_sa1b(project=target, path=str(first))  # importing twice adds nothing
    assert (again.images_created, again.masks_created, again.masks_existing) == (0, 0, 4)


def _archive(tmp_path, files: dict[str, bytes]) -> str:
    path = tmp_path / "bad.tar"
    with tarfile.open(path, "w") as tar:
        for name, payload in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(payload)
            tar.addfile(info, io.BytesIO(payload))
    return str(path)


def _record(counts, size=(90, 120), file_name="sa_7.jpg") -> bytes:
    return json.dumps(
        {
            "image": {"image_id": 7, "width": size[1], "height": size[0], "file_name": file_name},
            "annotations": [
                {
                    "id": 1,
                    "segmentation": {"size": list(size), "counts": counts},
                    "bbox": [0, 0, 1, 1],
                    "area": 1,
                    "predicted_iou": 0.9,
                    "stability_score": 0.9,
                    "crop_box": [0, 0, 120, 90],
                    "point_coords": [[1, 1]],
                }
            ],
        }
    ).encode()


BAD = {
    "runs do not sum to h*w": lambda: {"sa_7.json": _record([5, 1]), "sa_7.jpg": mf.jpeg_bytes(120, 90)},
    "rle size is not the image's": lambda: {
        "sa_7.json": _record([0, 1, 10799], size=(90, 120)).replace(b"[90, 120]", b"[91, 120]", 1),
        "sa_7.jpg": mf.jpeg_bytes(120, 90),
    },
    "image missing": lambda: {"sa_7.json": _record([0, 1, 10799])},
    "image of another size": lambda: {"sa_7.json": _record([0, 1, 10799]), "sa_7.jpg": mf.jpeg_bytes(64, 48)},
    "html as the image": lambda: {"sa_7.json": _record([0, 1, 10799]), "sa_7.jpg": mf.html_bytes()},
    "path traversal": lambda: {"../sa_7.json": _record([0, 1, 10799]), "sa_7.jpg": mf.jpeg_bytes(120, 90)},
    "not json": lambda: {"sa_7.json": b"{nope", "sa_7.jpg": mf.jpeg_bytes(120, 90)},
    "an empty mask": lambda: {
        "sa_7.json": _record([10800]).replace(b'"area": 1', b'"area": 0'),
        "sa_7.jpg": mf.jpeg_bytes(120, 90),
    },
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_archive_is_refused_and_nothing_is_stored(case, tmp_path, manager, project_factory):
    target = project_factory(manager, name=f"bad-{abs(hash(case))}")
    with pytest.raises(CommandError, match="refused, nothing imported"):
        call_command("import_sa1b", _archive(tmp_path, BAD[case]()), "--project", target.name, stdout=io.StringIO())
    assert not Image.objects.filter(project=target).exists()
    assert not Mask.objects.filter(image__project=target).exists()


def _block(top, left, rows, cols, size=(90, 120)):
    mask = np.zeros(size, bool)
    mask[top : top + rows, left : left + cols] = True
    return rle_ops.encode(mask)


def test_brushed_box_only_and_clicked_masks_round_trip(manager, project_factory, client_for, tmp_path):
    project = project_factory(manager, name="made-by-people")
    api = client_for(manager)
    image = api.post(
        f"/api/projects/{project.pk}/images/",
        {"files": [SimpleUploadedFile("c.jpg", mf.jpeg_bytes(120, 90, seed=23))]},
        format="multipart",
    ).json()[0]
    clicks = [
        {"kind": "point", "x": 70.0, "y": 20.0, "label": 0, "t_ms": 100},  # a negative click first
        {"kind": "point", "x": 35.5, "y": 30.25, "label": 1, "t_ms": 900},
    ]
    made = {
        # Clicked: point_coords is the first positive click.
        "clicked": {"rle": _block(25, 30, 12, 14), "prompts": clicks},
        # Box only: a 7x7 block at rows 40-46, cols 50-56; its only pixel 4 px from the outside is the
        # centre, row 43, col 53.
        "box": {"rle": _block(40, 50, 7, 7), "prompts": [{"kind": "box", "box": [50, 40, 56, 46], "t_ms": 50}]},
        # Brushed, no prompt: a 5x5 block at rows 10-14, cols 20-24; centre row 12, col 22 (3 px).
        "brushed": {"rle": _block(10, 20, 5, 5), "prompts": []},
    }
    ids = {}
    for name, body in made.items():
        answer = api.post("/api/masks/", {"image": image["id"], **body}, format="json")
        assert answer.status_code == 201, answer.content
        ids[answer.json()["id"]] = name
    first = tmp_path / "first.tar"
    export_to_path(project, "sa1b", str(first))
    record = json.loads(tar_members(first)[f"sa_{image['id']}.json"])
    points = {ids[a["id"]]: a["point_coords"] for a in record["annotations"]}
    assert points == {"clicked": [[35.5, 30.25]], "box": [[53.0, 43.0]], "brushed": [[22.0, 12.0]]}
    assert validate_export(first, "sa1b").ok
    copy = project_factory(manager, name="made-by-people-copy")
    import_sa1b(project=copy, path=str(first))
    second = tmp_path / "second.tar"
    export_to_path(copy, "sa1b", str(second))
    assert second.read_bytes() == first.read_bytes()


def test_empty_masks_are_refused_on_save(annotated, client_for, manager):
    api = client_for(manager)
    image = Image.objects.filter(project=annotated).order_by("id").first()
    empty = rle_ops.empty(image.height, image.width)
    before = Mask.objects.count()
    answer = api.post("/api/masks/", {"image": image.pk, "rle": empty}, format="json")
    assert answer.status_code == 400 and "area 0" in answer.json()["rle"][0]
    assert Mask.objects.count() == before
    mask = Mask.objects.filter(image=image, status="submitted").first()
    edit = api.patch(f"/api/masks/{mask.pk}/", {"rle": empty, "version": mask.version}, format="json")
    assert edit.status_code == 400 and "area 0" in edit.json()["rle"][0]
    mask.refresh_from_db()
    assert mask.area > 0 and mask.version == 1
