"""PLM records: fine-grained video question / answer pairs on time segments, and spatio-temporal
region captions on masklets (rcap, rtloc, rdcap). Everything is checked against the video."""

import math

from backend.annotations.models import Masklet, RegionCaption, VideoQuestion
from backend.core.errors import InvalidInput
from backend.media.models import Video
from backend.media.services import annotation_frame_plan


def annotated_frames(video: Video) -> int:
    return len(annotation_frame_plan(video.frame_count, video.fps, video.annotation_fps))


def question_create(
    *,
    video: Video,
    user,
    start_time: float,
    end_time: float,
    question: str,
    answer: str,
    q_type: str,
    q_subtype: str = "",
    what_description: str = "",
    domain: str = "",
) -> VideoQuestion:
    if not (
        math.isfinite(start_time) and math.isfinite(end_time) and 0 <= start_time < end_time <= video.duration + 1e-6
    ):
        raise InvalidInput({"segment": f"a segment is 0 <= start < end <= {video.duration:.3f} s (the video's length)"})
    if not question.strip() or not answer.strip():
        raise InvalidInput({"question": "write both the question and the answer"})
    taxonomy = video.project.qa_taxonomy or {}
    if taxonomy:
        if q_type not in taxonomy:
            raise InvalidInput({"q_type": f"{q_type!r} is not in this project's taxonomy: {sorted(taxonomy)}"})
        subtypes = taxonomy[q_type] or []
        if subtypes and q_subtype not in subtypes:
            raise InvalidInput({"q_subtype": f"{q_subtype!r} is not a subtype of {q_type!r}: {subtypes}"})
    return VideoQuestion.objects.create(
        video=video,
        start_time=start_time,
        end_time=end_time,
        question=question.strip(),
        answer=answer.strip(),
        q_type=q_type,
        q_subtype=q_subtype,
        what_description=what_description.strip(),
        domain=domain,
        created_by=user,
    )


def question_audit(*, question: VideoQuestion, user, audited: bool = True) -> VideoQuestion:
    question.is_audited = audited
    question.audited_by = user if audited else None
    question.save(update_fields=["is_audited", "audited_by"])
    return question


def _check_span(video: Video, start: int, end: int, what: str) -> None:
    total = annotated_frames(video)
    if not (isinstance(start, int) and isinstance(end, int) and 0 <= start <= end < total):
        raise InvalidInput({what: f"frames {start}..{end} are outside the video's annotated frames 0..{total - 1}"})


def _check_dense_captions(video: Video, segments: list) -> None:
    """rdcap: consecutive spans inside the video, each with a caption."""
    if not segments:
        raise InvalidInput({"dense_captions": "rdcap needs consecutive segments, each with a caption"})
    previous_end = -1
    for position, segment in enumerate(segments):
        if not isinstance(segment, dict) or set(segment) != {"start_frame", "end_frame", "caption"}:
            raise InvalidInput({"dense_captions": f"segment {position}: keys start_frame, end_frame, caption"})
        _check_span(video, segment["start_frame"], segment["end_frame"], "dense_captions")
        if segment["start_frame"] != previous_end + 1 and position > 0:
            raise InvalidInput({"dense_captions": f"segment {position} must start right after the previous one"})
        if not str(segment["caption"]).strip():
            raise InvalidInput({"dense_captions": f"segment {position} has no caption"})
        previous_end = segment["end_frame"]


def caption_create(
    *,
    masklet_id: int,
    video: Video,
    user,
    kind: str,
    start_frame: int | None = None,
    end_frame: int | None = None,
    caption: str = "",
    dense_captions: list | None = None,
) -> RegionCaption:
    """A region caption on a masklet of `video`. A masklet that no longer exists, or frames outside
    the video, are refused."""
    masklet = Masklet.objects.filter(pk=masklet_id, video=video).first()
    if masklet is None:
        raise InvalidInput({"masklet": f"masklet {masklet_id} does not exist in this video (deleted?)"})
    if kind not in RegionCaption.Kind.values:
        raise InvalidInput({"kind": f"one of {RegionCaption.Kind.values}"})
    if kind == RegionCaption.Kind.RDCAP:
        segments = dense_captions or []
        _check_dense_captions(video, segments)
        return RegionCaption.objects.create(
            masklet=masklet,
            kind=kind,
            dense_captions=segments,
            created_by=user,
            start_frame=segments[0]["start_frame"],
            end_frame=segments[-1]["end_frame"],
        )
    if start_frame is None or end_frame is None:
        raise InvalidInput({"start_frame": f"{kind} needs start_frame and end_frame"})
    _check_span(video, start_frame, end_frame, "frames")
    if not caption.strip():
        raise InvalidInput({"caption": "write the caption"})
    return RegionCaption.objects.create(
        masklet=masklet,
        kind=kind,
        start_frame=start_frame,
        end_frame=end_frame,
        caption=caption.strip(),
        created_by=user,
    )
