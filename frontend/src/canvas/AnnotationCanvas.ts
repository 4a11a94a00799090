// The annotator's drawing surface: an imperative class (as CVAT's cvat-canvas) that owns a <canvas>,
// the view transform and pointer input, and reports what the annotator did as events.
// React only mounts it and calls the setters; no React state changes per pointer move.
import type { BinaryMask } from '../core/rle';
import type { Box, PromptPoint } from '../core/editState';
import { paintStroke } from '../core/maskOps';
import { Emitter } from './emitter';
import { MaskLayer, parseColor, type Rgb } from './maskLayer';

export type Tool = 'prompt' | 'brush' | 'eraser' | 'select';

export interface CanvasEvents {
  /** A click: label 1 = positive (left), 0 = negative (right or shift+left). Image pixels. */
  point: PromptPoint;
  /** A box dragged with the prompt tool, [x0, y0, x1, y1] in image pixels. */
  box: Box;
  /** A brush / eraser stroke began: the page snapshots the mask for undo. */
  strokestart: { tool: 'brush' | 'eraser' };
  /** A stroke ended; the working mask (the one passed to setWorkingMask) was changed in place. */
  strokeend: { tool: 'brush' | 'eraser' };
  /** A click with the select tool on a saved mask or a proposal (null when on none). */
  select: { maskId: number | null; proposal: boolean };
  /** Zoom changed (scale = screen px per image px). */
  view: { scale: number };
}

export interface SavedMaskView { id: number; mask: BinaryMask; color: string; bbox?: [number, number, number, number] }

const DRAG_THRESHOLD_PX = 4;
const MIN_SCALE = 0.05;
const MAX_SCALE = 40;

export class AnnotationCanvas {
  readonly element: HTMLCanvasElement;
  private readonly context: CanvasRenderingContext2D;
  private readonly events = new Emitter<CanvasEvents>();
  private readonly resizeObserver: ResizeObserver;
  private readonly cleanup: (() => void)[] = [];

  private image: CanvasImageSource | null = null;
  private imageWidth = 0;
  private imageHeight = 0;
  private scale = 1;
  private offsetX = 0;
  private offsetY = 0;
  private fitted = false;
  /** Once the annotator zooms or pans, a resize keeps their view instead of fitting again. */
  private viewMoved = false;
  private outlineWidth = 1;

  private readonly workingLayer = new MaskLayer();
  private readonly savedLayer = new MaskLayer();
  private readonly proposalLayer = new MaskLayer();
  private proposals: SavedMaskView[] = [];
  private selectedProposalId: number | null = null;
  private workingMask: BinaryMask | null = null;
  private workingColor: Rgb = [30, 144, 255];
  private savedMasks: SavedMaskView[] = [];
  private selectedMaskId: number | null = null;
  private points: PromptPoint[] = [];
  private box: Box | null = null;

  private tool: Tool = 'prompt';
  private brushRadius = 8;
  private spaceHeld = false;
  private pointer: { x: number; y: number } | null = null; // screen px within the canvas
  private gesture:
    | { kind: 'pan'; lastX: number; lastY: number }
    | { kind: 'press'; startX: number; startY: number; button: number; shift: boolean; dragging: boolean }
    | { kind: 'stroke'; tool: 'brush' | 'eraser'; last: [number, number] }
    | null = null;
  private frameRequested = false;

  constructor(private readonly container: HTMLElement) {
    this.element = document.createElement('canvas');
    this.element.className = 'annotation-canvas';
    this.element.tabIndex = 0;
    this.element.setAttribute('aria-label', 'image being annotated');
    this.element.style.touchAction = 'none';
    container.appendChild(this.element);
    const context = this.element.getContext('2d');
    if (!context) throw new Error('2D canvas is not available');
    this.context = context;

    this.listen(this.element, 'pointerdown', (e) => this.onPointerDown(e as PointerEvent));
    this.listen(window, 'pointermove', (e) => this.onPointerMove(e as PointerEvent));
    this.listen(window, 'pointerup', (e) => this.onPointerUp(e as PointerEvent));
    this.listen(this.element, 'pointerleave', () => { this.pointer = null; this.requestDraw(); });
    this.listen(this.element, 'wheel', (e) => this.onWheel(e as WheelEvent), { passive: false });
    this.listen(this.element, 'contextmenu', (e) => e.preventDefault());
    this.listen(window, 'keydown', (e) => this.onKey(e as KeyboardEvent, true));
    this.listen(window, 'keyup', (e) => this.onKey(e as KeyboardEvent, false));
    this.listen(window, 'blur', () => { this.spaceHeld = false; this.updateCursor(); });
    this.resizeObserver = new ResizeObserver(() => this.resize());
    this.resizeObserver.observe(container);
    this.resize();
  }

