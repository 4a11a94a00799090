"""The data-engine simulator for video, as SAM 2's engine (37.8 s -> 4.5 s per masklet frame over its
phases): simulated annotators make masklets on generated videos with the tiny SAM 2 tracker in the
loop (engine.video_annotator: clicks on the first frame, then on the frames where the masklet's IoU
drops, re-propagating after each), every accepted masklet retrains SAM 2 (training.video_train), a
gate on held-out videos keeps the better tracker, and one table row per round gives clicks per
masklet frame. Round 0 serves a tracker pretrained on a simpler generated video domain."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path

from engine.synthetic_video import GeneratedVideo, make_videos
from engine.video_annotator import MaskletTrace, VideoAnnotatorConfig, annotate_masklet
from training.video_train import FrameFeatures, VideoTrainConfig, build_network, tracker_from_checkpoint, train_video

PrintFn = Callable[[str], None]
ProgressFn = Callable[[float, str], None]

# From random init on the plain domain: focal:dice 1:1 (training.simulate found SAM's 20:1 collapses a
# random decoder to empty masks), longer clips than the rounds so that memory learns to carry a mask.
VIDEO_PRETRAIN = VideoTrainConfig(steps=200, clip_frames=6, lr=2e-3)
# The rounds: from the serving weights, on every accepted masklet so far.
VIDEO_ROUNDS = VideoTrainConfig(steps=100, clip_frames=6, lr=1e-3)


@dataclass(frozen=True)
class VideoSimulationConfig:
    """rounds: table rows; round 0 is served by the pretrained tracker, every round but the last
    retrains on all masklets accepted so far from the serving weights. videos_per_round x
    objects_per_video masklets are made per round on the hard video domain, heldout_videos fixed
    videos of that domain gate each candidate (lower held-out clicks per masklet frame promotes).
    num_frames, frame_size: the generated videos; image_size: SAM 2's input side (256: the tiny
    network's feature grid is 16x16). pretrain_videos of the plain domain, `pretrain` from random
    init; `train`: the rounds' recipe; annotator: the simulated annotator's target and caps."""

    rounds: int = 5
    videos_per_round: int = 4
    objects_per_video: int = 2
    heldout_videos: int = 3
    num_frames: int = 24
    frame_size: int = 128
    image_size: int = 256
    annotator: VideoAnnotatorConfig = field(default_factory=VideoAnnotatorConfig)
    seed: int = 0
    pretrain_videos: int = 16
    pretrain: VideoTrainConfig = field(default_factory=lambda: VIDEO_PRETRAIN)
    train: VideoTrainConfig = field(default_factory=lambda: VIDEO_ROUNDS)

    def __post_init__(self):
        if min(self.rounds, self.videos_per_round, self.objects_per_video, self.heldout_videos) < 1:
            raise ValueError("rounds, videos_per_round, objects_per_video and heldout_videos must be at least 1")
        if self.num_frames < 2 or self.pretrain_videos < 0:
            raise ValueError("num_frames must be >= 2 and pretrain_videos >= 0")


@dataclass(frozen=True)
class MaskletFigures:
    """What a set of simulated masklets cost: clicks per masklet frame (all clicks / all frames),
    first-frame clicks per masklet, the share of frames the annotator fixed by hand, and the mean
    IoU of the tracker's masklets over their frames before that fix (J)."""

    masklets: int
    frames: int
    clicks_per_frame: float
    first_frame_clicks: float
    hand_fixed: float
    mean_iou: float

    @classmethod
    def of(cls, traces: list[MaskletTrace]) -> MaskletFigures:
        frames = sum(t.frames for t in traces)
        return cls(
            len(traces),
            frames,
            sum(len(t.clicks) for t in traces) / frames,
            sum(t.first_frame_clicks for t in traces) / len(traces),
            sum(t.frames_fixed_by_hand for t in traces) / frames,
            sum(sum(t.ious) for t in traces) / frames,
        )


@dataclass
class VideoRoundReport:
    """One round: what its masklets cost with the serving tracker (annotated), that tracker's
    held-out figures (heldout), the candidate retrained after the round (None in the last) and
    whether the gate promoted it."""

    round: int
    annotated: MaskletFigures
    total_masklets: int
    heldout: MaskletFigures
    promoted: bool | None
    checkpoint: str
    candidate: MaskletFigures | None = None


def build_video_pools(config: VideoSimulationConfig) -> tuple[list[list[GeneratedVideo]], list[GeneratedVideo]]:
    """Each round's hard-domain videos and the fixed held-out videos (seed ranges that never meet)."""
    base = config.seed * 1_000_003

    def videos(count: int, seed: int) -> list[GeneratedVideo]:
        return make_videos(
            count, seed=seed, domain="hard", num_frames=config.num_frames, size=config.frame_size,
            n_objects=config.objects_per_video,
        )  # fmt: skip

    pool = videos(config.rounds * config.videos_per_round, base)
    heldout = videos(config.heldout_videos, base + 500_000)
    per = config.videos_per_round
    return [pool[r * per : (r + 1) * per] for r in range(config.rounds)], heldout


