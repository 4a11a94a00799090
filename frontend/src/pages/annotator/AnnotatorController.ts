// The image annotator's logic, outside React: loads an image, turns canvas events into prompts and
// predict calls, keeps the undo history, the draft and the timing log. Writing masks is MaskSaving's,
// deciding on proposals ProposalReview's. React subscribes to the view (useSyncExternalStore) and
// calls the command methods.
import type { ApiClient } from '../../core/api';
import { ApiError, errorMessage } from '../../core/apiErrors';
import type { Health, MaskRecord, PredictRequest } from '../../core/apiTypes';
import { BrushStrokes, nextBrushRadius } from '../../core/brush';
import { categoryColor, stepCategory } from '../../core/categories';
import {
  DraftStore, editStateFromMask, editStateSize, emptyEditState, isDirty, type Box, type EditState, type PromptPoint,
} from '../../core/editState';
import { History } from '../../core/history';
import { DecodedMasks } from '../../core/maskCache';
import { predictWhenReady } from '../../core/predictor';
import { rleArea } from '../../core/rle';
import { MaskSession } from '../../core/session';
import type { KeyValueStorage } from '../../core/storage';
import { ViewStore } from '../../core/viewStore';
import type { AnnotationCanvas, Tool } from '../../canvas/AnnotationCanvas';
import { initialAnnotatorView, type AnnotatorView } from './annotatorView';
import { MaskSaving } from './MaskSaving';
import { ProposalReview } from './ProposalReview';

export type { AnnotatorView, Conflict } from './annotatorView';

const DRAFT_DELAY_MS = 250;
// How long the image waits for the model's banner at most (a slow health check shows it later).
const MODEL_INFO_WAIT_MS = 2000;
/** Proposals without a category (automatic masks are class-agnostic) are drawn in amber. */
export const PROPOSAL_COLOR = '#f0a800';

const describe = (error: unknown) => errorMessage(error, 'The server cannot be reached; your work is kept as a draft. Try again.');

export class AnnotatorController extends ViewStore<AnnotatorView> {
  private readonly history = new History<EditState>(emptyEditState(), {
    limit: 200, sizeOf: editStateSize, maxTotalSize: 64 * 1024 * 1024,
  });
  private readonly session = new MaskSession();
  private readonly drafts: DraftStore;
  private canvas: AnnotationCanvas | null = null;
  private canvasUnsubscribe: (() => void)[] = [];
  /** The mask in progress as pixels the brush paints into; its RLE counts say which edit it shows. */
  private working: BrushStrokes | null = null;
  private workingCounts: string | null = null;
  private readonly savedPixels = new DecodedMasks(512);
  private predictAbort: AbortController | null = null;
  private draftTimer: ReturnType<typeof setTimeout> | null = null;
  private noticeTimer: ReturnType<typeof setTimeout> | null = null;
  readonly proposals: ProposalReview;
  readonly saving: MaskSaving;

  constructor(private readonly api: ApiClient, readonly imageId: number, storage: KeyValueStorage = window.localStorage) {
    super(initialAnnotatorView());
    this.drafts = new DraftStore(storage);
    const refreshMasks = () => this.refreshMasks();
    const flash = (notice: string) => this.flash(notice);
    this.proposals = new ProposalReview({
      api, view: this.getView, set: (patch) => this.set(patch), refreshMasks, flash, describe,
      edit: (id) => this.editSavedMask(id), save: () => this.saving.save(),
      discardEdit: () => { this.session.reset(); this.history.reset(emptyEditState(this.edit.categoryId)); this.syncEdit(); },
      editingId: () => this.edit.editing?.id ?? null, alive: () => this.alive,
    });
    this.saving = new MaskSaving({
      api, view: this.getView, set: (patch) => this.set(patch), edit: () => this.edit, refreshMasks, flash, describe,
      timing: () => ({ seconds: this.session.seconds, clicks: this.session.clicks, prompts: this.session.promptLog }),
      startOver: () => {
        if (this.state.image) this.drafts.clear(this.state.image.id);
        this.session.reset();
        this.history.reset(emptyEditState(this.edit.categoryId));
      },
      editChanged: () => this.syncEdit(),
      decideAnyway: (conflict) => this.proposals.decideAnyway(conflict),
    });
  }

  private get state(): AnnotatorView {
    return this.getView();
  }

  /** Proposals on the canvas follow the list and the selection. */
  protected override set(patch: Partial<AnnotatorView>): void {
    const proposalsChanged = ('proposals' in patch && patch.proposals !== this.state.proposals)
      || ('selectedProposalId' in patch && patch.selectedProposalId !== this.state.selectedProposalId);
    super.set(patch);
    if (proposalsChanged && this.alive) this.renderCanvas();
  }

  // --- lifecycle

  async load(): Promise<void> {
    // The model's banner (fallback, unverified weights) sits above the image: asked for alongside the
    // image and in place before the image shows, so it never moves the image under a first click.
    const modelInfo = this.loadModelInfo();
    try {
      const image = await this.api.image(this.imageId);
      const [project, masks, blob] = await Promise.all([
        this.api.project(image.project),
        this.api.masks(image.id),
        this.api.imageBlob(image),
      ]);
      const bitmap = await createImageBitmap(blob);
      let waited: ReturnType<typeof setTimeout> | undefined;
      await Promise.race([modelInfo, new Promise((resolve) => { waited = setTimeout(resolve, MODEL_INFO_WAIT_MS); })]);
      clearTimeout(waited);  // the status came first: no timer left behind
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
      if (image.embedding_status === 'pending') void this.watchEmbedding();
      void this.proposals.watchForProposals();
    } catch (error) {
      this.set({ status: 'error', loadError: describe(error) });
    }
  }

