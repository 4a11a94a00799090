"""Frame extraction, as the cpu worker runs it: the annotated frames of a video decoded with OpenCV
and stored as JPEG, in batches, resumable after a dead worker."""

import cv2

from backend.jobs.services import JobFailed, job_progress
from backend.media.models import Frame, Video
from backend.media.services import annotation_frame_plan, frames_record
from backend.media.storage import local_path, store_bytes

JPEG_QUALITY = 90
BATCH = 16


def frame_key(video: Video, index: int) -> str:
    rate = f"{video.annotation_fps:g}"
    return f"frames/{video.sha256[:2]}/{video.sha256}/{rate}fps/{index:06d}.jpg"


def frames_extract(job) -> dict:
    """Extract the annotated frames of a video into storage. Idempotent: frames already recorded
    are skipped, so a retry after a dead worker only does what is left."""
    video = Video.objects.filter(pk=job.subject_id).first()
    if video is None:
        raise JobFailed("the video was deleted")
    plan = annotation_frame_plan(video.frame_count, video.fps, video.annotation_fps)
    done = set(Frame.objects.filter(video=video).values_list("index", flat=True))
    wanted = {source: index for index, source in enumerate(plan) if index not in done}
    pending: list[Frame] = []
    written = len(done)
    with local_path(video.storage_key, suffix=f".{video.format}") as path:
        capture = cv2.VideoCapture(path)
        if not capture.isOpened():
            raise JobFailed("the stored video cannot be opened")
        try:
            last_wanted = max(wanted) if wanted else -1
            source = 0
            while source <= last_wanted:
                if not capture.grab():
                    break
                if source in wanted:
                    ok, image = capture.retrieve()
                    if not ok:
                        raise JobFailed(f"frame {source} of the video cannot be decoded")
                    index = wanted[source]
                    ok, encoded = cv2.imencode(".jpg", image, [cv2.IMWRITE_JPEG_QUALITY, JPEG_QUALITY])
                    key = store_bytes(frame_key(video, index), encoded.tobytes(), overwrite=True)
                    pending.append(
                        Frame(
                            video=video, index=index, source_index=source, timestamp=source / video.fps, storage_key=key
                        )
                    )
                    if len(pending) >= BATCH:
                        frames_record(video, pending)
                        written += len(pending)
                        pending = []
                        job_progress(job, written / len(plan))
                source += 1
        finally:
            capture.release()
    frames_record(video, pending)
    written += len(pending)
    if written == 0:
        raise JobFailed("no frame could be read from the video")
    return {"frames": written, "planned": len(plan), "annotation_fps": video.annotation_fps}