  on<K extends keyof CanvasEvents>(name: K, handler: (payload: CanvasEvents[K]) => void): () => void {
    return this.events.on(name, handler);
  }

  destroy(): void {
    this.resizeObserver.disconnect();
    for (const undo of this.cleanup) undo();
    this.events.clear();
    this.element.remove();
  }

  // --- content

  setImage(image: CanvasImageSource | null, width = 0, height = 0): void {
    this.image = image;
    this.imageWidth = width;
    this.imageHeight = height;
    this.fitted = false;
    this.viewMoved = false;
    this.fit();
  }

  /** Another picture of the same size (the next video frame): zoom and pan stay as they are. */
  swapImage(image: CanvasImageSource, width: number, height: number): void {
    if (!this.image || width !== this.imageWidth || height !== this.imageHeight) {
      this.setImage(image, width, height);
      return;
    }
    this.image = image;
    this.requestDraw();
  }

  /** The mask being edited; brush and eraser write into `mask.data` in place. */
  setWorkingMask(mask: BinaryMask | null, color?: string): void {
    this.workingMask = mask;
    if (color) this.workingColor = parseColor(color);
    this.workingLayer.render(mask ? [{ mask, color: this.workingColor, emphasis: true }] : []);
    this.requestDraw();
  }

  setSavedMasks(masks: SavedMaskView[], selectedId: number | null = null): void {
    this.savedMasks = masks;
    this.selectedMaskId = selectedId;
    this.renderSaved();
  }

  setSelectedMask(id: number | null): void {
    if (id === this.selectedMaskId) return;
    this.selectedMaskId = id;
    this.renderSaved();
  }

  /** Automatic proposals waiting for a decision: drawn dashed and lighter, above the saved masks. */
  setProposals(masks: SavedMaskView[], selectedId: number | null = null): void {
    this.proposals = masks;
    this.selectedProposalId = selectedId;
    this.renderProposals();
  }

  setPrompts(points: PromptPoint[], box: Box | null): void {
    this.points = points;
    this.box = box;
    this.requestDraw();
  }

  setTool(tool: Tool): void {
    this.tool = tool;
    this.updateCursor();
    this.requestDraw();
  }

  setBrushRadius(radius: number): void {
    this.brushRadius = Math.max(1, Math.min(200, radius));
    this.requestDraw();
  }

  get brushSize(): number {
    return this.brushRadius;
  }

  // --- view

  /** Shows the whole image centred. */
  fit(): void {
    const { width, height } = this.cssSize();
    if (!this.imageWidth || !width || !height) return;
    this.scale = Math.min(width / this.imageWidth, height / this.imageHeight) * 0.98;
    this.offsetX = (width - this.imageWidth * this.scale) / 2;
    this.offsetY = (height - this.imageHeight * this.scale) / 2;
    this.fitted = true;
    this.viewMoved = false;
    this.afterZoom();
  }

  /** Zooms by `factor` keeping the screen point (sx, sy) fixed; the canvas centre by default. */
  zoom(factor: number, sx?: number, sy?: number): void {
    const { width, height } = this.cssSize();
    const cx = sx ?? width / 2;
    const cy = sy ?? height / 2;
    const next = Math.min(MAX_SCALE, Math.max(MIN_SCALE, this.scale * factor));
    const [ix, iy] = this.toImage(cx, cy);
    this.scale = next;
    this.offsetX = cx - ix * next;
    this.offsetY = cy - iy * next;
    this.viewMoved = true;
    this.afterZoom();
  }

