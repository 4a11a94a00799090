import { describe, expect, it } from 'vitest';
import { ViewTransform } from './ViewTransform';

describe('ViewTransform', () => {
  it('fits a picture centred with a small margin', () => {
    const view = new ViewTransform();
    expect(view.fit(200, 100, 400, 400)).toBe(true);
    // Hand-worked: min(400/200, 400/100) * 0.98 = 1.96; x: (400 - 392) / 2 = 4; y: (400 - 196) / 2 = 102.
    expect([view.scale, view.offsetX, view.offsetY]).toEqual([1.96, 4, 102]);
    expect(view.toScreen(0, 0)).toEqual([4, 102]);
    expect(view.toImage(4 + 1.96 * 50, 102 + 1.96 * 25)).toEqual([50, 25]);
    expect(view.fit(0, 100, 400, 400)).toBe(false);
  });

  it('zooms about a point that stays put, and pans; both mark the view as moved', () => {
    const view = new ViewTransform();
    view.fit(100, 100, 100, 100);
    const before = view.toImage(30, 70);
    view.zoom(2, 30, 70);
    expect(view.toImage(30, 70).map((v) => +v.toFixed(9))).toEqual(before.map((v) => +v.toFixed(9)));
    expect(view.scale).toBeCloseTo(1.96);
    expect(view.moved).toBe(true);
    view.pan(10, -5);
    const [x, y] = view.toScreen(...before);
    expect([+x.toFixed(9), +y.toFixed(9)]).toEqual([40, 65]);
    view.zoom(1e6, 0, 0);
    expect(view.scale).toBe(40);
  });
});
