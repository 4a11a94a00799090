// Video annotation's pure bookkeeping (no DOM, no React): object colours, the masklet store that
// merges the masklets endpoint's answers (full or incremental), presence timelines, frame stepping,
// and the clicks per object and frame (the tracker replaces an object's prompts on a frame, so every
// click there is sent again with the new one).
import type { MaskletsAnswer } from './apiTypes';
import { DecodedMasks } from './maskCache';
import { rleArea, rleBbox, type BinaryMask, type CompressedRle } from './rle';

// --- colours

/** Distinct, saturated colours that read on dark and light frames (Tableau-like, then more). */
export const OBJECT_PALETTE = [
  '#1f77ff', '#ff7f0e', '#2ca02c', '#e6194b', '#9467bd', '#17becf', '#f0c800', '#e377c2',
  '#8c564b', '#bcf60c', '#00a88f', '#ff4f9e', '#7f7fff', '#ffa94d', '#46f0f0', '#aa6e28',
];

function hslToHex(h: number, s: number, l: number): string {
  const a = s * Math.min(l, 1 - l);
  const channel = (n: number) => {
    const k = (n + h / 30) % 12;
    const c = l - a * Math.max(-1, Math.min(k - 3, 9 - k, 1));
    return Math.round(c * 255).toString(16).padStart(2, '0');
  };
  return `#${channel(0)}${channel(8)}${channel(4)}`;
}

/** The colour of object `objId` (1-based): the palette first, then golden-angle hues. Stable per id. */
export function objectColor(objId: number): string {
  const index = Math.max(0, Math.floor(objId) - 1);
  if (index < OBJECT_PALETTE.length) return OBJECT_PALETTE[index];
  const k = index - OBJECT_PALETTE.length;
  const hue = (k * 137.508 + 20) % 360;
  const lightness = [0.55, 0.45, 0.65][k % 3];
  return hslToHex(hue, 0.85, lightness);
}

// --- what the page keeps of the masklets endpoint's answers

export interface FrameMask {
  rle: CompressedRle; area: number; edited: boolean; source: string; updatedAt: string;
  /** Set for a mask shown before the server stored it (a brushed mask being sent). */
  optimistic?: boolean;
}

export interface VideoObject {
  objId: number; category: number | null; status: string;
  /** Added in this page and not prompted yet: the server does not know it. */
  local: boolean;
}

/** One object's mask on a frame, ready to draw. */
export interface FrameMaskView { id: number; mask: BinaryMask; color: string; bbox: [number, number, number, number] }

/** What the page knows of a video's masklets; `version` changes with every change. */
export class MaskletStore {
  private objects = new Map<number, VideoObject>();
  private frames = new Map<number, Map<number, FrameMask>>();
  private readonly decoded = new DecodedMasks(64);
  version = 0;
  /** The next `updated_after` for an incremental read (null: read everything). */
  cursor: string | null = null;

  /**
   * Merges an answer. `full`: the answer holds every frame, so frames it lacks (and masks shown
   * before the server stored them) are dropped.
   * Objects missing from `masklets` were removed (by anyone) and go, unless they are local.
   */
  merge(answer: MaskletsAnswer, full = false): void {
    const known = new Set(answer.masklets.map((m) => m.object_id));
    for (const [objId, object] of this.objects) {
      if (!object.local && !known.has(objId)) {
        this.objects.delete(objId);
        this.frames.delete(objId);
      }
    }
    for (const m of answer.masklets) {
      this.objects.set(m.object_id, { objId: m.object_id, category: m.category, status: m.status, local: false });
    }
    if (full) this.frames.clear();
    for (const row of answer.frames) {
      if (!known.has(row.object_id)) continue;
      let frames = this.frames.get(row.object_id);
      if (!frames) this.frames.set(row.object_id, (frames = new Map()));
      frames.set(row.frame, { rle: row.rle, area: row.area, edited: row.edited, source: row.source, updatedAt: row.updated_at });
    }
    if (answer.updated_until) this.cursor = answer.updated_until;
    this.version++;
  }

  /** A page-side object (not on the server until its first prompt). */
  addLocal(objId: number, category: number | null): VideoObject {
    const object: VideoObject = { objId, category, status: 'local', local: true };
    this.objects.set(objId, object);
    this.version++;
    return object;
  }

  removeObject(objId: number): void {
    this.objects.delete(objId);
    this.frames.delete(objId);
    this.version++;
  }

  setCategory(objId: number, category: number | null): void {
    const object = this.objects.get(objId);
    if (!object) return;
    this.objects.set(objId, { ...object, category });
    this.version++;
  }

