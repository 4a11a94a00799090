// The annotator's undoable state for one mask in progress: prompts, candidates, the working mask.
// Masks are kept as compressed RLE strings so undo snapshots and drafts stay small.
import type { Candidate, ImageRecord, MaskRecord } from './apiTypes';
import type { CompressedRle } from './rle';
import type { SessionSnapshot } from './session';
import { readJson, writeJson, type KeyValueStorage } from './storage';

export interface PromptPoint { x: number; y: number; label: 0 | 1 }
export type Box = [number, number, number, number];

export interface EditState {
  points: PromptPoint[];
  box: Box | null;
  candidates: Candidate[];
  /** Index of the chosen candidate, -1 when none. */
  chosen: number;
  /** The working mask (a candidate, maybe fixed by brush / eraser); null when empty. */
  mask: CompressedRle | null;
  /** True once the brush or eraser touched the mask (source becomes manual if no prompt either). */
  handEdited: boolean;
  categoryId: number | null;
  /** Set when a saved mask is being edited: the server row id and the version we started from;
   * `proposal` when it is an automatic proposal being fixed (saving it also accepts it). */
  editing: { id: number; version: number; proposal?: boolean } | null;
  logitsToken: string | null;
  modelVersion: string | null;
}

export function emptyEditState(categoryId: number | null = null): EditState {
  return {
    points: [], box: null, candidates: [], chosen: -1, mask: null, handEdited: false, categoryId,
    editing: null, logitsToken: null, modelVersion: null,
  };
}

export function editStateFromMask(mask: MaskRecord): EditState {
  return {
    ...emptyEditState(mask.category),
    mask: mask.rle,
    editing: { id: mask.id, version: mask.version, ...(mask.status === 'proposed' ? { proposal: true } : {}) },
    modelVersion: mask.model_version,
  };
}

export function isDirty(state: EditState): boolean {
  return state.points.length > 0 || state.box !== null || state.mask !== null || state.editing !== null;
}

/** Rough bytes of a snapshot, for History's size bound. */
export function editStateSize(state: EditState): number {
  let size = 200 + state.points.length * 24 + (state.mask?.counts.length ?? 0);
  for (const c of state.candidates) size += c.rle.counts.length;
  return size;
}

export function sourceOf(state: EditState): 'manual' | 'assisted' {
  return state.points.length > 0 || state.box !== null || state.candidates.length > 0 ? 'assisted' : 'manual';
}

// --- drafts: whatever is on screen survives a reload or a dropped connection.

export interface Draft {
  format: 1;
  imageId: number;
  savedAt: string;
  state: EditState;
  session: SessionSnapshot;
}

export class DraftStore {
  constructor(private readonly storage: KeyValueStorage, private readonly prefix = 'segdata.draft.image.') {}

  private key(imageId: number): string {
    return `${this.prefix}${imageId}`;
  }

  /** Returns false when storage refused (quota); the page shows that the draft is not kept. */
  save(image: Pick<ImageRecord, 'id'>, state: EditState, session: SessionSnapshot, now = new Date()): boolean {
    const draft: Draft = { format: 1, imageId: image.id, savedAt: now.toISOString(), state, session };
    return writeJson(this.storage, this.key(image.id), draft);
  }

  load(imageId: number): Draft | null {
    const draft = readJson<Draft>(this.storage, this.key(imageId));
    if (!draft || draft.format !== 1 || draft.imageId !== imageId || !draft.state) return null;
    return draft;
  }

  clear(imageId: number): void {
    this.storage.removeItem(this.key(imageId));
  }
}
