// Where the picture sits on the canvas: a scale (screen px per image px) and an offset, changed by
// fitting, zooming at a point and panning. Plain numbers, no DOM: the canvas asks it to map points.

const MIN_SCALE = 0.05;
const MAX_SCALE = 40;

export class ViewTransform {
  scale = 1;
  offsetX = 0;
  offsetY = 0;
  /** Once the annotator zooms or pans, a resize keeps their view instead of fitting again. */
  moved = false;
  fitted = false;

  /** Shows a `width` x `height` picture whole and centred in a `viewWidth` x `viewHeight` view. */
  fit(width: number, height: number, viewWidth: number, viewHeight: number): boolean {
    if (!width || !height || !viewWidth || !viewHeight) return false;
    this.scale = Math.min(viewWidth / width, viewHeight / height) * 0.98;
    this.offsetX = (viewWidth - width * this.scale) / 2;
    this.offsetY = (viewHeight - height * this.scale) / 2;
    this.fitted = true;
    this.moved = false;
    return true;
  }

  /** Zooms by `factor` keeping the screen point (sx, sy) where it is. */
  zoom(factor: number, sx: number, sy: number): void {
    const [ix, iy] = this.toImage(sx, sy);
    this.scale = Math.min(MAX_SCALE, Math.max(MIN_SCALE, this.scale * factor));
    this.offsetX = sx - ix * this.scale;
    this.offsetY = sy - iy * this.scale;
    this.moved = true;
  }

  pan(dx: number, dy: number): void {
    this.offsetX += dx;
    this.offsetY += dy;
    this.moved = true;
  }

  /** Screen (CSS px relative to the canvas) to image pixel coordinates. */
  toImage(sx: number, sy: number): [number, number] {
    return [(sx - this.offsetX) / this.scale, (sy - this.offsetY) / this.scale];
  }

  toScreen(ix: number, iy: number): [number, number] {
    return [ix * this.scale + this.offsetX, iy * this.scale + this.offsetY];
  }
}