  /** Shows `rle` as `objId`'s mask on `frame` until the server's row replaces it. */
  setOptimistic(objId: number, frame: number, rle: CompressedRle): void {
    let frames = this.frames.get(objId);
    if (!frames) this.frames.set(objId, (frames = new Map()));
    frames.set(frame, { rle, area: rleArea(rle), edited: true, source: 'manual', updatedAt: '', optimistic: true });
    this.version++;
  }

  /** Objects by id. */
  list(): VideoObject[] {
    return [...this.objects.values()].sort((a, b) => a.objId - b.objId);
  }

  get(objId: number): VideoObject | undefined {
    return this.objects.get(objId);
  }

  has(objId: number): boolean {
    return this.objects.has(objId);
  }

  mask(objId: number, frame: number): FrameMask | undefined {
    return this.frames.get(objId)?.get(frame);
  }

  /** The non-empty masks on `frame`, by object id. */
  masksOn(frame: number): { objId: number; mask: FrameMask }[] {
    const out: { objId: number; mask: FrameMask }[] = [];
    for (const object of this.list()) {
      const mask = this.frames.get(object.objId)?.get(frame);
      if (mask && mask.area > 0) out.push({ objId: object.objId, mask });
    }
    return out;
  }

  /** The pixels of `objId`'s mask on `frame`; null when it has none there or it is empty. */
  pixels(objId: number, frame: number): BinaryMask | null {
    const stored = this.mask(objId, frame);
    if (!stored || stored.area === 0) return null;
    const key = `${objId}:${frame}:${stored.updatedAt}:${stored.rle.counts.length}:${stored.optimistic ? 'o' : ''}`;
    return this.decoded.get(key, stored.rle);
  }

  /** The masks on `frame` in object colours, but `except`'s; `selected`'s last, so its outline is on top. */
  views(frame: number, selected: number | null, except: number | null = null): FrameMaskView[] {
    const views: FrameMaskView[] = [];
    for (const { objId, mask } of this.masksOn(frame)) {
      const pixels = objId === except ? null : this.pixels(objId, frame);
      if (pixels) views.push({ id: objId, mask: pixels, color: objectColor(objId), bbox: maskBbox(mask) });
    }
    return views.sort((a, b) => Number(a.id === selected) - Number(b.id === selected));
  }

  /** Frames of `objId` that hold a row (any area). */
  frameCount(objId: number): number {
    return this.frames.get(objId)?.size ?? 0;
  }

  nextObjectId(): number {
    return nextFreeObjectId(this.objects.keys());
  }

  /** Presence cells for `objId` over `frameCount` frames (see CELL_*). */
  cells(objId: number, frameCount: number): Uint8Array {
    const cells = new Uint8Array(Math.max(0, frameCount));
    const frames = this.frames.get(objId);
    if (!frames) return cells;
    for (const [frame, mask] of frames) {
      if (frame < 0 || frame >= frameCount) continue;
      cells[frame] = CELL_TRACKED | (mask.area > 0 ? CELL_PRESENT : 0) | (mask.edited ? CELL_EDITED : 0);
    }
    return cells;
  }
}

/** The smallest id >= 1 that no object uses (SA-V numbers objects from 1 here). */
export function nextFreeObjectId(ids: Iterable<number>): number {
  const used = new Set(ids);
  let id = 1;
  while (used.has(id)) id++;
  return id;
}

// --- timeline

/** A frame has a stored mask row (maybe empty: the object is not visible there). */
export const CELL_TRACKED = 1;
/** The mask there is non-empty. */
export const CELL_PRESENT = 2;
/** A person made that frame's mask (a click, box or brushed mask), not propagation. */
export const CELL_EDITED = 4;

/** Runs of frames whose cells have `bit`, as "0-3,7,9-11" (for tests, titles and data attributes). */
export function cellRuns(cells: ArrayLike<number>, bit: number): string {
  const parts: string[] = [];
  let start = -1;
  for (let i = 0; i <= cells.length; i++) {
    const on = i < cells.length && (cells[i] & bit) !== 0;
    if (on && start < 0) start = i;
    if (!on && start >= 0) {
      parts.push(start === i - 1 ? `${start}` : `${start}-${i - 1}`);
      start = -1;
    }
  }
  return parts.join(',');
}

/**
 * Cells squeezed into `buckets` columns (a long video on a narrow timeline): a column has a bit
 * when any of its frames has it, so a single edited or present frame never disappears.
 */
