// What the canvas draws over the picture in screen pixels: the prompts (points, box), the box being
// dragged and the brush / eraser cursor. Plain functions over a 2D context.
import type { Box, PromptPoint } from '../core/editState';

const BOX_COLOR = '#ffd400';

/** The box and the clicks; `toScreen` maps image pixels to the canvas. */
export function drawPrompts(
  ctx: CanvasRenderingContext2D, points: PromptPoint[], box: Box | null, toScreen: (x: number, y: number) => [number, number],
): void {
  if (box) {
    const [x0, y0] = toScreen(box[0], box[1]);
    const [x1, y1] = toScreen(box[2] + 1, box[3] + 1);
    ctx.strokeStyle = BOX_COLOR;
    ctx.lineWidth = 2;
    ctx.setLineDash([6, 4]);
    ctx.strokeRect(x0, y0, x1 - x0, y1 - y0);
    ctx.setLineDash([]);
  }
  for (const point of points) {
    const [sx, sy] = toScreen(point.x + 0.5, point.y + 0.5);
    ctx.beginPath();
    ctx.arc(sx, sy, 6, 0, Math.PI * 2);
    ctx.fillStyle = point.label ? '#22c55e' : '#ef4444';
    ctx.fill();
    ctx.lineWidth = 2;
    ctx.strokeStyle = '#ffffff';
    ctx.stroke();
    // A minus for background, a plus for object.
    ctx.fillStyle = '#ffffff';
    ctx.fillRect(sx - 3, sy - 1, 6, 2);
    if (point.label) ctx.fillRect(sx - 1, sy - 3, 2, 6);
  }
}

/** The box being dragged, from where the press started to the pointer. */
export function drawDragBox(ctx: CanvasRenderingContext2D, from: { x: number; y: number }, to: { x: number; y: number }): void {
  ctx.strokeStyle = BOX_COLOR;
  ctx.lineWidth = 1.5;
  ctx.strokeRect(from.x, from.y, to.x - from.x, to.y - from.y);
}

/** The brush (white ring) or eraser (red and black dashed ring) at the pointer, `radius` screen px. */
export function drawBrushCursor(ctx: CanvasRenderingContext2D, at: { x: number; y: number }, radius: number, eraser: boolean): void {
  ctx.beginPath();
  ctx.arc(at.x, at.y, Math.max(2, radius), 0, Math.PI * 2);
  ctx.lineWidth = 1.5;
  ctx.strokeStyle = eraser ? '#ff6b6b' : '#ffffff';
  ctx.stroke();
  if (eraser) {
    ctx.setLineDash([3, 3]);
    ctx.strokeStyle = '#000000';
    ctx.stroke();
    ctx.setLineDash([]);
  }
}