  pan(dx: number, dy: number): void {
    this.offsetX += dx;
    this.offsetY += dy;
    this.viewMoved = true;
    this.requestDraw();
  }

  /** Outlines are drawn in image pixels, so they thicken when zoomed out to stay visible. */
  private afterZoom(): void {
    const width = Math.max(1, Math.min(12, Math.round(1.5 / this.scale)));
    if (width !== this.outlineWidth) {
      this.outlineWidth = width;
      this.workingLayer.outlineWidth = width;
      this.savedLayer.outlineWidth = width;
      this.proposalLayer.outlineWidth = width;
      this.workingLayer.invalidate();
      this.renderSaved();
      if (this.proposals.length) this.renderProposals();
    }
    this.events.emit('view', { scale: this.scale });
    this.requestDraw();
  }

  get viewScale(): number {
    return this.scale;
  }

  /** Screen (CSS px relative to the canvas) to image pixel coordinates. */
  toImage(sx: number, sy: number): [number, number] {
    return [(sx - this.offsetX) / this.scale, (sy - this.offsetY) / this.scale];
  }

  toScreen(ix: number, iy: number): [number, number] {
    return [ix * this.scale + this.offsetX, iy * this.scale + this.offsetY];
  }

  // --- input

  private listen(
    target: EventTarget, name: string, handler: (e: Event) => void, options?: AddEventListenerOptions,
  ): void {
    target.addEventListener(name, handler, options);
    this.cleanup.push(() => target.removeEventListener(name, handler, options));
  }

  private local(e: MouseEvent): { x: number; y: number } {
    const rect = this.element.getBoundingClientRect();
    return { x: e.clientX - rect.left, y: e.clientY - rect.top };
  }

  private clampToImage(ix: number, iy: number): [number, number] {
    return [
      Math.min(this.imageWidth - 1, Math.max(0, Math.floor(ix))),
      Math.min(this.imageHeight - 1, Math.max(0, Math.floor(iy))),
    ];
  }

  private insideImage(ix: number, iy: number): boolean {
    return ix >= 0 && iy >= 0 && ix < this.imageWidth && iy < this.imageHeight;
  }

  private onPointerDown(e: PointerEvent): void {
    if (!this.image) return;
    this.element.focus({ preventScroll: true });
    const p = this.local(e);
    this.pointer = p;
    if (e.button === 1 || (e.button === 0 && this.spaceHeld)) {
      e.preventDefault();
      this.gesture = { kind: 'pan', lastX: e.clientX, lastY: e.clientY };
      this.updateCursor();
      return;
    }
    const [ix, iy] = this.toImage(p.x, p.y);
    if ((this.tool === 'brush' || this.tool === 'eraser') && e.button === 0) {
      if (!this.workingMask) return;
      const tool = this.tool;
      this.events.emit('strokestart', { tool });
      this.gesture = { kind: 'stroke', tool, last: [ix, iy] };
      this.paint([ix, iy]);
      return;
    }
    if (e.button === 0 || e.button === 2) {
      this.gesture = { kind: 'press', startX: p.x, startY: p.y, button: e.button, shift: e.shiftKey, dragging: false };
    }
  }

  private onPointerMove(e: PointerEvent): void {
    const p = this.local(e);
    const over = e.target === this.element;
    this.pointer = over || this.gesture ? p : null;
    const g = this.gesture;
    if (g?.kind === 'pan') {
      this.pan(e.clientX - g.lastX, e.clientY - g.lastY);
      g.lastX = e.clientX;
      g.lastY = e.clientY;
      return;
    }
    if (g?.kind === 'stroke') {
      this.paint(this.toImage(p.x, p.y));
      return;
    }
    if (g?.kind === 'press' && g.button === 0 && this.tool === 'prompt'
        && Math.hypot(p.x - g.startX, p.y - g.startY) > DRAG_THRESHOLD_PX) {
      g.dragging = true;
    }
    if (this.tool === 'brush' || this.tool === 'eraser' || g) this.requestDraw();
  }

