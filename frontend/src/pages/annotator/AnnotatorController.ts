// The image annotator's logic, outside React: loads an image, turns canvas events into prompts and
// predict calls, keeps the undo history, the draft and the timing log, and saves. React subscribes to
// `view` (useSyncExternalStore) and calls the command methods.
import { ApiClient } from '../../core/api';
import { ApiError, VersionConflict } from '../../core/apiErrors';
import type { ModelInfo } from '../../core/apiPending';
import type { ImageRecord, MaskRecord, Project, PredictRequest } from '../../core/apiTypes';
import {
  DraftStore, editStateFromMask, editStateSize, emptyEditState, isDirty, sourceOf, type Box, type EditState,
  type PromptPoint,
} from '../../core/editState';
import { History } from '../../core/history';
import { predictWhenReady } from '../../core/predictor';
import { decode, encode, emptyMask, rleArea, type BinaryMask, type CompressedRle } from '../../core/rle';
import { MaskSession } from '../../core/session';
import type { AnnotationCanvas, Tool } from '../../canvas/AnnotationCanvas';
import { ProposalReview } from './ProposalReview';

export interface Conflict {
  /** What we tried to write, and the row the server has now. */
  mine: { rle: CompressedRle | null; category: number | null };
  theirs: MaskRecord;
  action: 'save' | 'delete' | 'accept' | 'reject';
}

export interface AnnotatorView {
  status: 'loading' | 'ready' | 'error';
  loadError: string | null;
  image: ImageRecord | null;
  project: Project | null;
  bitmap: ImageBitmap | null;
  edit: EditState;
  canUndo: boolean;
  canRedo: boolean;
  tool: Tool;
  brushRadius: number;
  /** Submitted or accepted masks (the image's annotation). */
  savedMasks: MaskRecord[];
  selectedMaskId: number | null;
  /** Automatic proposals waiting for a decision (ProposalReview), and how many were rejected. */
  proposals: MaskRecord[];
  selectedProposalId: number | null;
  rejectedCount: number;
  deciding: boolean;
  /** Semi-automatic stage, nothing on the image yet: its proposals may still be computed. */
  proposalsPending: boolean;
  /** The image's embedding as last seen; 'pending' shows a small "preparing" chip. */
  embeddingStatus: ImageRecord['embedding_status'] | null;
  /** Set while a predict waits on the embedding job (answered 202): the big overlay with progress. */
  preparing: { progress: number; state: string } | null;
  predicting: boolean;
  model: ModelInfo | null;
  saving: boolean;
  error: string | null;
  notice: string | null;
  conflict: Conflict | null;
  draftRestored: boolean;
  draftKept: boolean;
  clicks: number;
}

const DRAFT_DELAY_MS = 250;
/** Proposals without a category (automatic masks are class-agnostic) are drawn in amber. */
export const PROPOSAL_COLOR = '#f0a800';

function isNetworkError(error: unknown): boolean {
  return error instanceof TypeError || (error instanceof DOMException && error.name === 'NetworkError');
}

function describe(error: unknown): string {
  if (error instanceof ApiError) return error.detail;
  if (isNetworkError(error)) return 'The server cannot be reached; your work is kept as a draft. Try again.';
  return error instanceof Error ? error.message : String(error);
}

export class AnnotatorController {
  private listeners = new Set<() => void>();
  private state: AnnotatorView;
  private readonly history = new History<EditState>(emptyEditState(), {
    limit: 200, sizeOf: editStateSize, maxTotalSize: 64 * 1024 * 1024,
  });
  private readonly session = new MaskSession();
  private readonly drafts: DraftStore;
  private canvas: AnnotationCanvas | null = null;
  private canvasUnsubscribe: (() => void)[] = [];
  private working: BinaryMask | null = null;
  private workingCounts: string | null = null;
  private predictAbort: AbortController | null = null;
  private draftTimer: ReturnType<typeof setTimeout> | null = null;
  private disposed = false;
  private noticeTimer: ReturnType<typeof setTimeout> | null = null;
  readonly proposals: ProposalReview;

