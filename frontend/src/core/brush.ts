// The brush editor the image annotator, the video annotator and the review page's fix share: the
// brush radius steps, and a working mask that the canvas paints into in place with one undo step per
// stroke (kept as RLE counts, so a long session of strokes stays small).
import { History } from './history';
import { cloneMask } from './maskOps';
import { decode, emptyMask, encode, type BinaryMask, type CompressedRle } from './rle';

export const MIN_BRUSH_RADIUS = 1;
export const MAX_BRUSH_RADIUS = 200;

/** The radius after `[` (factor < 1) or `]` (factor > 1): always at least one pixel of change. */
export function nextBrushRadius(radius: number, factor: number): number {
  const stepped = Math.round(radius * factor + (factor > 1 ? 0.5 : -0.5));
  return Math.max(MIN_BRUSH_RADIUS, Math.min(MAX_BRUSH_RADIUS, stepped));
}

export class BrushStrokes {
  private readonly history: History<string>;

  /** `mask` is painted in place (the canvas holds it as its working mask). */
  constructor(readonly mask: BinaryMask, limit = 100) {
    this.history = new History<string>(encode(mask).counts, { limit });
  }

  /** Strokes over a copy of `start` (a stored mask), or over an empty `width` x `height` mask. */
  static over(start: BinaryMask | CompressedRle | null, width: number, height: number): BrushStrokes {
    if (!start) return new BrushStrokes(emptyMask(width, height));
    return new BrushStrokes('counts' in start ? decode(start) : cloneMask(start));
  }

  /** After a stroke: its pixels become an undo step. False when the stroke changed nothing. */
  commitStroke(): boolean {
    const counts = encode(this.mask).counts;
    if (counts === this.history.present) return false;
    this.history.push(counts);
    return true;
  }

  /** Takes back the last stroke (the mask changes in place). False when there is none. */
  undo(): boolean {
    const counts = this.history.undo();
    if (counts === undefined) return false;
    this.mask.data.set(decode({ size: [this.mask.height, this.mask.width], counts }).data);
    return true;
  }

  /** Strokes were made since the start (or since the last undo back to it). */
  get dirty(): boolean {
    return this.history.canUndo;
  }

  toRle(): CompressedRle {
    return encode(this.mask);
  }
}
