// The video annotator's logic, outside React (as AnnotatorController for images): opens the video's
// session (waiting for frame extraction), keeps frames and masklets, turns canvas events into stored
// prompts (clicks / box per object and frame, brushed masks, removals), runs propagation and follows
// it frame by frame through the masklets endpoint. React subscribes to `view`.
import { ApiClient, ApiError, isFinalJob, type Job, type Project } from '../../core/api';
import { History } from '../../core/history';
import { cloneMask } from '../../core/maskOps';
import { decode, emptyMask, encode, rleArea, type BinaryMask } from '../../core/rle';
import {
  clampFrame, frameInterval, MaskletStore, maskBbox, objectColor, prefetchOrder, PromptLog, type FramePrompts,
} from '../../core/video';
import {
  addPrompt, frameBlob, masklets, openSession, propagate, video as fetchVideo, videoFrames,
  type FrameRecord, type PropagateDirection, type VideoPromptRequest, type VideoRecord, type VideoSessionRecord,
} from '../../core/videoApi';
import type { AnnotationCanvas, Tool } from '../../canvas/AnnotationCanvas';

export type SaveState = 'idle' | 'saving' | 'saved' | 'error';

export interface PropagationView {
  job: Job; direction: PropagateDirection; scope: 'all' | 'selected'; start: number; cancelling: boolean;
}

export interface VideoView {
  status: 'loading' | 'extracting' | 'ready' | 'error';
  loadError: string | null;
  video: VideoRecord | null;
  project: Project | null;
  session: VideoSessionRecord | null;
  frames: FrameRecord[];
  frame: number;
  /** The frame's picture is still being fetched. */
  frameLoading: boolean;
  playing: boolean;
  selectedObj: number | null;
  tool: Tool;
  brushRadius: number;
  /** Brush / eraser strokes on (selectedObj, frame) not sent yet. */
  brushDirty: boolean;
  canUndo: boolean;
  saveState: SaveState;
  saveMessage: string | null;
  /** Prompts applied by the server since the page opened. */
  savedOps: number;
  propagation: PropagationView | null;
  /** Categories chosen for objects the server knows, sent with their next prompt. */
  pendingCategory: Record<number, number | null>;
  removing: number | null;
  error: string | null;
  notice: string | null;
  /** Changes whenever the masklets change (timeline, object list). */
  storeVersion: number;
  prompts: FramePrompts;
}

const POLL_MS = 300;
const BITMAP_CACHE = 96;
const DECODED_CACHE = 64;