  constructor(private readonly api: ApiClient, readonly imageId: number, storage: Storage = window.localStorage) {
    this.drafts = new DraftStore(storage);
    this.state = {
      status: 'loading', loadError: null, image: null, project: null, bitmap: null, edit: this.history.present,
      canUndo: false, canRedo: false, tool: 'prompt', brushRadius: 8, savedMasks: [], selectedMaskId: null,
      proposals: [], selectedProposalId: null, rejectedCount: 0, deciding: false, proposalsPending: false,
      embeddingStatus: null, preparing: null, predicting: false, model: null, saving: false, error: null, notice: null, conflict: null,
      draftRestored: false, draftKept: true, clicks: 0,
    };
    this.proposals = new ProposalReview({
      api, view: this.getView, set: (patch) => this.set(patch), refreshMasks: () => this.refreshMasks(),
      flash: (notice) => this.flash(notice), describe, edit: (id) => this.editSavedMask(id), save: () => this.save(),
      discardEdit: () => { this.session.reset(); this.history.reset(emptyEditState(this.edit.categoryId)); this.syncEdit(); },
      editingId: () => this.edit.editing?.id ?? null, alive: () => !this.disposed,
    });
  }

  // --- store protocol for React

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getView = (): AnnotatorView => this.state;

  private set(patch: Partial<AnnotatorView>): void {
    if (this.disposed) return;
    const proposalsChanged = ('proposals' in patch && patch.proposals !== this.state.proposals)
      || ('selectedProposalId' in patch && patch.selectedProposalId !== this.state.selectedProposalId);
    this.state = { ...this.state, ...patch };
    for (const listener of this.listeners) listener();
    if (proposalsChanged) this.renderCanvas();
  }

  // --- lifecycle

  async load(): Promise<void> {
    try {
      const image = await this.api.image(this.imageId);
      const [project, masks, blob] = await Promise.all([
        this.api.project(image.project),
        this.api.masks(image.id),
        this.api.imageBlob(image),
      ]);
      const bitmap = await createImageBitmap(blob);
      let edit = emptyEditState(project.categories[0]?.id ?? null);
      const draft = this.drafts.load(image.id);
      const restored = draft !== null && isDirty(draft.state);
      if (draft && restored) {
        edit = draft.state;
        this.session.restore(draft.session);
      }
      this.history.reset(edit);
      this.set({
        status: 'ready', image, project, bitmap, ...ProposalReview.split(masks, null), draftRestored: restored,
        embeddingStatus: image.embedding_status,
      });
      this.syncEdit();
      this.attachToCanvas();
      if (restored) this.flash('Your unsaved draft was restored.');
      void this.loadModelInfo();
      if (image.embedding_status === 'pending') void this.watchEmbedding();
      void this.proposals.watchForProposals();
    } catch (error) {
      this.set({ status: 'error', loadError: describe(error) });
    }
  }