  private onPointerUp(e: PointerEvent): void {
    const g = this.gesture;
    if (!g) return;
    this.gesture = null;
    const p = this.local(e);
    if (g.kind === 'pan') {
      this.updateCursor();
      return;
    }
    if (g.kind === 'stroke') {
      this.events.emit('strokeend', { tool: g.tool });
      return;
    }
    const [ix, iy] = this.toImage(p.x, p.y);
    if (g.dragging) {
      const [sx, sy] = this.toImage(g.startX, g.startY);
      const [x0, y0] = this.clampToImage(Math.min(ix, sx), Math.min(iy, sy));
      const [x1, y1] = this.clampToImage(Math.max(ix, sx), Math.max(iy, sy));
      if (x1 > x0 && y1 > y0) this.events.emit('box', [x0, y0, x1, y1]);
      this.requestDraw();
      return;
    }
    if (!this.insideImage(ix, iy)) return;
    const [x, y] = this.clampToImage(ix, iy);
    if (this.tool === 'select') {
      const saved = this.maskAt(this.savedMasks, x, y);
      const proposal = saved === null ? this.maskAt(this.proposals, x, y) : null;
      this.events.emit('select', { maskId: saved ?? proposal, proposal: proposal !== null });
      return;
    }
    if (this.tool !== 'prompt') return;
    const negative = g.button === 2 || g.shift;
    this.events.emit('point', { x, y, label: negative ? 0 : 1 });
  }

  private onWheel(e: WheelEvent): void {
    e.preventDefault();
    const p = this.local(e);
    // Trackpads send small deltas; a notch of a wheel is about 100.
    const factor = Math.exp(-e.deltaY * (e.deltaMode === 1 ? 0.05 : 0.0015));
    this.zoom(factor, p.x, p.y);
  }

  private onKey(e: KeyboardEvent, down: boolean): void {
    if (e.code !== 'Space') return;
    const target = e.target as HTMLElement | null;
    if (target && (target.tagName === 'INPUT' || target.tagName === 'TEXTAREA' || target.tagName === 'SELECT' || target.tagName === 'BUTTON')) return;
    e.preventDefault();
    this.spaceHeld = down;
    this.updateCursor();
  }

  private paint(at: [number, number]): void {
    const g = this.gesture;
    if (g?.kind !== 'stroke' || !this.workingMask) return;
    paintStroke(this.workingMask, g.last, at, this.brushRadius, g.tool === 'brush' ? 1 : 0);
    g.last = at;
    this.workingLayer.invalidate();
    this.requestDraw();
  }

  /** The topmost mask of `masks` under an image pixel. */
  private maskAt(masks: SavedMaskView[], x: number, y: number): number | null {
    for (let i = masks.length - 1; i >= 0; i--) {
      const { mask, id } = masks[i];
      if (mask.data[y * mask.width + x]) return id;
    }
    return null;
  }

  private updateCursor(): void {
    let cursor = 'crosshair';
    if (this.gesture?.kind === 'pan') cursor = 'grabbing';
    else if (this.spaceHeld) cursor = 'grab';
    else if (this.tool === 'brush' || this.tool === 'eraser') cursor = 'none';
    else if (this.tool === 'select') cursor = 'pointer';
    this.element.style.cursor = cursor;
  }

  // --- drawing

  private cssSize(): { width: number; height: number } {
    return { width: this.container.clientWidth, height: this.container.clientHeight };
  }

  private resize(): void {
    const { width, height } = this.cssSize();
    const ratio = window.devicePixelRatio || 1;
    this.element.width = Math.max(1, Math.round(width * ratio));
    this.element.height = Math.max(1, Math.round(height * ratio));
    this.element.style.width = `${width}px`;
    this.element.style.height = `${height}px`;
    if (!this.fitted || !this.viewMoved) this.fit();
    this.requestDraw();
  }

  private renderSaved(): void {
    this.savedLayer.render(this.savedMasks.map(({ id, mask, color, bbox }) => ({
      mask, color: parseColor(color), emphasis: id === this.selectedMaskId, bbox,
    })));
    this.requestDraw();
  }