function describe(error: unknown): string {
  if (error instanceof ApiError) return error.detail;
  if (error instanceof TypeError) return 'The server cannot be reached. Try again.';
  return error instanceof Error ? error.message : String(error);
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

interface Editing { objId: number; frame: number; mask: BinaryMask; history: History<string> }

export class VideoController {
  private listeners = new Set<() => void>();
  private state: VideoView;
  readonly store = new MaskletStore();
  private prompts: PromptLog;
  private canvas: AnnotationCanvas | null = null;
  private canvasOff: (() => void)[] = [];
  private bitmaps = new Map<number, Promise<ImageBitmap>>();
  private decoded = new Map<string, BinaryMask>();
  private shownFrame = -1;
  private editing: Editing | null = null;
  private disposed = false;
  private playTimer: ReturnType<typeof setTimeout> | null = null;
  private noticeTimer: ReturnType<typeof setTimeout> | null = null;
  /** Prompts and propagations are sent one after the other, in the order they were made. */
  private chain: Promise<unknown> = Promise.resolve();
  private pendingOps = 0;
  private following = 0;
  private polling = false;
  private readonly promptKey: string;
  private readonly propagationKey: string;

  constructor(private readonly api: ApiClient, readonly videoId: number, private readonly storage: Storage = window.localStorage) {
    this.promptKey = `segdata.video.${videoId}.prompts`;
    this.propagationKey = `segdata.video.${videoId}.propagation`;
    let saved: Record<string, FramePrompts> = {};
    try {
      saved = JSON.parse(storage.getItem(this.promptKey) ?? '{}') ?? {};
    } catch {
      saved = {};
    }
    this.prompts = new PromptLog(saved);
    this.state = {
      status: 'loading', loadError: null, video: null, project: null, session: null, frames: [], frame: 0,
      frameLoading: true, playing: false, selectedObj: null, tool: 'prompt', brushRadius: 6, brushDirty: false,
      canUndo: false, saveState: 'idle', saveMessage: null, savedOps: 0, propagation: null, pendingCategory: {}, removing: null,
      error: null, notice: null, storeVersion: 0, prompts: { points: [], labels: [], box: null },
    };
  }

  // --- store protocol for React

  subscribe = (listener: () => void): (() => void) => {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  };

  getView = (): VideoView => this.state;

  private set(patch: Partial<VideoView>): void {
    if (this.disposed) return;
    this.state = { ...this.state, ...patch };
    for (const listener of this.listeners) listener();
  }

  private storeChanged(): void {
    // A working copy without strokes follows the store (propagation may have rewritten its frame).
    if (this.editing && !this.editing.history.canUndo) this.editing = null;
    this.set({ storeVersion: this.store.version });
    this.renderMasks();
  }

  get frameCount(): number {
    return this.state.frames.length;
  }

  // --- lifecycle

  async load(): Promise<void> {
    try {
      let video = await fetchVideo(this.api, this.videoId);
      const project = await this.api.project(video.project).catch(() => null);
      this.set({ video, project });
      let session: VideoSessionRecord | null = null;
      let refusedAfterExtraction = 0;
      for (let delay = 700; !this.disposed; delay = Math.min(delay * 1.3, 3000)) {
        const extracting = video.extraction_job && !isFinalJob(video.extraction_job);
        if (!extracting) {
          session = await openSession(this.api, this.videoId);
          if (session) break;
          if (video.extraction_job?.state === 'failed' || video.extraction_job?.state === 'cancelled') {
            throw new Error(`extracting the frames ${video.extraction_job.state}${video.extraction_job.message ? `: ${video.extraction_job.message}` : ''}`);
          }
          // Extraction finished (or there is no job) and still no session: the video has no frames.
          if (++refusedAfterExtraction >= 4) throw new Error('the video has no extracted frames to annotate');
        }
        this.set({ status: 'extracting', video });
        await sleep(delay);
        video = await fetchVideo(this.api, this.videoId);
      }
      if (!session || this.disposed) return;
      const [frames, answer] = await Promise.all([videoFrames(this.api, this.videoId), masklets(this.api, this.videoId)]);
      frames.sort((a, b) => a.index - b.index);
      this.store.merge(answer, true);
      const first = this.store.list()[0]?.objId ?? null;
      this.set({ status: 'ready', video, session, frames, selectedObj: first, storeVersion: this.store.version });
      this.attach();
      void this.resumePropagation();
      await this.goTo(0);
    } catch (error) {
      this.set({ status: 'error', loadError: describe(error) });
    }
  }

  dispose(): void {
    this.pause();
    for (const off of this.canvasOff) off();
    this.disposed = true;
    this.listeners.clear();
    if (this.noticeTimer) clearTimeout(this.noticeTimer);
    for (const bitmap of this.bitmaps.values()) void bitmap.then((b) => b.close()).catch(() => undefined);
    this.bitmaps.clear();
  }

  setCanvas(canvas: AnnotationCanvas | null): void {
    for (const off of this.canvasOff) off();
    this.canvasOff = [];
    this.canvas = canvas;
    this.shownFrame = -1;
    this.attach();
  }

  private attach(): void {
    const canvas = this.canvas;
    if (!canvas || this.state.status !== 'ready' || this.canvasOff.length) return;
    canvas.setTool(this.state.tool);
    canvas.setBrushRadius(this.state.brushRadius);
    this.canvasOff = [
      canvas.on('point', (p) => void this.addPoint(p.x, p.y, p.label)),
      canvas.on('box', (b) => void this.setBox(b)),
      canvas.on('strokestart', () => this.ensureEditing()),
      canvas.on('strokeend', () => this.commitStroke()),
      canvas.on('select', ({ maskId }) => { if (maskId !== null) this.selectObject(maskId); }),
    ];
    void this.showFrame(this.state.frame);
  }

  // --- frames

  private bitmap(index: number): Promise<ImageBitmap> {
    let promise = this.bitmaps.get(index);
    if (promise) {
      // Most recently used last.
      this.bitmaps.delete(index);
      this.bitmaps.set(index, promise);
      return promise;
    }
    const frame = this.state.frames[index];
    if (!frame) return Promise.reject(new Error(`no frame ${index}`));
    promise = frameBlob(this.api, frame).then((blob) => createImageBitmap(blob));
    promise.catch(() => this.bitmaps.delete(index));
    this.bitmaps.set(index, promise);
    while (this.bitmaps.size > BITMAP_CACHE) {
      const oldest = this.bitmaps.keys().next().value as number;
      if (oldest === index) break;
      const dropped = this.bitmaps.get(oldest);
      this.bitmaps.delete(oldest);
      void dropped?.then((b) => b.close()).catch(() => undefined);
    }
    return promise;
  }

  /** Moves to `frame`; brushed edits on the frame being left are sent first. */
  async goTo(frame: number): Promise<void> {
    const target = clampFrame(frame, this.frameCount);
    if (this.editing && (this.editing.frame !== target)) this.applyBrush();
    this.set({ frame: target, prompts: this.currentPrompts(target) });
    await this.showFrame(target);
  }

  step(delta: number): void {
    this.pause();
    void this.goTo(this.state.frame + delta);
  }

  private async showFrame(index: number): Promise<void> {
    if (this.state.status !== 'ready') return;
    for (const next of prefetchOrder(index, this.frameCount)) void this.bitmap(next).catch(() => undefined);
    const ready = this.bitmaps.has(index);
    if (!ready) this.set({ frameLoading: true });
    try {
      const bitmap = await this.bitmap(index);
      if (this.disposed || this.state.frame !== index) return;
      const video = this.state.video;
      const canvas = this.canvas;
      if (canvas) {
        const width = video?.width || bitmap.width;
        const height = video?.height || bitmap.height;
        if (this.shownFrame < 0) canvas.setImage(bitmap, width, height);
        else canvas.swapImage(bitmap, width, height);
        this.shownFrame = index;
      }
      if (this.state.frameLoading) this.set({ frameLoading: false });
      this.renderMasks();
    } catch (error) {
      if (this.state.frame === index) this.set({ frameLoading: false, error: `Frame ${index}: ${describe(error)}` });
    }
  }

  // --- playback

  togglePlay(): void {
    if (this.state.playing) this.pause();
    else this.play();
  }

  play(): void {
    if (this.state.playing || this.frameCount < 2) return;
    if (this.editing) this.applyBrush();
    if (this.state.frame >= this.frameCount - 1) void this.goTo(0);
    this.set({ playing: true });
    this.scheduleTick();
  }

  pause(): void {
    if (this.playTimer) clearTimeout(this.playTimer);
    this.playTimer = null;
    if (this.state.playing) this.set({ playing: false });
  }

  private scheduleTick(): void {
    const interval = frameInterval(this.state.video?.annotation_fps ?? 6);
    const started = performance.now();
    this.playTimer = setTimeout(async () => {
      if (!this.state.playing || this.disposed) return;
      const next = this.state.frame + 1;
      if (next >= this.frameCount) {
        this.pause();
        return;
      }
      try {
        await this.bitmap(next); // wait for the picture rather than skip frames
      } catch {
        // showFrame reports it
      }
      if (!this.state.playing) return;
      await this.goTo(next);
      if (this.state.playing) this.scheduleTick();
    }, Math.max(0, interval - (performance.now() - started)));
  }

  // --- drawing

  private decodedMask(objId: number, frame: number): BinaryMask | null {
    const stored = this.store.mask(objId, frame);
    if (!stored || stored.area === 0) return null;
    const key = `${objId}:${frame}:${stored.updatedAt}:${stored.rle.counts.length}:${stored.optimistic ? 'o' : ''}`;
    let mask = this.decoded.get(key);
    if (!mask) {
      mask = decode(stored.rle);
      this.decoded.set(key, mask);
      while (this.decoded.size > DECODED_CACHE) this.decoded.delete(this.decoded.keys().next().value as string);
    }
    return mask;
  }

  /**
   * With the brush or eraser, the selected object's mask on this frame is the canvas' working mask
   * (the canvas paints only into one), copied from the store until a stroke changes it.
   */
  private syncBrush(): void {
    const tool = this.state.tool;
    if (tool !== 'brush' && tool !== 'eraser') {
      if (this.editing && !this.editing.history.canUndo) this.editing = null;
      return;
    }
    const objId = this.state.selectedObj;
    const frame = this.state.frame;
    if (objId === null || !this.store.has(objId)) return;
    if (this.editing && this.editing.objId === objId && this.editing.frame === frame) return;
    if (this.editing?.history.canUndo) return; // strokes elsewhere: sent by the navigation that left them
    const video = this.state.video;
    const current = this.decodedMask(objId, frame);
    const mask = current ? cloneMask(current) : emptyMask(video?.width ?? 0, video?.height ?? 0);
    this.editing = { objId, frame, mask, history: new History<string>(encode(mask).counts, { limit: 100 }) };
  }

  private renderMasks(): void {
    this.syncBrush();
    const canvas = this.canvas;
    if (!canvas || this.shownFrame !== this.state.frame) return;
    const frame = this.state.frame;
    const editing = this.editing && this.editing.frame === frame ? this.editing : null;
    const views = [];
    for (const { objId, mask } of this.store.masksOn(frame)) {
      if (editing && editing.objId === objId) continue;
      const pixels = this.decodedMask(objId, frame);
      if (pixels) views.push({ id: objId, mask: pixels, color: objectColor(objId), bbox: maskBbox(mask) });
    }
    // The selected object last, so its outline is drawn on top.
    views.sort((a, b) => Number(a.id === this.state.selectedObj) - Number(b.id === this.state.selectedObj));
    canvas.setSavedMasks(views, this.state.selectedObj);
    canvas.setWorkingMask(editing ? editing.mask : null, editing ? objectColor(editing.objId) : undefined);
    const prompts = this.state.prompts;
    canvas.setPrompts(prompts.points.map(([x, y], i) => ({ x, y, label: prompts.labels[i] })), prompts.box);
  }

  private currentPrompts(frame = this.state.frame, objId = this.state.selectedObj): FramePrompts {
    return objId === null ? { points: [], labels: [], box: null } : this.prompts.get(objId, frame);
  }

  private savePromptLog(): void {
    try {
      this.storage.setItem(this.promptKey, JSON.stringify(this.prompts.toJSON()));
    } catch {
      // A full storage only loses the click markers; the prompts themselves are on the server.
    }
  }

  // --- objects

  /** A new object (the next free id) becomes the selected one; it reaches the server with its first prompt. */
  addObject(): number {
    if (this.editing) this.applyBrush();
    const objId = this.store.nextObjectId();
    const category = this.state.project?.categories[0]?.id ?? null;
    this.store.addLocal(objId, category);
    this.set({ selectedObj: objId, prompts: this.currentPrompts(this.state.frame, objId), storeVersion: this.store.version });
    this.renderMasks();
    return objId;
  }

  selectObject(objId: number | null): void {
    if (objId === this.state.selectedObj) return;
    if (this.editing) this.applyBrush();
    this.set({ selectedObj: objId, prompts: this.currentPrompts(this.state.frame, objId), removing: null });
    this.renderMasks();
  }

  /** Next / previous object in the list (Tab / Shift+Tab). */
  cycleObject(delta: number): void {
    const ids = this.store.list().map((o) => o.objId);
    if (!ids.length) return;
    const at = this.state.selectedObj === null ? -1 : ids.indexOf(this.state.selectedObj);
    this.selectObject(ids[(at + delta + ids.length) % ids.length]);
  }

  categoryOf(objId: number): number | null {
    if (objId in this.state.pendingCategory) return this.state.pendingCategory[objId];
    return this.store.get(objId)?.category ?? null;
  }

  setCategory(objId: number, category: number | null): void {
    const object = this.store.get(objId);
    if (!object) return;
    if (object.local) {
      this.store.setCategory(objId, category);
      this.set({ storeVersion: this.store.version });
    } else if (category === object.category) {
      const { [objId]: _, ...rest } = this.state.pendingCategory;
      this.set({ pendingCategory: rest });
    } else {
      this.set({ pendingCategory: { ...this.state.pendingCategory, [objId]: category } });
    }
  }

  askRemove(objId: number | null = this.state.selectedObj): void {
    this.set({ removing: objId });
  }

  cancelRemove(): void {
    this.set({ removing: null });
  }

  /** Removes the object from the whole video (after the page asked for confirmation). */
  async confirmRemove(): Promise<void> {
    const objId = this.state.removing;
    if (objId === null) return;
    const object = this.store.get(objId);
    if (this.editing?.objId === objId) this.discardBrush();
    this.prompts.clearObject(objId);
    this.savePromptLog();
    const remaining = this.store.list().filter((o) => o.objId !== objId);
    this.set({ removing: null, selectedObj: remaining[0]?.objId ?? null, prompts: this.currentPrompts(this.state.frame, remaining[0]?.objId ?? null) });
    this.store.removeObject(objId);
    this.storeChanged();
    if (!object || object.local) return;
    await this.send({ kind: 'remove', frame: this.state.frame, obj_id: objId }, `Object ${objId} removed.`);
  }

  // --- tools

  setTool(tool: Tool): void {
    if ((tool === 'prompt' || tool === 'select') && this.editing && this.state.brushDirty) this.applyBrush();
    this.set({ tool });
    this.canvas?.setTool(tool);
    // Brushing with no object selected paints a new one.
    if ((tool === 'brush' || tool === 'eraser') && (this.state.selectedObj === null || !this.store.has(this.state.selectedObj))) {
      if (tool === 'brush') this.addObject();
    }
    this.renderMasks();
  }

  resizeBrush(factor: number): void {
    const radius = Math.max(1, Math.min(200, Math.round(this.state.brushRadius * factor + (factor > 1 ? 0.5 : -0.5))));
    this.set({ brushRadius: radius });
    this.canvas?.setBrushRadius(radius);
  }

  private targetObject(): number {
    return this.state.selectedObj !== null && this.store.has(this.state.selectedObj) ? this.state.selectedObj : this.addObject();
  }

  async addPoint(x: number, y: number, label: 0 | 1): Promise<void> {
    this.pause();
    const objId = this.targetObject();
    const frame = this.state.frame;
    const prompts = this.prompts.addPoint(objId, frame, x, y, label);
    await this.sendPrompts(objId, frame, prompts);
  }

  async setBox(box: [number, number, number, number]): Promise<void> {
    this.pause();
    const objId = this.targetObject();
    const frame = this.state.frame;
    const prompts = this.prompts.setBox(objId, frame, box);
    await this.sendPrompts(objId, frame, prompts);
  }

  /** Takes back the last click (or box) on this frame and sends the rest; nothing left: nothing sent. */
  async undoClick(): Promise<void> {
    const objId = this.state.selectedObj;
    const frame = this.state.frame;
    if (objId === null || !this.prompts.removeLast(objId, frame)) return;
    const prompts = this.prompts.get(objId, frame);
    this.savePromptLog();
    this.set({ prompts });
    this.renderMasks();
    if (prompts.points.length || prompts.box) await this.sendPrompts(objId, frame, prompts);
    else this.flash('Last click taken back; the mask on this frame stays until you click again or brush.');
  }

  private async sendPrompts(objId: number, frame: number, prompts: FramePrompts): Promise<void> {
    this.savePromptLog();
    if (this.state.selectedObj === objId && this.state.frame === frame) this.set({ prompts });
    this.renderMasks();
    await this.send({
      kind: 'points', frame, obj_id: objId, points: prompts.points, labels: prompts.labels,
      ...(prompts.box ? { box: prompts.box } : {}), ...this.categoryField(objId),
    });
  }

  private categoryField(objId: number): { category?: number | null } {
    const object = this.store.get(objId);
    if (objId in this.state.pendingCategory) return { category: this.state.pendingCategory[objId] };
    if (object?.local && object.category !== null) return { category: object.category };
    return {};
  }

  // --- brush and eraser

  /** A stroke starts on the working mask that syncBrush prepared for (selected object, frame). */
  private ensureEditing(): void {
    this.pause();
  }

  private commitStroke(): void {
    const editing = this.editing;
    if (!editing) return;
    const counts = encode(editing.mask).counts;
    if (counts !== editing.history.present) editing.history.push(counts);
    this.set({ brushDirty: editing.history.canUndo, canUndo: editing.history.canUndo });
  }

  /** Undo: a brush stroke not sent yet, else the last click on this frame. */
  undo(): void {
    const editing = this.editing;
    if (editing && editing.history.canUndo) {
      const counts = editing.history.undo() as string;
      const restored = decode({ size: [editing.mask.height, editing.mask.width], counts });
      editing.mask.data.set(restored.data);
      this.canvas?.setWorkingMask(editing.mask, objectColor(editing.objId));
      this.set({ brushDirty: editing.history.canUndo, canUndo: editing.history.canUndo });
      if (!editing.history.canUndo) this.discardBrush();
      return;
    }
    void this.undoClick();
  }

  discardBrush(): void {
    this.editing = null;
    this.set({ brushDirty: false, canUndo: false });
    this.renderMasks();
  }

  /** Sends the brushed mask of (object, frame) as a "mask" prompt; it shows at once. */
  applyBrush(): void {
    const editing = this.editing;
    this.editing = null;
    this.set({ brushDirty: false, canUndo: false });
    if (!editing || !editing.history.canUndo) {
      this.renderMasks();
      return;
    }
    const rle = encode(editing.mask);
    this.store.setOptimistic(editing.objId, editing.frame, rle);
    this.prompts.clearFrame(editing.objId, editing.frame);
    this.savePromptLog();
    if (this.state.selectedObj === editing.objId && this.state.frame === editing.frame) this.set({ prompts: this.currentPrompts() });
    this.storeChanged();
    const empty = rleArea(rle) === 0;
    void this.send({ kind: 'mask', frame: editing.frame, obj_id: editing.objId, rle, ...this.categoryField(editing.objId) },
      empty ? 'Saved (empty mask on this frame).' : undefined);
  }

  // --- sending and following jobs

  /** Queues a prompt after the ones before it, follows its job and reads the masks it wrote. */
  private send(prompt: VideoPromptRequest, doneNotice?: string): Promise<void> {
    const session = this.state.session;
    if (!session) return Promise.resolve();
    this.pendingOps++;
    this.set({ saveState: 'saving', saveMessage: null });
    const run = async () => {
      try {
        const job = await addPrompt(this.api, session.id, prompt);
        if ('category' in prompt && prompt.category !== undefined && prompt.obj_id in this.state.pendingCategory) {
          const { [prompt.obj_id]: _, ...rest } = this.state.pendingCategory;
          this.set({ pendingCategory: rest });
        }
        const final = await this.followJob(job);
        if (final.state !== 'succeeded') throw new Error(final.message || `the prompt job ${final.state}`);
        this.set({ savedOps: this.state.savedOps + 1 });
        if (doneNotice) this.flash(doneNotice);
        if (!session.tracker_version) void this.refreshSession();
        return true;
      } catch (error) {
        this.set({ saveState: 'error', saveMessage: describe(error), error: `Could not apply the prompt: ${describe(error)}` });
        await this.refreshMasklets(true).catch(() => undefined);
        return false;
      }
    };
    const next = this.chain.then(run);
    this.chain = next.catch(() => undefined);
    return next.then((ok) => {
      this.pendingOps--;
      if (ok && this.pendingOps === 0) this.set({ saveState: 'saved', saveMessage: null });
    });
  }

  /** Polls a job and, meanwhile, the masklets written since the last read (frames appear as they come). */
  private async followJob(job: Job, onProgress?: (job: Job) => void): Promise<Job> {
    this.following++;
    try {
      let current = job;
      let failures = 0;
      while (!isFinalJob(current) && !this.disposed) {
        await sleep(POLL_MS * (1 + failures));
        try {
          const [next] = await Promise.all([this.api.job(current.id), this.pollMasklets()]);
          current = next;
          failures = 0;
        } catch (error) {
          // A dropped connection: keep following (the job runs on the server regardless).
          if (++failures > 8 || (error instanceof ApiError && error.status === 404)) throw error;
          continue;
        }
        onProgress?.(current);
      }
      await this.refreshMasklets(false);
      return current;
    } finally {
      this.following--;
    }
  }

  private async pollMasklets(): Promise<void> {
    if (this.polling) return;
    this.polling = true;
    try {
      await this.refreshMasklets(false);
    } catch {
      // the next poll tries again
    } finally {
      this.polling = false;
    }
  }

  /** Reads the masklets (all of them with `full`, else those written since the last read). */
  async refreshMasklets(full: boolean): Promise<void> {
    const answer = await masklets(this.api, this.videoId, full ? null : this.store.cursor);
    const signature = () => this.store.list().map((o) => `${o.objId}:${o.category}:${o.local}`).join(',');
    const before = signature();
    this.store.merge(answer, full);
    if (full || answer.frames.length || signature() !== before) this.storeChanged();
    const selected = this.state.selectedObj;
    if (selected !== null && !this.store.has(selected)) {
      const first = this.store.list()[0]?.objId ?? null;
      this.set({ selectedObj: first, prompts: this.currentPrompts(this.state.frame, first) });
    }
  }

  private async refreshSession(): Promise<void> {
    try {
      const session = await openSession(this.api, this.videoId);
      if (session) this.set({ session });
    } catch {
      // informative only
    }
  }

  // --- propagation

  async propagate(direction: PropagateDirection, scope: 'all' | 'selected'): Promise<void> {
    const session = this.state.session;
    if (!session || this.state.propagation) return;
    this.pause();
    if (this.editing) this.applyBrush();
    const start = this.state.frame;
    const objIds = scope === 'selected' && this.state.selectedObj !== null ? [this.state.selectedObj] : undefined;
    if (scope === 'selected' && (!objIds || this.store.get(objIds[0])?.local)) {
      this.flash('Prompt the selected object on a frame first.');
      return;
    }
    const placeholder: Job = { id: '', kind: 'video_propagate', state: 'queued', progress: 0, message: 'waiting for earlier prompts to be applied' };
    this.set({ propagation: { job: placeholder, direction, scope, start, cancelling: false }, error: null });
    let job: Job;
    try {
      await this.chain; // prompts made before the propagation are stored first
      job = await propagate(this.api, session.id, start, direction, objIds);
    } catch (error) {
      this.set({ error: `Could not propagate: ${describe(error)}`, propagation: null });
      return;
    }
    await this.followPropagation({ job, direction, scope, start, cancelling: false });
  }

  /** Follows a propagation job to its end (also one found running when the page opens). */
  private async followPropagation(started: PropagationView): Promise<void> {
    const { direction, start } = started;
    const job = started.job;
    this.set({ propagation: started });
    try {
      this.storage.setItem(this.propagationKey, JSON.stringify({ ...started, cancelling: false }));
    } catch {
      // without storage a reload just does not show the progress again
    }
    try {
      const final = await this.followJob(job, (j) => {
        const now = this.getView().propagation;
        if (now) this.set({ propagation: { ...now, job: j } });
      });
      await this.refreshMasklets(true);
      if (final.state === 'succeeded') this.flash(`Propagated ${direction} from frame ${start}.`);
      else if (final.state === 'cancelled') this.flash('Propagation cancelled; the frames done so far are kept.');
      else if (isFinalJob(final)) this.set({ error: `Propagation ${final.state}: ${final.message}` });
      if (isFinalJob(final)) this.storage.removeItem(this.propagationKey);
    } catch (error) {
      this.set({ error: `Could not follow the propagation: ${describe(error)}` });
      if (error instanceof ApiError && error.status === 404) this.storage.removeItem(this.propagationKey);
    } finally {
      this.set({ propagation: null });
    }
  }

  /** A propagation this browser started that may still run (the page was reloaded meanwhile). */
  private async resumePropagation(): Promise<void> {
    let saved: PropagationView | null = null;
    try {
      saved = JSON.parse(this.storage.getItem(this.propagationKey) ?? 'null');
    } catch {
      saved = null;
    }
    if (!saved?.job?.id) return;
    try {
      const job = await this.api.job(saved.job.id);
      if (isFinalJob(job)) {
        this.storage.removeItem(this.propagationKey);
        return;
      }
      await this.followPropagation({ ...saved, job, cancelling: false });
    } catch {
      this.storage.removeItem(this.propagationKey);
    }
  }

  async cancelPropagation(): Promise<void> {
    const propagation = this.state.propagation;
    if (!propagation || propagation.job.id === '' || propagation.cancelling) return;
    this.set({ propagation: { ...propagation, cancelling: true } });
    try {
      const job = await this.api.cancelJob(propagation.job.id);
      if (this.state.propagation) this.set({ propagation: { ...this.state.propagation, job } });
    } catch (error) {
      this.set({ error: `Could not cancel: ${describe(error)}` });
    }
  }

  // --- messages

  dismissError(): void {
    this.set({ error: null });
  }

  private flash(notice: string): void {
    this.set({ notice });
    if (this.noticeTimer) clearTimeout(this.noticeTimer);
    this.noticeTimer = setTimeout(() => this.set({ notice: null }), 4000);
  }
}
