// Masks rendered once into an image-sized offscreen canvas (fill + outline), then drawn with the
// view transform, so zoom and pan cost one drawImage instead of touching every pixel.
import type { BinaryMask } from '../core/rle';

export type Rgb = [number, number, number];

/** `dashed`: an automatic proposal, drawn lighter with a dashed outline so it reads as not yet kept. */
export interface LayerMask {
  mask: BinaryMask; color: Rgb; emphasis: boolean; dashed?: boolean;
  /** COCO [x, y, w, h] when known: only that window is scanned (many small proposals stay cheap). */
  bbox?: [number, number, number, number];
}

const FILL_ALPHA = 0.38;
const FILL_ALPHA_EMPHASIS = 0.5;
const FILL_ALPHA_DASHED = 0.14;
const FILL_ALPHA_DASHED_EMPHASIS = 0.42;
/** Dash length in image pixels along the outline (diagonal stripes cut any edge into dashes). */
const DASH = 4;

export function parseColor(color: string): Rgb {
  const hex = color.trim().replace(/^#/, '');
  if (/^[0-9a-f]{3}$/i.test(hex)) return [0, 1, 2].map((i) => parseInt(hex[i] + hex[i], 16)) as Rgb;
  if (/^[0-9a-f]{6}$/i.test(hex)) return [0, 2, 4].map((i) => parseInt(hex.slice(i, i + 2), 16)) as Rgb;
  return [30, 144, 255];
}

export class MaskLayer {
  private surface: HTMLCanvasElement | null = null;
  private pixels: ImageData | null = null;
  private stale = false;
  /** Outline thickness in image pixels. */
  outlineWidth = 1;

  get isStale(): boolean {
    return this.stale;
  }

  invalidate(): void {
    this.stale = true;
  }

  canvas(): HTMLCanvasElement | null {
    return this.surface;
  }

  render(masks: LayerMask[]): void {
    this.stale = false;
    if (masks.length === 0) {
      this.surface = null;
      return;
    }
    const { width: w, height: h } = masks[0].mask;
    if (!this.surface || this.surface.width !== w || this.surface.height !== h) {
      this.surface = document.createElement('canvas');
      this.surface.width = w;
      this.surface.height = h;
    }
    const context = this.surface.getContext('2d');
    if (!context) return;
    if (!this.pixels || this.pixels.width !== w || this.pixels.height !== h) this.pixels = context.createImageData(w, h);
    const pixels = this.pixels;
    const rgba = new Uint32Array(pixels.data.buffer);
    rgba.fill(0);
    // Little-endian RGBA packed as ABGR in a Uint32.
    const pack = (c: Rgb, alpha: number) => ((Math.round(alpha * 255) << 24) | (c[2] << 16) | (c[1] << 8) | c[0]) >>> 0;
    const t = Math.max(1, Math.round(this.outlineWidth));
    const dash = Math.max(DASH, 3 * t);
    for (const { mask, color, emphasis, dashed, bbox } of masks) {
      if (mask.width !== w || mask.height !== h) continue;
      const fill = dashed
        ? pack(color, emphasis ? FILL_ALPHA_DASHED_EMPHASIS : FILL_ALPHA_DASHED)
        : pack(color, emphasis ? FILL_ALPHA_EMPHASIS : FILL_ALPHA);
      const edge = emphasis ? pack([255, 255, 255], 1) : pack(color, 1);
      // Dashed: the gaps of a selected proposal are dark (white / black ants), of the others just fill.
      const gap = dashed && emphasis ? pack([0, 0, 0], 1) : fill;
      const data = mask.data;
      const [x0, y0, x1, y1] = bbox && bbox[2] > 0 && bbox[3] > 0
        ? [Math.max(0, Math.floor(bbox[0])), Math.max(0, Math.floor(bbox[1])),
          Math.min(w, Math.ceil(bbox[0] + bbox[2])), Math.min(h, Math.ceil(bbox[1] + bbox[3]))]
        : [0, 0, w, h];
      for (let y = y0; y < y1; y++) {
        const row = y * w;
        const nearTopOrBottom = y < t || y >= h - t;
        for (let x = x0; x < x1; x++) {
          const i = row + x;
          if (!data[i]) continue;
          // A pixel is on the outline when a pixel t away (4 directions) is outside the mask.
          const border = nearTopOrBottom || x < t || x >= w - t
            || !data[i - t] || !data[i + t] || !data[i - t * w] || !data[i + t * w];
          if (!border) rgba[i] = fill;
          else rgba[i] = dashed && Math.floor((x + y) / dash) % 2 === 1 ? gap : edge;
        }
      }
    }
    context.putImageData(pixels, 0, 0);
  }
}

/** A small preview of one candidate over the image, for the side-by-side chooser. */
export function renderThumbnail(
  image: CanvasImageSource, width: number, height: number, mask: BinaryMask, color: Rgb, target: HTMLCanvasElement,
  crop?: [number, number, number, number],
): void {
  const [cx, cy, cw, ch] = crop ?? [0, 0, width, height];
  const scale = Math.min(target.width / cw, target.height / ch);
  const context = target.getContext('2d');
  if (!context) return;
  context.fillStyle = '#111';
  context.fillRect(0, 0, target.width, target.height);
  const dx = (target.width - cw * scale) / 2;
  const dy = (target.height - ch * scale) / 2;
  context.drawImage(image, cx, cy, cw, ch, dx, dy, cw * scale, ch * scale);
  const layer = new MaskLayer();
  layer.render([{ mask, color, emphasis: true }]);
  const overlay = layer.canvas();
  if (overlay) context.drawImage(overlay, cx, cy, cw, ch, dx, dy, cw * scale, ch * scale);
}
