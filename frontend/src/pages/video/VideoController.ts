// The video annotator's logic, outside React (as AnnotatorController for images): opens the video's
// session (waiting for frame extraction), turns canvas events into stored prompts (clicks / box per
// object and frame, brushed masks, removals) sent one after the other, and keeps the masklets as the
// jobs write them. Frames and playback are FramePlayer's, propagation is Propagation's, the server
// is behind a VideoSessionClient. React subscribes to the view.
import type { ApiClient } from '../../core/api';
import { errorMessage } from '../../core/apiErrors';
import type { MaskletsAnswer, PropagateDirection } from '../../core/apiTypes';
import { nextBrushRadius } from '../../core/brush';
import { rleArea } from '../../core/rle';
import { readJson, writeJson, type KeyValueStorage } from '../../core/storage';
import { clampFrame, MaskletStore, objectColor, PromptLog, type FramePrompts } from '../../core/video';
import { ViewStore } from '../../core/viewStore';
import type { AnnotationCanvas, Tool } from '../../canvas/AnnotationCanvas';
import { FrameBrush } from './FrameBrush';
import { FramePlayer } from './FramePlayer';
import { categoryField, ObjectList } from './objects';
import { Propagation } from './Propagation';
import { PromptQueue } from './PromptQueue';
import { openWhenExtracted, PushedSessionClient, type VideoSessionClient } from './sessionClient';
import { initialVideoView, NO_PROMPTS, type VideoView } from './videoView';

export type { PropagationView, VideoView } from './videoView';
export type { SaveState } from './PromptQueue';

const describe = (error: unknown) => errorMessage(error, 'The server cannot be reached. Try again.');

export class VideoController extends ViewStore<VideoView> {
  readonly store = new MaskletStore();
  readonly client: VideoSessionClient;
  private readonly player: FramePlayer;
  private readonly propagation: Propagation;
  private readonly queue: PromptQueue;
  private readonly brush = new FrameBrush();
  readonly objects: ObjectList;
  private readonly prompts: PromptLog;
  private readonly promptKey: string;
  private canvas: AnnotationCanvas | null = null;
  private canvasOff: (() => void)[] = [];
  private shownFrame = -1;
  private noticeTimer: ReturnType<typeof setTimeout> | null = null;

  /** `server`: the REST API (with the session's pushed events), or any VideoSessionClient (a fake in tests). */
  constructor(server: ApiClient | VideoSessionClient, readonly videoId: number, private readonly storage: KeyValueStorage = window.localStorage) {
    super(initialVideoView());
    this.client = 'frameBitmap' in server ? server : new PushedSessionClient(server, videoId);
    this.promptKey = `segdata.video.${videoId}.prompts`;
    this.prompts = new PromptLog(readJson<Record<string, FramePrompts>>(storage, this.promptKey) ?? {});
    this.player = new FramePlayer((frame) => this.client.frameBitmap(frame), {
      goTo: (frame) => this.goTo(frame),
      frame: () => this.state.frame,
      fps: () => this.state.video?.annotation_fps ?? 6,
      playingChanged: (playing) => this.set({ playing }),
    });
    this.objects = new ObjectList({
      store: this.store,
      view: this.getView,
      set: (patch) => this.set(patch),
      leaveEdit: () => { if (this.brush.current) this.applyBrush(); },
      dropEdit: (objId) => { if (this.brush.current?.objId === objId) this.discardBrush(); },
      promptsOf: (objId) => this.currentPrompts(this.state.frame, objId),
      forgetPrompts: (objId) => { this.prompts.clearObject(objId); this.savePromptLog(); },
      storeChanged: () => this.storeChanged(),
      redraw: () => this.renderMasks(),
      sendRemoval: (objId) => this.queue.send({ kind: 'remove', frame: this.state.frame, obj_id: objId }, `Object ${objId} removed.`),
    });
    this.queue = new PromptQueue({
      client: this.client,
      session: () => this.state.session,
      saveState: (saveState, message) => this.set({ saveState, saveMessage: message ?? null }),
      applied: () => {
        this.set({ savedOps: this.state.savedOps + 1 });
        if (!this.state.session?.tracker_version) void this.refreshSession();
      },
      sent: (prompt) => { if (prompt.category !== undefined) this.objects.categorySent(prompt.obj_id); },
      failed: (message) => this.set({ error: message }),
      flash: (notice) => this.flash(notice),
      merge: (answer, full) => this.mergeMasklets(answer, full),
      cursor: () => this.store.cursor,
      alive: () => this.alive,
      describe,
    });
    this.propagation = new Propagation({
      client: this.client,
      sessionId: () => this.state.session?.id ?? null,
      current: () => this.state.propagation,
      show: (propagation) => this.set(propagation ? { propagation, error: null } : { propagation }),
      flash: (notice) => this.flash(notice),
      error: (message) => this.set({ error: message }),
      send: (sessionId, start, direction, objIds) => this.queue.submit(sessionId, { op: 'propagate', start, direction, objIds }),
      follow: (job, onProgress) => this.queue.follow(job, onProgress),
      reloadMasklets: () => this.queue.refresh(true),
    }, videoId, storage);
  }

