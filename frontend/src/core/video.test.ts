import { describe, expect, it } from 'vitest';
import type { MaskletsAnswer } from './apiTypes';
import { encode, emptyMask } from './rle';
import {
  bucketCells, CELL_EDITED, CELL_PRESENT, CELL_TRACKED, cellRuns, clampFrame, formatTime, frameAt, frameInterval,
  MaskletStore, nextFreeObjectId, OBJECT_PALETTE, objectColor, prefetchOrder, PromptLog,
} from './video';
import { parseRoute, routePath, type Route } from './route';

function rleOf(pixels: number, width = 4, height = 2) {
  const mask = emptyMask(width, height);
  for (let i = 0; i < pixels; i++) mask.data[i] = 1;
  return encode(mask);
}

function row(object_id: number, frame: number, area: number, edited = false, updated_at = '2026-01-01T00:00:00+00:00') {
  return { object_id, frame, rle: rleOf(area), area, edited, source: edited ? 'prompted' : 'propagated', updated_at };
}

function answer(objects: number[], frames: ReturnType<typeof row>[], until: string | null = null): MaskletsAnswer {
  return { video: 1, masklets: objects.map((object_id) => ({ object_id, category: null, status: 'submitted' })), frames, updated_until: until };
}

describe('object colours', () => {
  it('are stable, distinct for the first ids, and valid hex beyond the palette', () => {
    expect(objectColor(1)).toBe(OBJECT_PALETTE[0]);
    expect(objectColor(1)).toBe(objectColor(1));
    const first = Array.from({ length: OBJECT_PALETTE.length }, (_, i) => objectColor(i + 1));
    expect(new Set(first).size).toBe(OBJECT_PALETTE.length);
    const more = Array.from({ length: 100 }, (_, i) => objectColor(i + 1));
    for (const color of more) expect(color).toMatch(/^#[0-9a-f]{6}$/);
    expect(new Set(more).size).toBeGreaterThan(90);
    expect(objectColor(0)).toBe(OBJECT_PALETTE[0]); // no crash on odd ids
  });
});

describe('MaskletStore', () => {
  it('merges full and incremental answers, keeps the cursor, and shapes presence cells', () => {
    const store = new MaskletStore();
    store.merge(answer([1, 2], [row(1, 0, 3, true), row(1, 1, 2), row(1, 2, 0), row(2, 2, 1)], 't1'), true);
    expect(store.list().map((o) => o.objId)).toEqual([1, 2]);
    expect(store.cursor).toBe('t1');
    const cells = store.cells(1, 5);
    expect(Array.from(cells)).toEqual([
      CELL_TRACKED | CELL_PRESENT | CELL_EDITED, CELL_TRACKED | CELL_PRESENT, CELL_TRACKED, 0, 0,
    ]);
    expect(cellRuns(cells, CELL_PRESENT)).toBe('0-1');
    expect(cellRuns(cells, CELL_EDITED)).toBe('0');
    expect(store.masksOn(2).map((m) => m.objId)).toEqual([2]); // object 1 is empty there

    const version = store.version;
    store.merge(answer([1, 2], [row(1, 3, 4)], 't2'));
    expect(store.version).toBeGreaterThan(version);
    expect(cellRuns(store.cells(1, 5), CELL_PRESENT)).toBe('0-1,3');
    expect(store.cursor).toBe('t2');
    store.merge(answer([1, 2], [], null));
    expect(store.cursor).toBe('t2'); // an empty answer keeps the cursor
  });

  it('drops objects removed on the server but keeps local ones; a full read replaces frames', () => {
    const store = new MaskletStore();
    store.merge(answer([1, 2], [row(1, 0, 1), row(2, 0, 1)]), true);
    store.addLocal(3, 7);
    expect(store.nextObjectId()).toBe(4);
    store.merge(answer([1], []));
    expect(store.list().map((o) => [o.objId, o.local])).toEqual([[1, false], [3, true]]);
    expect(store.mask(2, 0)).toBeUndefined();
    store.setOptimistic(1, 5, rleOf(2));
    expect(store.mask(1, 5)?.optimistic).toBe(true);
    expect(store.mask(1, 5)?.area).toBe(2);
    store.merge(answer([1], [row(1, 1, 1)]), true);
    expect(store.mask(1, 0)).toBeUndefined();
    expect(store.mask(1, 5)).toBeUndefined();
    expect(store.mask(1, 1)?.area).toBe(1);
    // Object 3 reaches the server with its first prompt: no longer local.
    store.merge(answer([1, 3], []));
    expect(store.get(3)?.local).toBe(false);
    store.removeObject(1);
    expect(store.nextObjectId()).toBe(1);
  });

  it('ignores frames outside the video and rows of unknown objects', () => {
    const store = new MaskletStore();
    store.merge(answer([1], [row(1, 9, 1), row(5, 0, 1)]), true);
    expect(Array.from(store.cells(1, 3))).toEqual([0, 0, 0]);
    expect(store.has(5)).toBe(false);
  });
});

describe('object ids', () => {
  it('takes the smallest free id from 1', () => {
    expect(nextFreeObjectId([])).toBe(1);
    expect(nextFreeObjectId([1, 2, 4])).toBe(3);
    expect(nextFreeObjectId(new Set([2, 3]))).toBe(1);
  });
});

describe('timeline shaping', () => {
  it('writes runs', () => {
    expect(cellRuns([], CELL_PRESENT)).toBe('');
    expect(cellRuns([2, 2, 0, 2, 0, 2, 2, 2], CELL_PRESENT)).toBe('0-1,3,5-7');
    expect(cellRuns([0, 4, 0], CELL_EDITED)).toBe('1');
  });

  it('buckets long videos without losing single frames', () => {
    const cells = new Uint8Array(1000);
    cells[517] = CELL_TRACKED | CELL_PRESENT | CELL_EDITED;
    const buckets = bucketCells(cells, 100);
    expect(buckets.length).toBe(100);
    expect(buckets[51]).toBe(CELL_TRACKED | CELL_PRESENT | CELL_EDITED);
    expect(buckets.reduce((n, v) => n + (v ? 1 : 0), 0)).toBe(1);
    expect(Array.from(bucketCells([1, 2, 4], 10))).toEqual([1, 2, 4]); // never more columns than frames
    expect(bucketCells([1, 2], 0).length).toBe(0);
    // Uneven split: every frame lands in exactly one column.
    const ones = bucketCells(new Uint8Array(7).fill(CELL_PRESENT), 3);
    expect(Array.from(ones)).toEqual([CELL_PRESENT, CELL_PRESENT, CELL_PRESENT]);
  });

  it('maps x to a frame', () => {
    expect(frameAt(0, 100, 10)).toBe(0);
    expect(frameAt(99.9, 100, 10)).toBe(9);
    expect(frameAt(150, 100, 10)).toBe(9);
    expect(frameAt(-5, 100, 10)).toBe(0);
    expect(frameAt(50, 100, 0)).toBe(0);
  });
});

describe('frames and playback', () => {
  it('clamps, paces and formats', () => {
    expect(clampFrame(-1, 10)).toBe(0);
    expect(clampFrame(12, 10)).toBe(9);
    expect(clampFrame(3.4, 10)).toBe(3);
    expect(clampFrame(Number.NaN, 10)).toBe(0);
    expect(clampFrame(5, 0)).toBe(0);
    expect(frameInterval(6)).toBeCloseTo(166.67, 1);
    expect(frameInterval(0)).toBeCloseTo(166.67, 1);
    expect(frameInterval(1000)).toBeCloseTo(16.67, 1);
    expect(formatTime(0)).toBe('0:00.0');
    expect(formatTime(75.25)).toBe('1:15.3');
    expect(formatTime(null)).toBe('');
  });

  it('prefetches ahead and one behind, inside the video', () => {
    expect(prefetchOrder(0, 4)).toEqual([1, 2, 3]);
    expect(prefetchOrder(5, 20, 2)).toEqual([6, 7, 4]);
    expect(prefetchOrder(19, 20)).toEqual([18]);
  });
});

describe('PromptLog', () => {
  it('accumulates the clicks and box of an object on a frame, per frame', () => {
    const log = new PromptLog();
    log.addPoint(1, 4, 10, 20, 1);
    const both = log.addPoint(1, 4, 30, 5, 0);
    expect(both).toEqual({ points: [[10, 20], [30, 5]], labels: [1, 0], box: null });
    expect(log.get(1, 5).points).toEqual([]);
    expect(log.setBox(1, 4, [0, 0, 9, 9]).box).toEqual([0, 0, 9, 9]);
    // What get returns is a copy.
    log.get(1, 4).points.push([0, 0]);
    expect(log.get(1, 4).points.length).toBe(2);
    // Survives JSON (localStorage).
    const again = new PromptLog(JSON.parse(JSON.stringify(log.toJSON())));
    expect(again.get(1, 4)).toEqual(log.get(1, 4));
  });

  it('undoes clicks then the box, and clears a frame or an object', () => {
    const log = new PromptLog();
    log.setBox(2, 0, [1, 1, 5, 5]);
    log.addPoint(2, 0, 3, 3, 1);
    log.addPoint(2, 1, 3, 3, 1);
    expect(log.removeLast(2, 0)).toBe(true);
    expect(log.get(2, 0)).toEqual({ points: [], labels: [], box: [1, 1, 5, 5] });
    expect(log.removeLast(2, 0)).toBe(true);
    expect(log.removeLast(2, 0)).toBe(false);
    expect(Object.keys(log.toJSON())).toEqual(['2:1']);
    log.clearFrame(2, 1);
    expect(log.toJSON()).toEqual({});
    log.addPoint(3, 0, 1, 1, 1);
    log.addPoint(31, 0, 1, 1, 1);
    log.clearObject(3);
    expect(Object.keys(log.toJSON())).toEqual(['31:0']);
  });
});

describe('video routes', () => {

  it('parses and writes the video routes', () => {
    const routes: Route[] = [
      { page: 'video', videoId: 7 },
      { page: 'videos', projectId: 3, pageNumber: 1 },
      { page: 'videos', projectId: 3, pageNumber: 2 },
    ];
    for (const route of routes) {
      const [path, search] = routePath(route).split('?');
      expect(parseRoute(path, search ? `?${search}` : '')).toEqual(route);
    }
    expect(routePath({ page: 'videos', projectId: 3 })).toBe('/projects/3/videos');
    expect(parseRoute('/videos/x')).toEqual({ page: 'notFound', path: '/videos/x' });
  });
});
