// The video's object list: adding, selecting and stepping through objects, their categories (one
// chosen for an object the server knows waits to go with its next prompt), and removal after a
// confirmation. The rules are plain functions; ObjectList applies them to the controller's view.
import { stepCategory } from '../../core/categories';
import type { FramePrompts, MaskletStore } from '../../core/video';
import type { VideoView } from './videoView';

/** Categories chosen for objects the server knows, not sent yet: object id -> category. */
export type PendingCategories = Readonly<Record<number, number | null>>;

/** The object `delta` places after `selected` in `ids` (wrapping); the first when none is selected. */
export function stepObject(ids: number[], selected: number | null, delta: number): number | null {
  if (!ids.length) return null;
  const at = selected === null ? -1 : ids.indexOf(selected);
  return ids[(((at + delta) % ids.length) + ids.length) % ids.length];
}

/** The category an object shows: the one waiting to be sent, else the stored one. */
export function categoryOf(store: MaskletStore, pending: PendingCategories, objId: number): number | null {
  if (objId in pending) return pending[objId];
  return store.get(objId)?.category ?? null;
}

/** The pending categories after choosing `category` for a stored object (none pending when it is its own). */
export function choosePending(
  store: MaskletStore, pending: PendingCategories, objId: number, category: number | null,
): PendingCategories {
  const { [objId]: _, ...rest } = pending;
  return store.get(objId)?.category === category ? rest : { ...rest, [objId]: category };
}

/** What a prompt for `objId` says about its category: a pending choice, a new object's, or nothing. */
export function categoryField(store: MaskletStore, pending: PendingCategories, objId: number): { category?: number | null } {
  if (objId in pending) return { category: pending[objId] };
  const object = store.get(objId);
  if (object?.local && object.category !== null) return { category: object.category };
  return {};
}

/** What ObjectList needs from the video controller. */
export interface ObjectListHost {
  readonly store: MaskletStore;
  view(): VideoView;
  set(patch: Partial<VideoView>): void;
  /** Brush strokes waiting are sent before the selection moves. */
  leaveEdit(): void;
  /** Brush strokes waiting on `objId` are dropped (it is being removed). */
  dropEdit(objId: number): void;
  promptsOf(objId: number | null): FramePrompts;
  forgetPrompts(objId: number): void;
  /** The store changed (objects added, removed or renamed). */
  storeChanged(): void;
  redraw(): void;
  sendRemoval(objId: number): Promise<void>;
}

/** The video's objects as the side panel and the keys use them: add, select, categorise, remove. */
export class ObjectList {
  constructor(private readonly host: ObjectListHost) {}

  private get view(): VideoView {
    return this.host.view();
  }

  /** A new object (the next free id) becomes the selected one; it reaches the server with its first prompt. */
  add(): number {
    this.host.leaveEdit();
    const { store } = this.host;
    const objId = store.nextObjectId();
    store.addLocal(objId, this.view.project?.categories[0]?.id ?? null);
    this.host.set({ selectedObj: objId, prompts: this.host.promptsOf(objId) });
    this.host.storeChanged();
    return objId;
  }

  /** The selected object, or a new one when none is selected (a click or a stroke needs one). */
  target(): number {
    const selected = this.view.selectedObj;
    return selected !== null && this.host.store.has(selected) ? selected : this.add();
  }

  select(objId: number | null): void {
    if (objId === this.view.selectedObj) return;
    this.host.leaveEdit();
    this.host.set({ selectedObj: objId, prompts: this.host.promptsOf(objId), removing: null });
    this.host.redraw();
  }

  /** Next (1) / previous (-1) object in the list. */
  step(delta: number): void {
    const next = stepObject(this.host.store.list().map((o) => o.objId), this.view.selectedObj, delta);
    if (next !== null) this.select(next);
  }

  categoryOf(objId: number): number | null {
    return categoryOf(this.host.store, this.view.pendingCategory, objId);
  }

  setCategory(objId: number, category: number | null): void {
    const { store } = this.host;
    const object = store.get(objId);
    if (!object) return;
    if (object.local) {
      store.setCategory(objId, category);
      this.host.storeChanged();
    } else {
      this.host.set({ pendingCategory: choosePending(store, this.view.pendingCategory, objId, category) });
    }
  }

  /** The selected object's category steps to the next (1) or previous (-1) of the project's. */
  stepCategory(step: 1 | -1): void {
    const objId = this.view.selectedObj;
    if (objId === null) return;
    const next = stepCategory(this.view.project?.categories ?? [], this.categoryOf(objId), step);
    if (next !== null) this.setCategory(objId, next);
  }

  /** A category a prompt carried reached the server: it is no longer pending. */
  categorySent(objId: number): void {
    if (!(objId in this.view.pendingCategory)) return;
    const { [objId]: _, ...rest } = this.view.pendingCategory;
    this.host.set({ pendingCategory: rest });
  }

  askRemove(objId: number | null = this.view.selectedObj): void {
    this.host.set({ removing: objId });
  }

  cancelRemove(): void {
    this.host.set({ removing: null });
  }

  /** Removes the object from the whole video (after the page asked for confirmation). */
  async confirmRemove(): Promise<void> {
    const objId = this.view.removing;
    if (objId === null) return;
    const { store } = this.host;
    const object = store.get(objId);
    this.host.dropEdit(objId);
    this.host.forgetPrompts(objId);
    const next = store.list().find((o) => o.objId !== objId)?.objId ?? null;
    this.host.set({ removing: null, selectedObj: next, prompts: this.host.promptsOf(next) });
    store.removeObject(objId);
    this.host.storeChanged();
    if (object && !object.local) await this.host.sendRemoval(objId);
  }
}