  /** Polls the image while its embedding is computed, so the page can say when clicks will be fast. */
  private async watchEmbedding(): Promise<void> {
    let delay = 1000;
    while (!this.disposed && this.state.embeddingStatus === 'pending') {
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 1.5, 5000);
      if (this.disposed) return;
      try {
        const image = await this.api.image(this.imageId);
        this.set({ embeddingStatus: image.embedding_status });
      } catch {
        // Keep polling; a dropped connection is not an error the annotator must act on.
      }
    }
  }

  private async loadModelInfo(): Promise<void> {
    try {
      const health = await this.api.health();
      if (health.checks.model && !this.state.model) this.set({ model: health.checks.model });
    } catch {
      // Health is informative only; predict answers carry the model too.
    }
  }

  dispose(): void {
    this.flushDraft();
    this.predictAbort?.abort();
    for (const off of this.canvasUnsubscribe) off();
    this.disposed = true;
    this.listeners.clear();
    if (this.noticeTimer) clearTimeout(this.noticeTimer);
  }

  setCanvas(canvas: AnnotationCanvas | null): void {
    for (const off of this.canvasUnsubscribe) off();
    this.canvasUnsubscribe = [];
    this.canvas = canvas;
    this.attachToCanvas();
  }

  private attachToCanvas(): void {
    const canvas = this.canvas;
    const { image, bitmap } = this.state;
    if (!canvas || !image || !bitmap || this.canvasUnsubscribe.length) return;
    canvas.setImage(bitmap, image.width || bitmap.width, image.height || bitmap.height);
    canvas.setTool(this.state.tool);
    canvas.setBrushRadius(this.state.brushRadius);
    this.canvasUnsubscribe = [
      canvas.on('point', (p) => this.addPoint(p)),
      canvas.on('box', (b) => this.setBox(b)),
      canvas.on('strokestart', () => this.ensureWorkingMask()),
      canvas.on('strokeend', () => this.commitStroke()),
      canvas.on('select', ({ maskId, proposal }) => {
        if (proposal) this.proposals.select(maskId);
        else if (maskId === null) this.selectMask(null);
        else this.editSavedMask(maskId);
      }),
    ];
    this.renderCanvas();
  }

  // --- edit state

  private get edit(): EditState {
    return this.history.present;
  }

  private push(next: EditState): void {
    this.history.push(next);
    this.syncEdit();
  }

  private syncEdit(): void {
    const edit = this.history.present;
    const counts = edit.mask?.counts ?? null;
    if (counts !== this.workingCounts) {
      this.working = edit.mask ? decode(edit.mask) : null;
      this.workingCounts = counts;
    }
    this.set({ edit, canUndo: this.history.canUndo, canRedo: this.history.canRedo, clicks: this.session.clicks });
    this.renderCanvas();
    this.scheduleDraft();
  }

  private categoryColor(categoryId: number | null): string {
    return this.state.project?.categories.find((c) => c.id === categoryId)?.color ?? '#1e90ff';
  }

  private savedMaskCache = new Map<string, BinaryMask>();

  private decodedSaved(mask: MaskRecord): BinaryMask {
    const key = `${mask.id}:${mask.version}`;
    let decoded = this.savedMaskCache.get(key);
    if (!decoded) {
      decoded = decode(mask.rle);
      this.savedMaskCache.set(key, decoded);
    }
    return decoded;
  }

  private renderCanvas(): void {
    const canvas = this.canvas;
    if (!canvas || !this.state.image) return;
    const edit = this.edit;
    const editingId = edit.editing?.id ?? null;
    const view = (m: MaskRecord) => ({
      id: m.id, mask: this.decodedSaved(m), bbox: m.bbox,
      color: m.category === null && m.status === 'proposed' ? PROPOSAL_COLOR : this.categoryColor(m.category),
    });
    canvas.setSavedMasks(this.state.savedMasks.filter((m) => m.id !== editingId).map(view), this.state.selectedMaskId);
    canvas.setProposals(this.state.proposals.filter((m) => m.id !== editingId).map(view), this.state.selectedProposalId);
    canvas.setWorkingMask(this.working, this.categoryColor(edit.categoryId));
    canvas.setPrompts(edit.points, edit.box);
  }

  // --- prompts and prediction

  addPoint(point: PromptPoint): void {
    this.session.addPrompt({ kind: 'point', x: point.x, y: point.y, label: point.label });
    this.push({ ...this.edit, points: [...this.edit.points, point] });
    void this.predict();
  }

  setBox(box: Box): void {
    this.session.addPrompt({ kind: 'box', box });
    this.push({ ...this.edit, box });
    void this.predict();
  }

  private async predict(): Promise<void> {
    const image = this.state.image;
    if (!image) return;
    const edit = this.edit;
    if (edit.points.length === 0 && !edit.box) return;
    this.predictAbort?.abort();
    const abort = new AbortController();
    this.predictAbort = abort;
    // Several candidates only for the ambiguous first prompt, as SAM recommends; later clicks refine.
    const multimask = edit.points.length + (edit.box ? 1 : 0) <= 1;
    const request: PredictRequest = {
      points: edit.points.map((p) => [p.x, p.y]),
      labels: edit.points.map((p) => p.label),
      multimask,
    };
    if (edit.box) request.box = edit.box;
    if (edit.logitsToken && !multimask) request.logits_token = edit.logitsToken;
    this.set({ predicting: true, error: null });
    try {
      const answer = await predictWhenReady(this.api, image.id, request, {
        signal: abort.signal,
        onPreparing: (job) => this.set({ preparing: { progress: job.progress ?? 0, state: job.state } }),
        onModel: (model) => this.set({ model }),
      });
      if (abort.signal.aborted || this.edit !== edit) return;
      const candidates = [...answer.masks];
      let chosen = 0;
      candidates.forEach((c, i) => { if (c.score > candidates[chosen].score) chosen = i; });
      // The answer belongs to the step that asked for it: replace, not a new undo step.
      this.history.replace({
        ...edit, candidates, chosen: candidates.length ? chosen : -1,
        mask: candidates.length ? candidates[chosen].rle : null, handEdited: false,
        logitsToken: candidates[chosen]?.logits_token ?? answer.logits_token ?? null, modelVersion: answer.model?.version ?? null,
      });
      this.set({ model: answer.model, preparing: null, predicting: false, embeddingStatus: 'ready' });
      this.syncEdit();
    } catch (error) {
      if (abort.signal.aborted) return;
      this.set({ predicting: false, preparing: null, error: `Prediction failed: ${describe(error)}` });
    }
  }

  chooseCandidate(index: number): void {
    const edit = this.edit;
    if (index < 0 || index >= edit.candidates.length || index === edit.chosen) return;
    this.session.addClick();
    this.push({
      ...edit, chosen: index, mask: edit.candidates[index].rle, handEdited: false,
      logitsToken: edit.candidates[index].logits_token ?? edit.logitsToken,
    });
  }

  // --- brush and eraser

  private ensureWorkingMask(): void {
    const image = this.state.image;
    if (!image || this.working) return;
    this.working = emptyMask(image.width, image.height);
    this.workingCounts = null;
    this.canvas?.setWorkingMask(this.working, this.categoryColor(this.edit.categoryId));
  }

  private commitStroke(): void {
    if (!this.working) return;
    this.session.addClick();
    const rle = encode(this.working);
    const empty = rleArea(rle) === 0;
    this.workingCounts = empty ? null : rle.counts;
    this.push({ ...this.edit, mask: empty ? null : rle, handEdited: true });
  }

  setTool(tool: Tool): void {
    this.set({ tool });
    this.canvas?.setTool(tool);
  }

  resizeBrush(factor: number): void {
    const brushRadius = Math.max(1, Math.min(200, Math.round(this.state.brushRadius * factor) || 1));
    this.set({ brushRadius });
    this.canvas?.setBrushRadius(brushRadius);
  }

  setCategory(categoryId: number | null): void {
    if (categoryId === this.edit.categoryId) return;
    this.push({ ...this.edit, categoryId });
  }

  cycleCategory(step: 1 | -1): void {
    const categories = this.state.project?.categories ?? [];
    if (!categories.length) return;
    const index = categories.findIndex((c) => c.id === this.edit.categoryId);
    const next = categories[(index + step + categories.length) % categories.length];
    this.setCategory(next.id);
  }

  undo(): void {
    this.predictAbort?.abort();
    if (this.history.undo() !== undefined) this.syncEdit();
    this.set({ predicting: false });
  }

  redo(): void {
    if (this.history.redo() !== undefined) this.syncEdit();
  }

  /** Drops the mask in progress (an undoable step). */
  clear(): void {
    if (!isDirty(this.edit)) return;
    this.predictAbort?.abort();
    this.push(emptyEditState(this.edit.categoryId));
    this.set({ predicting: false, selectedMaskId: null });
  }

  // --- saved masks

  selectMask(id: number | null): void {
    this.set({ selectedMaskId: id });
    this.canvas?.setSelectedMask(id);
  }

  /** Loads a saved mask or a proposal into the editor (undo returns to what was there before). */
  editSavedMask(id: number): void {
    const mask = this.state.savedMasks.find((m) => m.id === id) ?? this.state.proposals.find((m) => m.id === id);
    if (!mask) return;
    this.set(mask.status === 'proposed' ? { selectedProposalId: id, selectedMaskId: null } : { selectedMaskId: id });
    const next = editStateFromMask(mask);
    // A proposal has no category yet: fixing it gives it the one in use (shown in the panel, C changes it).
    if (mask.status === 'proposed' && mask.category === null) next.categoryId = this.edit.categoryId;
    this.push(next);
  }

  async deleteSelected(): Promise<void> {
    const id = this.state.selectedMaskId ?? this.edit.editing?.id;
    const mask = this.state.savedMasks.find((m) => m.id === id);
    if (!mask) return;
    try {
      await this.api.deleteMask(mask.id, mask.version);
      if (this.edit.editing?.id === mask.id) this.history.reset(emptyEditState(this.edit.categoryId));
      this.set({ selectedMaskId: null });
      await this.refreshMasks();
      this.syncEdit();
      this.flash('Mask deleted.');
    } catch (error) {
      if (error instanceof VersionConflict) {
        this.set({ conflict: { mine: { rle: mask.rle, category: mask.category }, theirs: error.current, action: 'delete' } });
      } else {
        this.set({ error: `Delete failed: ${describe(error)}` });
      }
    }
  }

  private async refreshMasks(): Promise<void> {
    if (!this.state.image) return;
    const all = await this.api.masks(this.state.image.id);
    this.set(ProposalReview.split(all, this.state));
  }

  // --- save

  /** Saves the mask in progress; returns true when it is on the server. */
  async save(): Promise<boolean> {
    const image = this.state.image;
    const edit = this.edit;
    if (!image || this.state.saving) return false;
    if (!edit.mask) {
      this.set({ error: 'Nothing to save: click the object first, or paint it with the brush (B).' });
      return false;
    }
    this.set({ saving: true, error: null });
    try {
      await this.write(edit, edit.editing?.version ?? 0);
      return true;
    } catch (error) {
      if (error instanceof VersionConflict) {
        this.set({ conflict: { mine: { rle: edit.mask, category: edit.categoryId }, theirs: error.current, action: 'save' } });
      } else {
        this.set({ error: `Save failed: ${describe(error)}` });
      }
      return false;
    } finally {
      this.set({ saving: false });
    }
  }

  private async write(edit: EditState, version: number): Promise<void> {
    const image = this.state.image as ImageRecord;
    const mask = edit.mask as CompressedRle;
    const seconds = this.session.seconds;
    const clicks = this.session.clicks;
    const prompts = this.session.promptLog;
    if (edit.editing) {
      const updated = await this.api.updateMask(edit.editing.id, {
        version, rle: mask, category: edit.categoryId, seconds, clicks, prompts,
      });
      // A fixed proposal: accepted with the version the fix answered.
      if (edit.editing.proposal) await this.api.acceptMask(updated.id, updated.version);
    } else {
      const chosen = edit.candidates[edit.chosen];
      await this.api.createMask({
        image: image.id, category: edit.categoryId, rle: mask, source: sourceOf(edit), seconds, clicks, prompts,
        ...(edit.modelVersion ? { model_version: edit.modelVersion } : {}),
        ...(chosen && !edit.handEdited ? { predicted_iou: chosen.score } : {}),
      });
    }
    this.drafts.clear(image.id);
    this.session.reset();
    this.history.reset(emptyEditState(edit.categoryId));
    this.set({ conflict: null, selectedMaskId: null, draftRestored: false });
    await this.refreshMasks();
    this.syncEdit();
    this.drafts.clear(image.id);
    this.flash(edit.editing?.proposal ? `Proposal #${edit.editing.id} fixed and accepted.` : 'Saved.');
  }

  /** 409: write our version over theirs, knowingly (PATCH with the server's version number). */
  async keepMine(): Promise<void> {
    const conflict = this.state.conflict;
    if (!conflict) return;
    if (conflict.action === 'accept' || conflict.action === 'reject') {
      await this.proposals.decideAnyway(conflict);
      return;
    }
    if (conflict.action === 'delete') {
      try {
        await this.api.deleteMask(conflict.theirs.id, conflict.theirs.version);
        this.set({ conflict: null, selectedMaskId: null });
        await this.refreshMasks();
        this.syncEdit();
      } catch (error) {
        this.set({ error: `Delete failed: ${describe(error)}` });
      }
      return;
    }
    this.set({ saving: true });
    try {
      await this.write(this.edit, conflict.theirs.version);
    } catch (error) {
      if (error instanceof VersionConflict) {
        this.set({ conflict: { ...conflict, theirs: error.current } });
      } else {
        this.set({ error: `Save failed: ${describe(error)}` });
      }
    } finally {
      this.set({ saving: false });
    }
  }

  /** 409: drop our edit and show the server's mask (loaded into the editor, so it can be edited). */
  async takeTheirs(): Promise<void> {
    const conflict = this.state.conflict;
    if (!conflict || !this.state.image) return;
    this.drafts.clear(this.state.image.id);
    this.session.reset();
    this.history.reset(emptyEditState(this.edit.categoryId));
    // Fetch their rows first, so the dialog closes onto the server's state.
    await this.refreshMasks().catch(() => undefined);
    this.set({ conflict: null, selectedMaskId: conflict.theirs.id });
    this.syncEdit();
  }

  dismissConflict(): void {
    this.set({ conflict: null });
  }

  /** Saves (if there is a mask) and returns the next image id that needs work, or null. */
  async saveAndNext(): Promise<number | null | 'stay'> {
    const image = this.state.image;
    if (!image) return 'stay';
    if (this.edit.mask && !(await this.save())) return 'stay';
    try {
      const next = await this.api.nextImage(image.project, image.id);
      if (!next) this.flash('No more images need work in this project.');
      return next ? next.id : null;
    } catch (error) {
      this.set({ error: `Could not find the next image: ${describe(error)}` });
      return 'stay';
    }
  }

  dismissError(): void {
    this.set({ error: null });
  }

  flash(notice: string): void {
    if (this.noticeTimer) clearTimeout(this.noticeTimer);
    this.set({ notice });
    this.noticeTimer = setTimeout(() => this.set({ notice: null }), 2500);
  }

  // --- drafts

  private scheduleDraft(): void {
    if (this.draftTimer) clearTimeout(this.draftTimer);
    this.draftTimer = setTimeout(() => this.flushDraft(), DRAFT_DELAY_MS);
  }

  /** Writes the draft now (also on page hide / unload). */
  flushDraft(): void {
    if (this.draftTimer) clearTimeout(this.draftTimer);
    this.draftTimer = null;
    const image = this.state.image;
    if (!image) return;
    if (!isDirty(this.edit)) {
      this.drafts.clear(image.id);
      return;
    }
    const kept = this.drafts.save(image, this.edit, this.session.snapshot());
    if (kept !== this.state.draftKept) this.set({ draftKept: kept });
  }

  /** Any key or pointer input counts toward the seconds of the mask in progress. */
  touch(): void {
    this.session.touch();
  }
}
