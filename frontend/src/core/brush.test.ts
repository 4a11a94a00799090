import { describe, expect, it } from 'vitest';
import { BrushStrokes, nextBrushRadius } from './brush';
import { encode, emptyMask } from './rle';

describe('nextBrushRadius', () => {
  it('steps by a quarter and at least one pixel, within 1..200', () => {
    // Hand-worked: 6 * 1.25 + 0.5 = 8; 1 * 1.25 + 0.5 = 1.75 -> 2; 2 * 0.8 - 0.5 = 1.1 -> 1.
    expect(nextBrushRadius(6, 1.25)).toBe(8);
    expect(nextBrushRadius(1, 1.25)).toBe(2);
    expect(nextBrushRadius(2, 0.8)).toBe(1);
    expect(nextBrushRadius(1, 0.8)).toBe(1);
    expect(nextBrushRadius(190, 1.25)).toBe(200);
  });
});

describe('BrushStrokes', () => {
  it('records a step per stroke that changed pixels and undoes them in place', () => {
    const strokes = BrushStrokes.over(null, 4, 2);
    expect(strokes.dirty).toBe(false);
    expect(strokes.commitStroke()).toBe(false); // nothing painted
    strokes.mask.data[1] = 1;
    expect(strokes.commitStroke()).toBe(true);
    strokes.mask.data[6] = 1;
    strokes.commitStroke();
    expect(strokes.undo()).toBe(true);
    expect([...strokes.mask.data]).toEqual([0, 1, 0, 0, 0, 0, 0, 0]);
    expect(strokes.dirty).toBe(true);
    expect(strokes.undo()).toBe(true);
    expect(strokes.dirty).toBe(false);
    expect(strokes.undo()).toBe(false);
  });

  it('starts from a copy of a stored mask, which stays as it was', () => {
    const stored = emptyMask(3, 1);
    stored.data[0] = 1;
    const fromMask = BrushStrokes.over(stored, 0, 0);
    fromMask.mask.data[2] = 1;
    expect([...stored.data]).toEqual([1, 0, 0]);
    const fromRle = BrushStrokes.over(encode(stored), 0, 0);
    expect([...fromRle.mask.data]).toEqual([1, 0, 0]);
    expect(fromRle.toRle()).toEqual(encode(stored));
  });
});