export function bucketCells(cells: ArrayLike<number>, buckets: number): Uint8Array {
  const n = cells.length;
  const count = Math.max(0, Math.min(n, Math.floor(buckets)));
  const out = new Uint8Array(count);
  if (count === 0) return out;
  for (let b = 0; b < count; b++) {
    const from = Math.floor((b * n) / count);
    const to = Math.max(from + 1, Math.floor(((b + 1) * n) / count));
    let value = 0;
    for (let i = from; i < to; i++) value |= cells[i];
    out[b] = value;
  }
  return out;
}

/** The frame under x (0..width) on a timeline of `frameCount` frames. */
export function frameAt(x: number, width: number, frameCount: number): number {
  if (frameCount <= 0 || width <= 0) return 0;
  return clampFrame(Math.floor((x / width) * frameCount), frameCount);
}

// --- frames and playback

export function clampFrame(frame: number, frameCount: number): number {
  if (frameCount <= 0 || !Number.isFinite(frame)) return 0;
  return Math.min(frameCount - 1, Math.max(0, Math.round(frame)));
}

/** Milliseconds between frames when playing at `fps` (the annotation fps); sane for odd values. */
export function frameInterval(fps: number): number {
  const rate = Number.isFinite(fps) && fps > 0 ? Math.min(fps, 60) : 6;
  return 1000 / rate;
}

/** "m:ss.s" for a timestamp in seconds. */
export function formatTime(seconds: number | null | undefined): string {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds)) return '';
  const minutes = Math.floor(seconds / 60);
  const rest = seconds - minutes * 60;
  return `${minutes}:${rest.toFixed(1).padStart(4, '0')}`;
}

/** Frames to fetch ahead of `frame` (and one behind) so stepping and playing do not wait. */
export function prefetchOrder(frame: number, frameCount: number, ahead = 6): number[] {
  const out: number[] = [];
  for (let i = 1; i <= ahead; i++) if (frame + i < frameCount) out.push(frame + i);
  if (frame - 1 >= 0) out.push(frame - 1);
  return out;
}

// --- clicks per object and frame

export interface FramePrompts { points: [number, number][]; labels: (0 | 1)[]; box: [number, number, number, number] | null }

export function promptKey(objId: number, frame: number): string {
  return `${objId}:${frame}`;
}

/**
 * The clicks and box of each object on each frame. The tracker replaces an object's prompts on a
 * frame with each new call, so the page sends them all again with every click. Kept in the
 * browser (a reload keeps adding to the same frame's clicks) as a plain JSON object.
 */
export class PromptLog {
  private entries: Record<string, FramePrompts>;

  constructor(initial: Record<string, FramePrompts> = {}) {
    this.entries = { ...initial };
  }

  get(objId: number, frame: number): FramePrompts {
    const entry = this.entries[promptKey(objId, frame)];
    return entry ? { points: [...entry.points], labels: [...entry.labels], box: entry.box } : { points: [], labels: [], box: null };
  }

  addPoint(objId: number, frame: number, x: number, y: number, label: 0 | 1): FramePrompts {
    const entry = this.get(objId, frame);
    entry.points.push([x, y]);
    entry.labels.push(label);
    this.entries[promptKey(objId, frame)] = entry;
    return this.get(objId, frame);
  }

  setBox(objId: number, frame: number, box: [number, number, number, number]): FramePrompts {
    const entry = this.get(objId, frame);
    entry.box = box;
    this.entries[promptKey(objId, frame)] = entry;
    return this.get(objId, frame);
  }

  /** A brushed mask replaces the frame's prompts: the next click starts a new prompt there. */
  clearFrame(objId: number, frame: number): void {
    delete this.entries[promptKey(objId, frame)];
  }

  clearObject(objId: number): void {
    for (const key of Object.keys(this.entries)) if (key.startsWith(`${objId}:`)) delete this.entries[key];
  }

  /** Undoes the last click (or the box, when there is no click) on a frame; false when none. */
  removeLast(objId: number, frame: number): boolean {
    const entry = this.get(objId, frame);
    if (entry.points.length) {
      entry.points.pop();
      entry.labels.pop();
    } else if (entry.box) {
      entry.box = null;
    } else {
      return false;
    }
    if (!entry.points.length && !entry.box) this.clearFrame(objId, frame);
    else this.entries[promptKey(objId, frame)] = entry;
    return true;
  }

  toJSON(): Record<string, FramePrompts> {
    return { ...this.entries };
  }
}

/** COCO bbox of a stored mask, for the canvas' scan window. */
export function maskBbox(mask: FrameMask): [number, number, number, number] {
  return rleBbox(mask.rle);
}
