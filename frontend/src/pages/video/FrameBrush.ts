// Brush and eraser on the video: the selected object's mask on the current frame becomes the canvas'
// working mask (a copy of the stored one) while the brush or eraser is the tool; strokes on it wait
// until they are sent as a "mask" prompt (Enter, or moving to another object or frame) or dropped.
import { BrushStrokes } from '../../core/brush';
import type { BinaryMask, CompressedRle } from '../../core/rle';

/** Brush strokes on one object's mask on one frame, not sent yet. */
export interface FrameEdit { objId: number; frame: number; strokes: BrushStrokes }

export class FrameBrush {
  private edit: FrameEdit | null = null;

  /** The edit in progress (strokes or not). */
  get current(): FrameEdit | null {
    return this.edit;
  }

  /** Strokes were made that are not sent yet. */
  get dirty(): boolean {
    return !!this.edit?.strokes.dirty;
  }

  /**
   * Keeps the working copy in step with what the page shows: none while another tool is chosen (unless
   * strokes wait), a fresh copy of `stored` when the object or frame changed and nothing waits.
   */
  sync(brushing: boolean, objId: number | null, frame: number, stored: () => BinaryMask | null, size: [number, number]): void {
    if (!brushing || objId === null) {
      if (!brushing && this.edit && !this.dirty) this.edit = null;
      return;
    }
    if (this.edit && this.edit.objId === objId && this.edit.frame === frame) return;
    if (this.dirty) return; // strokes elsewhere: sent by the navigation that left them
    this.edit = { objId, frame, strokes: BrushStrokes.over(stored(), size[0], size[1]) };
  }

  /** A copy made from the store but not painted follows the store (propagation may rewrite it). */
  forgetUnpainted(): void {
    if (this.edit && !this.dirty) this.edit = null;
  }

  /** After a stroke on the working mask; answers whether strokes now wait. */
  commitStroke(): boolean {
    this.edit?.strokes.commitStroke();
    return this.dirty;
  }

  /** Takes back the last stroke; false when there was none. */
  undo(): boolean {
    return !!this.edit?.strokes.undo();
  }

  discard(): void {
    this.edit = null;
  }

  /** The strokes to send (and the edit ends); null when nothing was painted. */
  take(): { objId: number; frame: number; rle: CompressedRle } | null {
    const edit = this.edit;
    this.edit = null;
    return edit && edit.strokes.dirty ? { objId: edit.objId, frame: edit.frame, rle: edit.strokes.toRle() } : null;
  }
}
