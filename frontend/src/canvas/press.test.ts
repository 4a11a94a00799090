import { describe, expect, it } from 'vitest';
import { pressMoved, pressResult, type Press } from './press';

// Screen = 2 x image, no offset.
const toImage = (sx: number, sy: number): [number, number] => [sx / 2, sy / 2];
const press = (fields: Partial<Press> = {}): Press => ({ startX: 20, startY: 10, button: 0, shift: false, dragging: false, ...fields });

describe('press', () => {
  it('a click is a point; right button or Shift make it negative', () => {
    expect(pressResult(press(), { x: 21, y: 11 }, 'prompt', toImage, 50, 40)).toEqual({ kind: 'point', x: 10, y: 5, label: 1 });
    expect(pressResult(press({ button: 2 }), { x: 21, y: 11 }, 'prompt', toImage, 50, 40)).toMatchObject({ label: 0 });
    expect(pressResult(press({ shift: true }), { x: 21, y: 11 }, 'prompt', toImage, 50, 40)).toMatchObject({ label: 0 });
    expect(pressResult(press(), { x: 21, y: 11 }, 'select', toImage, 50, 40)).toEqual({ kind: 'select', x: 10, y: 5 });
    expect(pressResult(press(), { x: 21, y: 11 }, 'brush', toImage, 50, 40)).toBeNull();
    expect(pressResult(press(), { x: 120, y: 11 }, 'prompt', toImage, 50, 40)).toBeNull(); // outside the picture
  });

  it('a drag past the threshold with the prompt tool is a box, clamped to the picture', () => {
    const p = press();
    pressMoved(p, 23, 12, true);
    expect(p.dragging).toBe(false); // 3.6 px
    pressMoved(p, 200, 90, false);
    expect(p.dragging).toBe(false); // not the prompt tool
    pressMoved(p, 200, 90, true);
    expect(p.dragging).toBe(true);
    expect(pressResult(p, { x: 200, y: 90 }, 'prompt', toImage, 50, 40)).toEqual({ kind: 'box', box: [10, 5, 49, 39] });
    const flat = press({ dragging: true });
    expect(pressResult(flat, { x: 60, y: 10 }, 'prompt', toImage, 50, 40)).toBeNull(); // no height
  });
});
