// Pixel edits on row-major binary masks: brush / eraser strokes and the outline drawn on the canvas.
import type { BinaryMask } from './rle';

/** Sets (value 1) or clears (value 0) a filled disc of `radius` pixels centred at (cx, cy). */
export function paintDisc(mask: BinaryMask, cx: number, cy: number, radius: number, value: 0 | 1): void {
  const { width: w, height: h, data } = mask;
  const r = Math.max(0.5, radius);
  const y0 = Math.max(0, Math.floor(cy - r));
  const y1 = Math.min(h - 1, Math.ceil(cy + r));
  for (let y = y0; y <= y1; y++) {
    const dy = y + 0.5 - cy;
    const half = Math.sqrt(Math.max(0, r * r - dy * dy));
    const x0 = Math.max(0, Math.ceil(cx - half - 0.5));
    const x1 = Math.min(w - 1, Math.floor(cx + half - 0.5));
    if (x1 >= x0) data.fill(value, y * w + x0, y * w + x1 + 1);
  }
}

/** A stroke from one pointer position to the next: discs spaced well under the radius. */
export function paintStroke(
  mask: BinaryMask, from: [number, number], to: [number, number], radius: number, value: 0 | 1,
): void {
  const dx = to[0] - from[0];
  const dy = to[1] - from[1];
  const steps = Math.max(1, Math.ceil(Math.hypot(dx, dy) / Math.max(0.5, radius / 3)));
  for (let i = 0; i <= steps; i++) paintDisc(mask, from[0] + (dx * i) / steps, from[1] + (dy * i) / steps, radius, value);
}

/** Pixels inside the mask with at least one 4-neighbour outside it (or on the image border). */
export function outline(mask: BinaryMask): Uint8Array {
  const { width: w, height: h, data } = mask;
  const edge = new Uint8Array(w * h);
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) {
      const i = row + x;
      if (!data[i]) continue;
      if (x === 0 || y === 0 || x === w - 1 || y === h - 1 || !data[i - 1] || !data[i + 1] || !data[i - w] || !data[i + w]) {
        edge[i] = 1;
      }
    }
  }
  return edge;
}

export function cloneMask(mask: BinaryMask): BinaryMask {
  return { width: mask.width, height: mask.height, data: new Uint8Array(mask.data) };
}

/** Bounding box [x0, y0, x1, y1] (inclusive) of the set pixels, or null for an empty mask. */
export function maskExtent(mask: BinaryMask): [number, number, number, number] | null {
  const { width: w, height: h, data } = mask;
  let x0 = w, y0 = h, x1 = -1, y1 = -1;
  for (let y = 0; y < h; y++) {
    const row = y * w;
    for (let x = 0; x < w; x++) {
      if (data[row + x]) {
        if (x < x0) x0 = x;
        if (x > x1) x1 = x;
        if (y < y0) y0 = y;
        y1 = y;
      }
    }
  }
  return x1 < 0 ? null : [x0, y0, x1, y1];
}
