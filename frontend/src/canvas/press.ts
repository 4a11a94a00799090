// What a press of the left or right button meant when it is released: a box (dragged far enough with
// the points-and-box tool), a point (positive; right button or Shift: negative) or a selection, in
// image pixels clamped to the picture. Plain geometry, no DOM.
import type { Box } from '../core/editState';

export const DRAG_THRESHOLD_PX = 4;

/** A press in screen px; `dragging` once it moved past the threshold with the prompt tool. */
export interface Press { startX: number; startY: number; button: number; shift: boolean; dragging: boolean }

export type PressResult =
  | { kind: 'box'; box: Box }
  | { kind: 'point'; x: number; y: number; label: 0 | 1 }
  | { kind: 'select'; x: number; y: number };

/** Marks the press as a drag once the pointer moved far enough (left button, points-and-box tool). */
export function pressMoved(press: Press, x: number, y: number, promptTool: boolean): void {
  if (press.button === 0 && promptTool && Math.hypot(x - press.startX, y - press.startY) > DRAG_THRESHOLD_PX) press.dragging = true;
}

export function pressResult(
  press: Press, end: { x: number; y: number }, tool: 'prompt' | 'select' | 'brush' | 'eraser',
  toImage: (sx: number, sy: number) => [number, number], width: number, height: number,
): PressResult | null {
  const clamp = (ix: number, iy: number): [number, number] => [
    Math.min(width - 1, Math.max(0, Math.floor(ix))), Math.min(height - 1, Math.max(0, Math.floor(iy))),
  ];
  const [ix, iy] = toImage(end.x, end.y);
  if (press.dragging) {
    const [sx, sy] = toImage(press.startX, press.startY);
    const [x0, y0] = clamp(Math.min(ix, sx), Math.min(iy, sy));
    const [x1, y1] = clamp(Math.max(ix, sx), Math.max(iy, sy));
    return x1 > x0 && y1 > y0 ? { kind: 'box', box: [x0, y0, x1, y1] } : null;
  }
  if (ix < 0 || iy < 0 || ix >= width || iy >= height) return null;
  const [x, y] = clamp(ix, iy);
  if (tool === 'select') return { kind: 'select', x, y };
  if (tool !== 'prompt') return null;
  return { kind: 'point', x, y, label: press.button === 2 || press.shift ? 0 : 1 };
}