  /** Reads the image's record again (its state for the team after a decision). */
  async refreshImage(): Promise<void> {
    this.set({ image: await this.api.image(this.imageId) });
  }

  /** Polls the image while its embedding is computed, so the page can say when clicks will be fast. */
  private async watchEmbedding(): Promise<void> {
    let delay = 1000;
    while (this.alive && this.state.embeddingStatus === 'pending') {
      await new Promise((resolve) => setTimeout(resolve, delay));
      delay = Math.min(delay * 1.5, 5000);
      if (!this.alive) return;
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
      // A 503 (some part down, e.g. no worker) still carries every check, the model's included.
      const health = await this.api.health().catch((e: unknown) => {
        if (e instanceof ApiError && e.status === 503 && e.body) return e.body as Health;
        throw e;
      });
      const check = health.checks.model;
      if (!check || check.version === undefined || this.state.model) return;
      this.set({
        model: {
          requested: check.requested ?? '', backend: check.backend, version: check.version, fallback: !!check.fallback,
          reason: check.reason ?? null, warning: check.warning,
        },
      });
    } catch {
      // Health is informative only; predict answers carry the model too.
    }
  }

  dispose(): void {
    this.flushDraft();
    this.predictAbort?.abort();
    for (const off of this.canvasUnsubscribe) off();
    this.close();
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
      this.working = edit.mask ? BrushStrokes.over(edit.mask, 0, 0) : null;
      this.workingCounts = counts;
    }
    this.set({ edit, canUndo: this.history.canUndo, canRedo: this.history.canRedo, clicks: this.session.clicks });
    this.renderCanvas();
    this.scheduleDraft();
  }

  private renderCanvas(): void {
    const canvas = this.canvas;
    if (!canvas || !this.state.image) return;
    const edit = this.edit;
    const editingId = edit.editing?.id ?? null;
    const categories = this.state.project?.categories ?? [];
    const view = (m: MaskRecord) => ({
      id: m.id, mask: this.savedPixels.get(`${m.id}:${m.version}`, m.rle), bbox: m.bbox,
      color: m.category === null && m.status === 'proposed' ? PROPOSAL_COLOR : categoryColor(categories, m.category),
    });
    canvas.setSavedMasks(this.state.savedMasks.filter((m) => m.id !== editingId).map(view), this.state.selectedMaskId);
    canvas.setProposals(this.state.proposals.filter((m) => m.id !== editingId).map(view), this.state.selectedProposalId);
    canvas.setWorkingMask(this.working?.mask ?? null, categoryColor(categories, edit.categoryId));
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

  /** The brush paints into the mask in progress, or into an empty one when there is none. */
  private ensureWorkingMask(): void {
    const image = this.state.image;
    if (!image || this.working) return;
    this.working = BrushStrokes.over(null, image.width, image.height);
    this.workingCounts = null;
    this.canvas?.setWorkingMask(this.working.mask, categoryColor(this.state.project?.categories ?? [], this.edit.categoryId));
  }

  /** A stroke is an undoable step of the edit (and a click of the mask's cost). */
  private commitStroke(): void {
    if (!this.working) return;
    this.session.addClick();
    const rle = this.working.toRle();
    const empty = rleArea(rle) === 0;
    this.workingCounts = empty ? null : rle.counts;
    this.push({ ...this.edit, mask: empty ? null : rle, handEdited: true });
  }

  setTool(tool: Tool): void {
    this.set({ tool });
    this.canvas?.setTool(tool);
  }

  resizeBrush(factor: number): void {
    const brushRadius = nextBrushRadius(this.state.brushRadius, factor);
    this.set({ brushRadius });
    this.canvas?.setBrushRadius(brushRadius);
  }

  setCategory(categoryId: number | null): void {
    if (categoryId === this.edit.categoryId) return;
    this.push({ ...this.edit, categoryId });
  }

  cycleCategory(step: 1 | -1): void {
    const next = stepCategory(this.state.project?.categories ?? [], this.edit.categoryId, step);
    if (next !== null) this.setCategory(next);
  }

  undo(): void {
    this.predictAbort?.abort();
    if (this.history.undo() !== undefined) this.syncEdit();
    this.set({ predicting: false });
  }

  redo(): void {
    if (this.history.redo() !== undefined) this.syncEdit();
  }

  /** N: the mask in progress is saved and the next object starts (nothing in progress: a fresh start). */
  async newObject(): Promise<void> {
    if (this.edit.mask) await this.saving.save();
    else this.selectMask(null);
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

  private async refreshMasks(): Promise<void> {
    if (!this.state.image) return;
    const all = await this.api.masks(this.state.image.id);
    this.set(ProposalReview.split(all, this.state));
  }

  dismissConflict(): void {
    this.set({ conflict: null });
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
