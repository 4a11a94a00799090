// PLM bookkeeping (no DOM, no React): frame <-> time on the annotated frames, a QA segment's times,
// and the consecutive segments of a dense region caption (rdcap).

import type { DenseCaption } from '../../core/apiPending';

/** Annotated frame k sits at k / annotationFps seconds (the server's annotation_frame_plan). */
export function frameTime(frame: number, annotationFps: number): number {
  if (!(annotationFps > 0)) return 0;
  return frame / annotationFps;
}

/** The annotated frame shown at time t (the last one at or before t). */
export function timeFrame(seconds: number, annotationFps: number, frameCount: number): number {
  if (frameCount <= 0 || !(annotationFps > 0)) return 0;
  const frame = Math.floor(seconds * annotationFps + 1e-9);
  return Math.max(0, Math.min(frameCount - 1, frame));
}

function round3(x: number): number {
  return Math.round(x * 1000) / 1000;
}

/**
 * The time segment covered by frames start..end (both included): from the start frame's time to the
 * time the end frame stops being shown (the next frame's time), never past the video's duration.
 */
export function segmentTimes(
  startFrame: number, endFrame: number, annotationFps: number, duration: number,
): { start_time: number; end_time: number } {
  const [a, b] = startFrame <= endFrame ? [startFrame, endFrame] : [endFrame, startFrame];
  const start = frameTime(a, annotationFps);
  let end = frameTime(b + 1, annotationFps);
  if (duration > 0) end = Math.min(end, duration);
  return { start_time: round3(start), end_time: round3(end) };
}

/** Why a QA segment cannot be sent (null when it can): 0 <= start < end <= duration. */
export function segmentError(startTime: number, endTime: number, duration: number): string | null {
  if (!Number.isFinite(startTime) || !Number.isFinite(endTime)) return 'Mark the segment on the scrubber.';
  if (startTime < 0) return 'The segment starts before the video.';
  if (endTime <= startTime) return 'The segment ends before it starts.';
  if (duration > 0 && endTime > duration + 1e-6) return `The segment ends after the video (${duration.toFixed(2)} s).`;
  return null;
}

export type DenseSegment = DenseCaption;

/**
 * Problems of a dense caption, one message per problem (empty when it can be sent): at least one
 * segment, each within 0..frameCount-1 with start <= end, each right after the previous, each captioned.
 */
export function denseErrors(segments: DenseSegment[], frameCount: number): string[] {
  const errors: string[] = [];
  if (segments.length === 0) errors.push('Add at least one segment.');
  segments.forEach((segment, i) => {
    const n = i + 1;
    if (!Number.isInteger(segment.start_frame) || !Number.isInteger(segment.end_frame)) {
      errors.push(`Segment ${n}: frames must be whole numbers.`);
      return;
    }
    if (segment.start_frame > segment.end_frame) errors.push(`Segment ${n}: ends (frame ${segment.end_frame}) before it starts (frame ${segment.start_frame}).`);
    if (segment.start_frame < 0 || segment.end_frame > frameCount - 1) {
      errors.push(`Segment ${n}: frames ${segment.start_frame}–${segment.end_frame} are outside the video's frames 0–${frameCount - 1}.`);
    }
    if (i > 0 && segment.start_frame !== segments[i - 1].end_frame + 1) {
      errors.push(`Segment ${n}: must start at frame ${segments[i - 1].end_frame + 1}, right after segment ${i}.`);
    }
    if (!segment.caption.trim()) errors.push(`Segment ${n}: write its caption.`);
  });
  return errors;
}

/** Segments kept consecutive: each starts right after the previous one's end (the first keeps its start). */
export function chainSegments(segments: DenseSegment[]): DenseSegment[] {
  const out: DenseSegment[] = [];
  segments.forEach((segment, i) => {
    const start = i === 0 ? segment.start_frame : out[i - 1].end_frame + 1;
    out.push({ ...segment, start_frame: start, end_frame: Math.max(start, segment.end_frame) });
  });
  return out;
}

/** Splits the last segment at `frame` (the new one starts there): how "add a segment" works. */
export function splitLast(segments: DenseSegment[], frame: number): DenseSegment[] {
  if (segments.length === 0) return [{ start_frame: 0, end_frame: frame, caption: '' }];
  const last = segments[segments.length - 1];
  if (frame <= last.start_frame || frame > last.end_frame) return segments;
  return [...segments.slice(0, -1), { ...last, end_frame: frame - 1 }, { start_frame: frame, end_frame: last.end_frame, caption: '' }];
}

/** Taxonomy choices: q_types in order, and a type's subtypes (empty: free text). */
export function taxonomyTypes(taxonomy: Record<string, string[]> | null | undefined): string[] {
  return Object.keys(taxonomy ?? {});
}

export function taxonomySubtypes(taxonomy: Record<string, string[]> | null | undefined, qType: string): string[] {
  return (taxonomy ?? {})[qType] ?? [];
}