  private renderProposals(): void {
    // The selected proposal last, so its outline is on top of overlapping ones.
    const ordered = [...this.proposals].sort((a, b) => Number(a.id === this.selectedProposalId) - Number(b.id === this.selectedProposalId));
    this.proposalLayer.render(ordered.map(({ id, mask, color, bbox }) => ({
      mask, color: parseColor(color), emphasis: id === this.selectedProposalId, dashed: true, bbox,
    })));
    this.requestDraw();
  }

  requestDraw(): void {
    if (this.frameRequested) return;
    this.frameRequested = true;
    requestAnimationFrame(() => {
      this.frameRequested = false;
      this.draw();
    });
  }

  private draw(): void {
    // The view transform, readable by browser tests that click at image coordinates.
    this.element.dataset.view = `${this.scale} ${this.offsetX} ${this.offsetY}`;
    const ctx = this.context;
    const ratio = window.devicePixelRatio || 1;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = '#1b1d21';
    ctx.fillRect(0, 0, this.element.width, this.element.height);
    if (!this.image) return;
    ctx.setTransform(ratio * this.scale, 0, 0, ratio * this.scale, ratio * this.offsetX, ratio * this.offsetY);
    // Pixels stay crisp when zoomed in, so brush fixes can be judged pixel by pixel.
    ctx.imageSmoothingEnabled = this.scale < 2;
    ctx.drawImage(this.image, 0, 0, this.imageWidth, this.imageHeight);
    ctx.imageSmoothingEnabled = false;
    const saved = this.savedLayer.canvas();
    if (saved) ctx.drawImage(saved, 0, 0);
    const proposals = this.proposalLayer.canvas();
    if (proposals) ctx.drawImage(proposals, 0, 0);
    if (this.workingMask) {
      if (this.workingLayer.isStale) {
        this.workingLayer.render([{ mask: this.workingMask, color: this.workingColor, emphasis: true }]);
      }
      const working = this.workingLayer.canvas();
      if (working) ctx.drawImage(working, 0, 0);
    }
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    this.drawPrompts(ctx);
    this.drawGesture(ctx);
  }

  private drawPrompts(ctx: CanvasRenderingContext2D): void {
    if (this.box) {
      const [x0, y0] = this.toScreen(this.box[0], this.box[1]);
      const [x1, y1] = this.toScreen(this.box[2] + 1, this.box[3] + 1);
      ctx.strokeStyle = '#ffd400';
      ctx.lineWidth = 2;
      ctx.setLineDash([6, 4]);
      ctx.strokeRect(x0, y0, x1 - x0, y1 - y0);
      ctx.setLineDash([]);
    }
    for (const point of this.points) {
      const [sx, sy] = this.toScreen(point.x + 0.5, point.y + 0.5);
      ctx.beginPath();
      ctx.arc(sx, sy, 6, 0, Math.PI * 2);
      ctx.fillStyle = point.label ? '#22c55e' : '#ef4444';
      ctx.fill();
      ctx.lineWidth = 2;
      ctx.strokeStyle = '#ffffff';
      ctx.stroke();
      ctx.fillStyle = '#ffffff';
      ctx.fillRect(sx - 3, sy - 1, 6, 2);
      if (point.label) ctx.fillRect(sx - 1, sy - 3, 2, 6);
    }
  }

  private drawGesture(ctx: CanvasRenderingContext2D): void {
    const g = this.gesture;
    if (g?.kind === 'press' && g.dragging && this.pointer) {
      ctx.strokeStyle = '#ffd400';
      ctx.lineWidth = 1.5;
      ctx.strokeRect(g.startX, g.startY, this.pointer.x - g.startX, this.pointer.y - g.startY);
    }
    if ((this.tool === 'brush' || this.tool === 'eraser') && this.pointer && !this.spaceHeld) {
      ctx.beginPath();
      ctx.arc(this.pointer.x, this.pointer.y, Math.max(2, this.brushRadius * this.scale), 0, Math.PI * 2);
      ctx.lineWidth = 1.5;
      ctx.strokeStyle = this.tool === 'brush' ? '#ffffff' : '#ff6b6b';
      ctx.stroke();
      if (this.tool === 'eraser') {
        ctx.setLineDash([3, 3]);
        ctx.strokeStyle = '#000000';
        ctx.stroke();
        ctx.setLineDash([]);
      }
    }
  }
}
