// Masks rendered once into an image-sized offscreen canvas (fill + outline), then drawn with the
// view transform, so zoom and pan cost one drawImage instead of touching every pixel.
import type { BinaryMask } from '../core/rle';

export type Rgb = [number, number, number];

export interface LayerMask { mask: BinaryMask; color: Rgb; emphasis: boolean }

const FILL_ALPHA = 0.38;
const FILL_ALPHA_EMPHASIS = 0.5;

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
    for (const { mask, color, emphasis } of masks) {
      if (mask.width !== w || mask.height !== h) continue;
      const fill = pack(color, emphasis ? FILL_ALPHA_EMPHASIS : FILL_ALPHA);
      const edge = emphasis ? pack([255, 255, 255], 1) : pack(color, 1);
      const data = mask.data;
      for (let y = 0; y < h; y++) {
        const row = y * w;
        const nearTopOrBottom = y < t || y >= h - t;
        for (let x = 0; x < w; x++) {
          const i = row + x;
          if (!data[i]) continue;
          // A pixel is on the outline when a pixel t away (4 directions) is outside the mask.
          const border = nearTopOrBottom || x < t || x >= w - t
            || !data[i - t] || !data[i + t] || !data[i - t * w] || !data[i + t * w];
          rgba[i] = border ? edge : fill;
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