  private get state(): VideoView {
    return this.getView();
  }

  get frameCount(): number {
    return this.player.count;
  }

  private storeChanged(): void {
    this.brush.forgetUnpainted();
    this.set({ storeVersion: this.store.version, objects: this.store.list() });
    this.renderMasks();
  }

  // --- lifecycle

  async load(): Promise<void> {
    try {
      let video = await this.client.video();
      const project = await this.client.project(video.project).catch(() => null);
      this.set({ video, project });
      const opened = await openWhenExtracted(this.client, video, {
        extracting: (current) => this.set({ status: 'extracting', video: current }), alive: () => this.alive,
      });
      if (!opened || !this.alive) return;
      const { session } = opened;
      video = opened.video;
      const [frames, answer] = await Promise.all([this.client.frames(), this.client.masklets()]);
      this.player.setFrames(frames);
      this.store.merge(answer, true);
      const first = this.store.list()[0]?.objId ?? null;
      this.set({ status: 'ready', video, session, frames: this.player.list, selectedObj: first, storeVersion: this.store.version, objects: this.store.list() });
      this.client.listen?.(session.id, {
        onMasklets: (pushed) => this.mergeMasklets(pushed, false),
        resync: () => void this.queue.refresh(false).catch(() => undefined),
        alive: () => this.alive,
      });
      this.attach();
      void this.propagation.resume();
      await this.goTo(0);
    } catch (error) {
      this.set({ status: 'error', loadError: describe(error) });
    }
  }

