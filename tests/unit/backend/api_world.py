"""A small world with one object of every kind the API serves (an image project and a video project,
their media, masks, masklets, a session, PLM records, an export, a round, a model version, jobs)
and a user in every role, for tests that walk the whole API."""

import io
from dataclasses import dataclass, field

import numpy as np
from django.contrib.auth import get_user_model

from backend.annotations.models import Mask, Masklet, MaskletFrame, RegionCaption, VideoQuestion
from backend.exports.services import export_create
from backend.inference.models import VideoSession
from backend.media.models import Frame
from backend.media.services import media_ingest
from backend.media.storage import store_bytes
from backend.projects.models import Category, Membership
from backend.projects.services import project_create
from backend.training.config import RoundConfig
from backend.training.models import ModelVersion
from backend.training.schedule_clock import Clock
from backend.training.schedule_services import ScheduleSpec, schedule_create
from backend.training.services import round_start
from engine import rle as rle_ops
from tests import media_factory as mf

ROLES = ("annotator", "reviewer", "researcher", "manager")


@dataclass
class World:
    users: dict = field(default_factory=dict)  # role -> user; also "staff" and "outsider"
    ids: dict = field(default_factory=dict)  # path parameter name -> id
    video_ids: dict = field(default_factory=dict)  # the same for paths about the video project


def _user(name: str, **extra):
    return get_user_model().objects.create_user(username=name, password="pw-for-tests-123", **extra)


def build_world() -> World:
    world = World()
    world.users = {role: _user(f"w-{role}") for role in ROLES}
    world.users["staff"] = _user("w-staff", is_staff=True, is_superuser=True)
    world.users["outsider"] = _user("w-outsider")
    manager = world.users["manager"]

    image_project = project_create(user=manager, name="w-images", kind="image", categories=["thing"])
    video_project = project_create(user=manager, name="w-videos", kind="video", categories=["thing"])
    for project in (image_project, video_project):
        for role in ("annotator", "reviewer", "researcher"):
            Membership.objects.create(user=world.users[role], project=project, role=role)
    category = Category.objects.get(project=image_project)
    other_category = Category.objects.create(project=image_project, name="other")
    annotator_membership = Membership.objects.get(project=image_project, user=world.users["annotator"])

    [(image, _)] = media_ingest(
        project=image_project, uploads=[(io.BytesIO(mf.jpeg_bytes(40, 30, seed=61)), "w.jpg")], user=manager
    )
    shape = np.zeros((30, 40), bool)
    shape[5:20, 8:30] = True
    mask = Mask.objects.create(
        image=image,
        rle=rle_ops.encode(shape),
        area=int(shape.sum()),
        bbox=[8, 5, 22, 15],
        category=category,
        created_by=world.users["annotator"],
    )
    Mask.objects.create(
        image=image,
        rle=rle_ops.encode(~shape),
        area=int((~shape).sum()),
        bbox=[0, 0, 40, 30],
        source=Mask.Source.AUTO,
        status=Mask.Status.PROPOSED,
        predicted_iou=0.9,
    )

    [(video, _)] = media_ingest(
        project=video_project, uploads=[(io.BytesIO(mf.video_bytes(frames=12)), "w.mp4")], user=manager
    )
    frame_key = store_bytes(f"frames/w-{video.pk}-0.jpg", mf.jpeg_bytes(video.width, video.height), overwrite=True)
    Frame.objects.create(video=video, index=0, source_index=0, timestamp=0, storage_key=frame_key)
    masklet = Masklet.objects.create(video=video, object_id=3, created_by=world.users["annotator"])
    vshape = np.zeros((video.height, video.width), bool)
    vshape[10:30, 10:40] = True
    MaskletFrame.objects.create(
        masklet=masklet, frame_index=0, rle=rle_ops.encode(vshape), area=int(vshape.sum()), edited=True
    )
    session = VideoSession.objects.create(video=video)
    question = VideoQuestion.objects.create(
        video=video, start_time=0, end_time=0.2, question="what?", answer="that", q_type="action"
    )
    RegionCaption.objects.create(masklet=masklet, kind="rcap", start_frame=0, end_frame=0, caption="a square")

    export = export_create(project=image_project, fmt="coco", user=manager, include_all=False)
    training_round = round_start(project=image_project, user=manager, config=RoundConfig.from_json({}))
    schedule = schedule_create(
        project=image_project, user=manager, spec=ScheduleSpec(clock=Clock(every=6, period="hours"), every_masks=50)
    )
    version = ModelVersion.objects.create(
        project=image_project, spec="sam:vit_b", version="sam:vit_b@w0rld", checkpoint_key="none", sha256="0" * 64
    )

    world.ids = {
        "project_id": image_project.pk,
        "membership_id": annotator_membership.pk,
        "image_id": image.pk,
        "mask_id": mask.pk,
        "job_id": export.job_id,
        "export_id": export.pk,
        "round_id": training_round.pk,
        "schedule_id": schedule.pk,
        "version_id": version.pk,
        "video_id": video.pk,
        "index": 0,
        "session_id": session.pk,
        "masklet_id": masklet.pk,
        "object_id": masklet.object_id,
        "question_id": question.pk,
        "item_id": image.pk,  # /api/images/{item_id}/...: the work state of an image
        "category_id": other_category.pk,
    }
    world.video_ids = {
        **world.ids,
        "project_id": video_project.pk,
        "membership_id": Membership.objects.get(project=video_project, user=world.users["annotator"]).pk,
        "item_id": video.pk,
    }
    world.category_id = category.pk
    world.image_size = (30, 40)
    world.video_size = (video.height, video.width)
    return world
