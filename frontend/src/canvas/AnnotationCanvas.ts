// The annotator's drawing surface: an imperative class (as CVAT's cvat-canvas) that owns a <canvas>
// and pointer input, and reports what the annotator did as events. Where the picture sits is
// ViewTransform's; what is drawn over it in screen pixels is overlay.ts's; masks are MaskLayers.
// React only mounts it and calls the setters; no React state changes per pointer move.
import type { BinaryMask } from '../core/rle';
import type { Box, PromptPoint } from '../core/editState';
import { paintStroke } from '../core/maskOps';
import { Emitter } from './emitter';
import { MaskLayer, parseColor, type Rgb } from './maskLayer';
import { drawBrushCursor, drawDragBox, drawPrompts } from './overlay';
import { pressMoved, pressResult, type Press } from './press';
import { ViewTransform } from './ViewTransform';

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


export class AnnotationCanvas {
  readonly element: HTMLCanvasElement;
  private readonly context: CanvasRenderingContext2D;
  private readonly events = new Emitter<CanvasEvents>();
  private readonly resizeObserver: ResizeObserver;
  private readonly cleanup: (() => void)[] = [];

  private image: CanvasImageSource | null = null;
  private imageWidth = 0;
  private imageHeight = 0;
  private readonly view = new ViewTransform();
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
    | ({ kind: 'press' } & Press)
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
    this.view.fitted = false;
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
    if (this.view.fit(this.imageWidth, this.imageHeight, width, height)) this.afterZoom();
  }

  /** Zooms by `factor` keeping the screen point (sx, sy) fixed; the canvas centre by default. */
  zoom(factor: number, sx?: number, sy?: number): void {
    const { width, height } = this.cssSize();
    this.view.zoom(factor, sx ?? width / 2, sy ?? height / 2);
    this.afterZoom();
  }

  pan(dx: number, dy: number): void {
    this.view.pan(dx, dy);
    this.requestDraw();
  }

  /** Outlines are drawn in image pixels, so they thicken when zoomed out to stay visible. */
  private afterZoom(): void {
    const width = Math.max(1, Math.min(12, Math.round(1.5 / this.view.scale)));
    if (width !== this.outlineWidth) {
      this.outlineWidth = width;
      this.workingLayer.outlineWidth = width;
      this.savedLayer.outlineWidth = width;
      this.proposalLayer.outlineWidth = width;
      this.workingLayer.invalidate();
      this.renderSaved();
      if (this.proposals.length) this.renderProposals();
    }
    this.events.emit('view', { scale: this.view.scale });
    this.requestDraw();
  }

  get viewScale(): number {
    return this.view.scale;
  }

  /** Screen (CSS px relative to the canvas) to image pixel coordinates. */
  toImage(sx: number, sy: number): [number, number] {
    return this.view.toImage(sx, sy);
  }

  toScreen(ix: number, iy: number): [number, number] {
    return this.view.toScreen(ix, iy);
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
    if (g?.kind === 'press') pressMoved(g, p.x, p.y, this.tool === 'prompt');
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
    const result = pressResult(g, p, this.tool, (x, y) => this.toImage(x, y), this.imageWidth, this.imageHeight);
    if (g.dragging) this.requestDraw();
    if (result?.kind === 'box') this.events.emit('box', result.box);
    else if (result?.kind === 'point') this.events.emit('point', { x: result.x, y: result.y, label: result.label });
    else if (result?.kind === 'select') {
      const saved = this.maskAt(this.savedMasks, result.x, result.y);
      const proposal = saved === null ? this.maskAt(this.proposals, result.x, result.y) : null;
      this.events.emit('select', { maskId: saved ?? proposal, proposal: proposal !== null });
    }
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
    if (!this.view.fitted || !this.view.moved) this.fit();
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
    const { scale, offsetX, offsetY } = this.view;
    this.element.dataset.view = `${scale} ${offsetX} ${offsetY}`;
    const ctx = this.context;
    const ratio = window.devicePixelRatio || 1;
    ctx.setTransform(1, 0, 0, 1, 0, 0);
    ctx.fillStyle = '#1b1d21';
    ctx.fillRect(0, 0, this.element.width, this.element.height);
    if (!this.image) return;
    ctx.setTransform(ratio * scale, 0, 0, ratio * scale, ratio * offsetX, ratio * offsetY);
    // Pixels stay crisp when zoomed in, so brush fixes can be judged pixel by pixel.
    ctx.imageSmoothingEnabled = scale < 2;
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
    drawPrompts(ctx, this.points, this.box, (x, y) => this.toScreen(x, y));
    const g = this.gesture;
    if (g?.kind === 'press' && g.dragging && this.pointer) drawDragBox(ctx, { x: g.startX, y: g.startY }, this.pointer);
    if ((this.tool === 'brush' || this.tool === 'eraser') && this.pointer && !this.spaceHeld) {
      drawBrushCursor(ctx, this.pointer, this.brushRadius * scale, this.tool === 'eraser');
    }
  }
}