  dispose(): void {
    this.client.close?.();
    this.player.dispose();
    for (const off of this.canvasOff) off();
    this.close();
    if (this.noticeTimer) clearTimeout(this.noticeTimer);
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
      canvas.on('strokestart', () => this.pause()),
      canvas.on('strokeend', () => this.commitStroke()),
      canvas.on('select', ({ maskId }) => { if (maskId !== null) this.objects.select(maskId); }),
    ];
    void this.showFrame(this.state.frame);
  }

  // --- frames and playback

  /** Moves to `frame`; brushed edits on the frame being left are sent first. */
  async goTo(frame: number): Promise<void> {
    const target = clampFrame(frame, this.frameCount);
    if (this.brush.current && this.brush.current.frame !== target) this.applyBrush();
    this.set({ frame: target, prompts: this.currentPrompts(target) });
    await this.showFrame(target);
  }

  step(delta: number): void {
    this.pause();
    void this.goTo(this.state.frame + delta);
  }

  togglePlay(): void {
    if (!this.player.playing && this.brush.current) this.applyBrush();
    this.player.toggle();
  }

  pause(): void {
    this.player.pause();
  }

  private async showFrame(index: number): Promise<void> {
    if (this.state.status !== 'ready') return;
    this.player.prefetch(index);
    if (!this.player.has(index)) this.set({ frameLoading: true });
    try {
      const bitmap = await this.player.bitmap(index);
      if (!this.alive || this.state.frame !== index) return;
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

  // --- drawing

  private renderMasks(): void {
    const { tool, selectedObj, frame, video, prompts } = this.state;
    const brushing = (tool === 'brush' || tool === 'eraser') && selectedObj !== null && this.store.has(selectedObj);
    this.brush.sync(brushing, selectedObj, frame, () => this.store.pixels(selectedObj ?? 0, frame), [video?.width ?? 0, video?.height ?? 0]);
    const canvas = this.canvas;
    if (!canvas || this.shownFrame !== frame) return;
    const edit = this.brush.current?.frame === frame ? this.brush.current : null;
    canvas.setSavedMasks(this.store.views(frame, selectedObj, edit?.objId ?? null), selectedObj);
    canvas.setWorkingMask(edit ? edit.strokes.mask : null, edit ? objectColor(edit.objId) : undefined);
    canvas.setPrompts(prompts.points.map(([x, y], i) => ({ x, y, label: prompts.labels[i] })), prompts.box);
  }

  private currentPrompts(frame = this.state.frame, objId = this.state.selectedObj): FramePrompts {
    return objId === null ? NO_PROMPTS : this.prompts.get(objId, frame);
  }

  private savePromptLog(): void {
    // A full storage only loses the click markers; the prompts themselves are on the server.
    writeJson(this.storage, this.promptKey, this.prompts.toJSON());
  }

  // --- tools and prompts

  setTool(tool: Tool): void {
    if ((tool === 'prompt' || tool === 'select') && this.brush.dirty) this.applyBrush();
    this.set({ tool });
    this.canvas?.setTool(tool);
    // Brushing with no object selected paints a new one.
    if (tool === 'brush') this.objects.target();
    this.renderMasks();
  }

  resizeBrush(factor: number): void {
    const radius = nextBrushRadius(this.state.brushRadius, factor);
    this.set({ brushRadius: radius });
    this.canvas?.setBrushRadius(radius);
  }

  async addPoint(x: number, y: number, label: 0 | 1): Promise<void> {
    this.pause();
    const objId = this.objects.target();
    const frame = this.state.frame;
    await this.sendPrompts(objId, frame, this.prompts.addPoint(objId, frame, x, y, label));
  }

  async setBox(box: [number, number, number, number]): Promise<void> {
    this.pause();
    const objId = this.objects.target();
    const frame = this.state.frame;
    await this.sendPrompts(objId, frame, this.prompts.setBox(objId, frame, box));
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
    await this.queue.send({
      kind: 'points', frame, obj_id: objId, points: prompts.points, labels: prompts.labels,
      ...(prompts.box ? { box: prompts.box } : {}), ...categoryField(this.store, this.state.pendingCategory, objId),
    });
  }

  // --- brush and eraser

  private commitStroke(): void {
    const dirty = this.brush.commitStroke();
    this.set({ brushDirty: dirty, canUndo: dirty });
  }

  /** Undo: a brush stroke not sent yet, else the last click on this frame. */
  undo(): void {
    const edit = this.brush.current;
    if (edit && this.brush.undo()) {
      this.canvas?.setWorkingMask(edit.strokes.mask, objectColor(edit.objId));
      this.set({ brushDirty: this.brush.dirty, canUndo: this.brush.dirty });
      if (!this.brush.dirty) this.discardBrush();
      return;
    }
    void this.undoClick();
  }

  discardBrush(): void {
    this.brush.discard();
    this.set({ brushDirty: false, canUndo: false });
    this.renderMasks();
  }

  /** Sends the brushed mask of (object, frame) as a "mask" prompt; it shows at once. */
  applyBrush(): void {
    const brushed = this.brush.take();
    this.set({ brushDirty: false, canUndo: false });
    if (!brushed) {
      this.renderMasks();
      return;
    }
    const { objId, frame, rle } = brushed;
    this.store.setOptimistic(objId, frame, rle);
    this.prompts.clearFrame(objId, frame);
    this.savePromptLog();
    if (this.state.selectedObj === objId && this.state.frame === frame) this.set({ prompts: this.currentPrompts() });
    this.storeChanged();
    const field = categoryField(this.store, this.state.pendingCategory, objId);
    void this.queue.send({ kind: 'mask', frame, obj_id: objId, rle, ...field },
      rleArea(rle) === 0 ? 'Saved (empty mask on this frame).' : undefined);
  }

  // --- masklets

  /** Reads the masklets (all of them with `full`, else those written since the last read). */
  refreshMasklets(full: boolean): Promise<void> {
    return this.queue.refresh(full);
  }

  private mergeMasklets(answer: MaskletsAnswer, full: boolean): void {
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
      const session = await this.client.openSession();
      if (session) this.set({ session });
    } catch {
      // informative only
    }
  }

  // --- propagation

  async propagate(direction: PropagateDirection, scope: 'all' | 'selected'): Promise<void> {
    if (!this.state.session || this.state.propagation) return;
    this.pause();
    if (this.brush.current) this.applyBrush();
    const selected = this.state.selectedObj;
    if (scope === 'selected' && (selected === null || this.store.get(selected)?.local)) {
      this.flash('Prompt the selected object on a frame first.');
      return;
    }
    await this.propagation.start(this.state.frame, direction, scope, scope === 'selected' && selected !== null ? [selected] : undefined);
  }

  cancelPropagation(): Promise<void> {
    return this.propagation.cancel();
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
