"""Untrusted SA-1B archives: caps on members, sizes and expansion are checked on each header before
its data is read, deep JSON is refused with a message, and a refused import leaves nothing behind
(not even the project the command would have created)."""

import io
import json
import tarfile
import tracemalloc

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from backend.annotations.models import Mask
from backend.core.errors import InvalidInput
from backend.exports.sa1b_import import import_sa1b
from backend.media.models import Image
from backend.projects.models import Project
from tests import media_factory as mf

MB = 1024 * 1024


def _tar(path, files: dict[str, bytes], mode="w") -> str:
    with tarfile.open(path, mode) as tar:
        for name, payload in files.items():
            info = tarfile.TarInfo(name)
            info.size = len(payload)
            tar.addfile(info, io.BytesIO(payload))
    return str(path)


def _record(image_id=7, size=(30, 40), annotation_id=1) -> bytes:
    h, w = size
    return json.dumps(
        {
            "image": {"image_id": image_id, "width": w, "height": h, "file_name": f"sa_{image_id}.jpg"},
            "annotations": [
                {
                    "id": annotation_id,
                    "segmentation": {"size": [h, w], "counts": [0, 1, h * w - 1]},
                    "bbox": [0, 0, 1, 1],
                    "area": 1,
                    "predicted_iou": 0.9,
                    "stability_score": 0.9,
                    "crop_box": [0, 0, w, h],
                    "point_coords": [[0, 0]],
                }
            ],
        }
    ).encode()


def _good_files() -> dict[str, bytes]:
    return {"sa_7.json": _record(), "sa_7.jpg": mf.jpeg_bytes(40, 30, seed=4)}


@pytest.fixture
def project(manager, project_factory):
    return project_factory(manager, name="caps")


def _nothing_stored(project) -> bool:
    return (
        not Image.objects.filter(project=project).exists() and not Mask.objects.filter(image__project=project).exists()
    )


def test_a_small_archive_of_zeros_that_expands_to_gigabytes_is_refused_with_flat_memory(tmp_path, project):
    path = mf.zero_bomb_tar_gz(tmp_path / "bomb.tar.gz", members=40, member_bytes=45 * MB)  # 1.8 GB expanded
    size = (tmp_path / "bomb.tar.gz").stat().st_size
    assert size < 3 * MB
    tracemalloc.start()
    try:
        with pytest.raises(InvalidInput, match="expands more than 100 times"):
            import_sa1b(project=project, path=path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak < 16 * MB, f"peak {peak / MB:.1f} MB while refusing a {size / MB:.1f} MB archive"
    assert _nothing_stored(project)


def test_a_member_declaring_gigabytes_is_refused_on_its_header(tmp_path, project):
    path = tmp_path / "huge.tar"
    path.write_bytes(mf.tar_header("sa_7.jpg", 3 * 1024 * MB) + bytes(512))  # a header, and no data at all
    with pytest.raises(InvalidInput, match="over the limit"):
        import_sa1b(project=project, path=str(path))
    path.write_bytes(mf.tar_header("sa_7.json", 200 * MB) + bytes(512))
    with pytest.raises(InvalidInput, match="over the limit"):
        import_sa1b(project=project, path=str(path))


def test_caps_on_member_count_and_total_size(tmp_path, project, settings):
    files = {**_good_files(), **{f"extra_{i}.txt": b"x" * 100 for i in range(10)}}
    path = _tar(tmp_path / "many.tar", files)
    settings.SA1B_IMPORT_MAX_MEMBERS = 5
    with pytest.raises(InvalidInput, match="more than 5 files"):
        import_sa1b(project=project, path=path)
    settings.SA1B_IMPORT_MAX_MEMBERS = 100
    settings.SA1B_IMPORT_MAX_BYTES = 1500
    with pytest.raises(InvalidInput, match="more than 1500 bytes"):
        import_sa1b(project=project, path=path)
    settings.SA1B_IMPORT_MAX_BYTES = 10 * MB
    assert import_sa1b(project=project, path=path).masks_created == 1


@pytest.mark.parametrize(
    "payload",
    [b"[" * 100_000 + b"]" * 100_000, b'{"image":' * 50_000 + b"1" + b"}" * 50_000],
    ids=["arrays", "objects"],
)
def test_deeply_nested_json_is_refused_with_a_message(tmp_path, project, payload):
    path = _tar(tmp_path / "deep.tar", {"sa_7.json": payload, "sa_7.jpg": mf.jpeg_bytes(40, 30)})
    with pytest.raises(InvalidInput, match="nested more than 16 levels"):
        import_sa1b(project=project, path=path)
    assert _nothing_stored(project)


def test_ids_past_the_database_and_links_are_refused(tmp_path, project):
    path = _tar(tmp_path / "ids.tar", {"sa_7.json": _record(annotation_id=2**64), "sa_7.jpg": mf.jpeg_bytes(40, 30)})
    with pytest.raises(InvalidInput, match="ids are whole numbers"):
        import_sa1b(project=project, path=path)
    link = tmp_path / "link.tar"
    with tarfile.open(link, "w") as tar:
        info = tarfile.TarInfo("sa_7.jpg")
        info.type, info.linkname = tarfile.SYMTYPE, "/etc/passwd"
        tar.addfile(info)
    with pytest.raises(InvalidInput, match="links"):
        import_sa1b(project=project, path=str(link))


def test_a_compressed_archive_imports_and_a_damaged_one_is_refused(tmp_path, project):
    path = _tar(tmp_path / "good.tar.gz", _good_files(), mode="w:gz")
    assert import_sa1b(project=project, path=path).images_created == 1
    damaged = tmp_path / "damaged.tar.gz"
    damaged.write_bytes((tmp_path / "good.tar.gz").read_bytes()[:-40])
    other = Project.objects.create(name="caps-2", kind="image")
    with pytest.raises(InvalidInput, match=r"damaged|readable"):
        import_sa1b(project=other, path=str(damaged))
    assert _nothing_stored(other)


def test_a_refused_import_does_not_create_the_project(tmp_path, db):
    path = _tar(tmp_path / "bad.tar", {"sa_7.json": b"[" * 5000 + b"]" * 5000, "sa_7.jpg": mf.jpeg_bytes(40, 30)})
    with pytest.raises(CommandError, match="refused, nothing imported"):
        call_command("import_sa1b", path, "--project", "never-made", stdout=io.StringIO())
    assert not Project.objects.filter(name="never-made").exists()
    good = _tar(tmp_path / "good.tar", _good_files())
    call_command("import_sa1b", good, "--project", "made", stdout=io.StringIO())
    assert Mask.objects.filter(image__project__name="made").count() == 1
