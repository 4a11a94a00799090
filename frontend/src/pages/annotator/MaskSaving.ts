// Writing the image's masks: save the mask in progress (a new row, a PATCH of one being edited, or a
// fixed proposal then accepted), delete one, move on to the next image; a 409 becomes a Conflict the
// annotator settles (keep mine: write over theirs knowingly; take theirs: drop the edit). The
// controller owns the state; this class holds the writes.
import type { ApiClient } from '../../core/api';
import { VersionConflict } from '../../core/apiErrors';
import type { ImageRecord, Prompt } from '../../core/apiTypes';
import { sourceOf, type EditState } from '../../core/editState';
import type { CompressedRle } from '../../core/rle';
import type { AnnotatorView, Conflict } from './annotatorView';

/** What MaskSaving needs from the annotator controller. */
export interface SavingHost {
  readonly api: ApiClient;
  view(): AnnotatorView;
  set(patch: Partial<AnnotatorView>): void;
  edit(): EditState;
  /** The seconds, clicks and prompt log of the mask in progress. */
  timing(): { seconds: number; clicks: number; prompts: Prompt[] };
  /** The mask in progress is gone (saved, deleted, or dropped for the server's): a fresh one starts. */
  startOver(): void;
  refreshMasks(): Promise<void>;
  /** The edit state changed outside the controller's own steps: show it. */
  editChanged(): void;
  flash(notice: string): void;
  describe(error: unknown): string;
  /** A 409 on a proposal's accept / reject: decide again on the server's version. */
  decideAnyway(conflict: Conflict): Promise<void>;
}

export class MaskSaving {
  constructor(private readonly host: SavingHost) {}

  /** Saves the mask in progress; returns true when it is on the server. */
  async save(): Promise<boolean> {
    const { image, saving } = this.host.view();
    const edit = this.host.edit();
    if (!image || saving) return false;
    if (!edit.mask) {
      this.host.set({ error: 'Nothing to save: click the object first, or paint it with the brush (B).' });
      return false;
    }
    this.host.set({ saving: true, error: null });
    try {
      await this.write(edit, edit.editing?.version ?? 0);
      return true;
    } catch (error) {
      this.failed(error, 'Save failed', { rle: edit.mask, category: edit.categoryId }, 'save');
      return false;
    } finally {
      this.host.set({ saving: false });
    }
  }

  private async write(edit: EditState, version: number): Promise<void> {
    const image = this.host.view().image as ImageRecord;
    const mask = edit.mask as CompressedRle;
    const { seconds, clicks, prompts } = this.host.timing();
    const { api } = this.host;
    if (edit.editing) {
      const updated = await api.updateMask(edit.editing.id, { version, rle: mask, category: edit.categoryId, seconds, clicks, prompts });
      // A fixed proposal: accepted with the version the fix answered.
      if (edit.editing.proposal) await api.acceptMask(updated.id, updated.version);
    } else {
      const chosen = edit.candidates[edit.chosen];
      await api.createMask({
        image: image.id, category: edit.categoryId, rle: mask, source: sourceOf(edit), seconds, clicks, prompts,
        ...(edit.modelVersion ? { model_version: edit.modelVersion } : {}),
        ...(chosen && !edit.handEdited ? { predicted_iou: chosen.score } : {}),
      });
    }
    this.host.startOver();
    this.host.set({ conflict: null, selectedMaskId: null, draftRestored: false });
    await this.host.refreshMasks();
    this.host.editChanged();
    this.host.flash(edit.editing?.proposal ? `Proposal #${edit.editing.id} fixed and accepted.` : 'Saved.');
  }

  /** Deletes the selected saved mask (or the one being edited). */
  async deleteSelected(): Promise<void> {
    const view = this.host.view();
    const editing = this.host.edit().editing;
    const id = view.selectedMaskId ?? editing?.id;
    const mask = view.savedMasks.find((m) => m.id === id);
    if (!mask) return;
    try {
      await this.host.api.deleteMask(mask.id, mask.version);
      if (editing?.id === mask.id) this.host.startOver();
      this.host.set({ selectedMaskId: null });
      await this.host.refreshMasks();
      this.host.editChanged();
      this.host.flash('Mask deleted.');
    } catch (error) {
      this.failed(error, 'Delete failed', { rle: mask.rle, category: mask.category }, 'delete');
    }
  }

  /** 409: write our version over theirs, knowingly (with the server's version number). */
  async keepMine(): Promise<void> {
    const conflict = this.host.view().conflict;
    if (!conflict) return;
    if (conflict.action === 'accept' || conflict.action === 'reject') {
      await this.host.decideAnyway(conflict);
      return;
    }
    if (conflict.action === 'delete') {
      try {
        await this.host.api.deleteMask(conflict.theirs.id, conflict.theirs.version);
        this.host.set({ conflict: null, selectedMaskId: null });
        await this.host.refreshMasks();
        this.host.editChanged();
      } catch (error) {
        this.host.set({ error: `Delete failed: ${this.host.describe(error)}` });
      }
      return;
    }
    this.host.set({ saving: true });
    try {
      await this.write(this.host.edit(), conflict.theirs.version);
    } catch (error) {
      if (error instanceof VersionConflict) this.host.set({ conflict: { ...conflict, theirs: error.current } });
      else this.host.set({ error: `Save failed: ${this.host.describe(error)}` });
    } finally {
      this.host.set({ saving: false });
    }
  }

  /** 409: drop our edit and show the server's mask (selected, so it can be edited). */
  async takeTheirs(): Promise<void> {
    const conflict = this.host.view().conflict;
    if (!conflict || !this.host.view().image) return;
    this.host.startOver();
    // Fetch their rows first, so the dialog closes onto the server's state.
    await this.host.refreshMasks().catch(() => undefined);
    this.host.set({ conflict: null, selectedMaskId: conflict.theirs.id });
    this.host.editChanged();
  }

  /** Saves (if there is a mask) and answers the next image id that needs work, null for none, or 'stay'. */
  async saveAndNext(): Promise<number | null | 'stay'> {
    const image = this.host.view().image;
    if (!image) return 'stay';
    if (this.host.edit().mask && !(await this.save())) return 'stay';
    try {
      const next = await this.host.api.nextImage(image.project, image.id);
      if (!next) this.host.flash('No more images need work in this project.');
      return next ? next.id : null;
    } catch (error) {
      this.host.set({ error: `Could not find the next image: ${this.host.describe(error)}` });
      return 'stay';
    }
  }

  private failed(error: unknown, what: string, mine: Conflict['mine'], action: Conflict['action']): void {
    if (error instanceof VersionConflict) this.host.set({ conflict: { mine, theirs: error.current, action } });
    else this.host.set({ error: `${what}: ${this.host.describe(error)}` });
  }
}