def annotate_videos(tracker, videos: list[GeneratedVideo], annotator: VideoAnnotatorConfig) -> list[MaskletTrace]:
    """Every object of every video as one masklet, each in its own tracker session."""
    return [
        annotate_masklet(tracker, video.frames, video.masks[k], annotator)
        for video in videos
        for k in range(video.num_objects)
    ]


def run_video_simulation(
    config: VideoSimulationConfig,
    output_dir: Path,
    *,
    print_fn: PrintFn | None = print,
    progress: ProgressFn | None = None,
) -> list[VideoRoundReport]:
    """Run the rounds, print the table as it grows and write `output_dir/video_simulation.json`."""
    started = time.monotonic()
    output_dir = Path(output_dir)
    output_dir.mkdir(parents=True, exist_ok=True)
    batches, heldout = build_video_pools(config)
    features = FrameFeatures(build_network(config.image_size, seed=config.seed).network)
    if config.pretrain_videos > 0:
        plain = make_videos(
            config.pretrain_videos, seed=10_000 + config.seed * 7919, domain="plain",
            num_frames=config.num_frames, size=config.frame_size, n_objects=config.objects_per_video,
        )  # fmt: skip
        pretrain = _seeded(config.pretrain, config.seed)
        active_path, _ = train_video(
            plain, pretrain, output_dir / "pretrain" / "model.pt", image_size=config.image_size,
            features=features, progress=_part(progress, 0.0, 0.3),
        )  # fmt: skip
    else:
        active_path = build_network(config.image_size, seed=config.seed).save(output_dir / "init.pt")

    def figures(path: Path, videos: list[GeneratedVideo], version: str) -> MaskletFigures:
        tracker = tracker_from_checkpoint(path, config.image_size, version, config.num_frames)
        return MaskletFigures.of(annotate_videos(tracker, videos, config.annotator))

    active_heldout = figures(active_path, heldout, "round-0")
    accepted: list[GeneratedVideo] = []
    reports: list[VideoRoundReport] = []
    if print_fn is not None:
        print_fn(table_header())
    for round_index in range(config.rounds):
        annotated = figures(active_path, batches[round_index], f"round-{round_index}")
        accepted.extend(batches[round_index])  # the annotator fixed the rest by hand: masklet = object
        report = VideoRoundReport(
            round_index, annotated, len(accepted) * config.objects_per_video, active_heldout, None, str(active_path)
        )
        if round_index < config.rounds - 1:
            span = 0.7 / max(1, config.rounds - 1)
            candidate_path, _ = train_video(
                accepted,
                _seeded(config.train, config.seed + round_index + 1),
                output_dir / f"round-{round_index + 1}" / "model.pt",
                image_size=config.image_size,
                init_checkpoint=active_path,
                features=features,
                progress=_part(progress, 0.3 + span * round_index, span),
            )
            report.candidate = figures(candidate_path, heldout, f"round-{round_index + 1}")
            report.promoted = report.candidate.clicks_per_frame < active_heldout.clicks_per_frame
            if report.promoted:
                active_path, active_heldout = candidate_path, report.candidate
        reports.append(report)
        if print_fn is not None:
            print_fn(table_row(report))
    summary = {
        "config": asdict(config),
        "rounds": [asdict(r) for r in reports],
        "seconds": round(time.monotonic() - started, 1),
    }
    (output_dir / "video_simulation.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    return reports


def table_header() -> str:
    return (
        f"{'round':>5} {'masklets':>8} {'frames':>6} {'clicks/frame':>12} {'1st-frame':>9} {'by hand':>7} "
        f"{'J':>5} {'held-out clicks/frame':>21} {'held-out J':>10} {'promoted':>8}"
    )


def table_row(report: VideoRoundReport) -> str:
    a, h = report.annotated, report.heldout
    promoted = "-" if report.promoted is None else ("yes" if report.promoted else "no")
    return (
        f"{report.round:>5} {a.masklets:>8} {a.frames:>6} {a.clicks_per_frame:>12.3f} {a.first_frame_clicks:>9.2f} "
        f"{a.hand_fixed:>7.1%} {a.mean_iou:>5.3f} {h.clicks_per_frame:>21.3f} {h.mean_iou:>10.3f} {promoted:>8}"
    )


def format_video_table(reports: list[VideoRoundReport]) -> str:
    return "\n".join([table_header(), *(table_row(r) for r in reports)])


def _seeded(recipe: VideoTrainConfig, seed: int) -> VideoTrainConfig:
    return replace(recipe, seed=seed)


def _part(progress: ProgressFn | None, start: float, span: float) -> ProgressFn | None:
    if progress is None:
        return None
    report = progress

    def part(fraction: float, message: str) -> None:
        report(start + span * fraction, message)

    return part


__all__ = [
    "VIDEO_PRETRAIN",
    "VIDEO_ROUNDS",
    "MaskletFigures",
    "VideoRoundReport",
    "VideoSimulationConfig",
    "annotate_videos",
    "build_video_pools",
    "format_video_table",
    "run_video_simulation",
]
