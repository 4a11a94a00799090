import { describe, expect, it } from 'vitest';
import { emptyMask, maskArea } from './rle';
import { maskExtent, outline, paintDisc, paintStroke } from './maskOps';

describe('mask edits', () => {
  it('paints and erases a disc of about pi r^2 pixels', () => {
    const m = emptyMask(100, 100);
    paintDisc(m, 50, 50, 10, 1);
    expect(Math.abs(maskArea(m) - Math.PI * 100)).toBeLessThan(20);
    expect(m.data[50 * 100 + 50]).toBe(1);
    paintDisc(m, 50, 50, 4, 0);
    expect(m.data[50 * 100 + 50]).toBe(0);
  });

  it('clips at the image border', () => {
    const m = emptyMask(10, 10);
    paintDisc(m, 0, 0, 5, 1);
    expect(m.data[0]).toBe(1);
    expect(maskArea(m)).toBeLessThan(30);
  });

  it('a stroke covers the segment without gaps', () => {
    const m = emptyMask(100, 20);
    paintStroke(m, [5, 10], [95, 10], 2, 1);
    for (let x = 5; x < 95; x++) expect(m.data[10 * 100 + x]).toBe(1);
    expect(maskExtent(m)).toEqual([3, 8, 96, 11]);
  });

  it('outline keeps only the boundary', () => {
    const m = emptyMask(5, 5);
    for (let y = 1; y < 4; y++) for (let x = 1; x < 4; x++) m.data[y * 5 + x] = 1;
    const edge = outline(m);
    expect(edge[2 * 5 + 2]).toBe(0);
    expect(edge[1 * 5 + 1]).toBe(1);
    expect(edge.reduce((a, b) => a + b, 0)).toBe(8);
  });
});
