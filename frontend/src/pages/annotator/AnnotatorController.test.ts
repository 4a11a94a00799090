// The annotator's logic without a browser: a scripted API, no canvas.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { MaskRecord } from '../../core/apiTypes';
import { encode, emptyMask } from '../../core/rle';
import { imageRecord, maskRecord, projectRecord } from '../../testing/records';
import { scriptedApi, type Answer } from '../../testing/scriptedApi';
import { AnnotatorController } from './AnnotatorController';

function square(x0: number, y0: number, size: number) {
  const m = emptyMask(20, 10);
  for (let y = y0; y < y0 + size; y++) for (let x = x0; x < x0 + size; x++) m.data[y * 20 + x] = 1;
  return encode(m);
}

const image = imageRecord({ id: 5, project: 2, width: 20, height: 10, file_name: 'a.png', file_url: '/api/images/5/file/' });
const project = projectRecord({
  id: 2, categories: [{ id: 7, name: 'cat', color: '#ff0000' }, { id: 8, name: 'dog', color: '#00ff00' }], image_count: 1,
});
const model = { backend: 'classical', version: 'classical:grabcut-1', fallback: false, reason: null };
const saved: MaskRecord = maskRecord({ id: 40, image: 5, project: 2, category: 7, rle: square(2, 2, 3), area: 9, bbox: [2, 2, 3, 3],
  status: 'submitted', version: 1, seconds: 2, clicks: 1, model_version: 'v', created_by: 1 });

const setup = (routes: Record<string, Answer[]>) => scriptedApi(routes);

const baseRoutes = (masks: MaskRecord[] = []): Record<string, Answer[]> => ({
  'GET /api/images/5/': [[200, image]],
  'GET /api/projects/2/': [[200, project]],
  'GET /api/masks/': [[200, { count: masks.length, next: null, previous: null, results: masks }]],
  'GET /api/images/5/file/': [[200, {}]],
  'GET /api/health/': [[200, { status: 'ok', checks: { model } }]],
});

beforeEach(() => {
  vi.stubGlobal('createImageBitmap', async () => ({ width: 20, height: 10, close() {} }));
});
afterEach(() => vi.unstubAllGlobals());

describe('AnnotatorController', () => {
  it('click -> candidates (best chosen) -> choose 1 -> save sends mask, timing and prompts', async () => {
    const routes = baseRoutes();
    routes['POST /api/images/5/predict/'] = [[200, {
      masks: [
        { rle: square(0, 0, 2), score: 0.5, logits_token: 'a:0' },
        { rle: square(0, 0, 4), score: 0.9, logits_token: 'a:1' },
        { rle: square(0, 0, 6), score: 0.7, logits_token: 'a:2' },
      ],
      model, logits_token: 'a:0',
    }]];
    routes['POST /api/masks/'] = [[201, { ...saved, id: 41 }]];
    const { api, storage, calls } = setup(routes);
    const c = new AnnotatorController(api, 5, storage);
    await c.load();
    expect(c.getView().status).toBe('ready');
    expect(c.getView().edit.categoryId).toBe(7);

    c.addPoint({ x: 1, y: 1, label: 1 });
    await vi.waitFor(() => expect(c.getView().edit.candidates).toHaveLength(3));
    expect(c.getView().edit.chosen).toBe(1);
    expect(calls.find((k) => k.url.includes('predict'))?.body).toEqual({ points: [[1, 1]], labels: [1], multimask: true });

    c.chooseCandidate(0);
    expect(c.getView().edit.mask?.counts).toBe(square(0, 0, 2).counts);
    expect(c.getView().edit.logitsToken).toBe('a:0');
    c.cycleCategory(1);
    expect(c.getView().edit.categoryId).toBe(8);

    expect(await c.saving.save()).toBe(true);
    const post = calls.find((k) => k.method === 'POST' && k.url === '/api/masks/')!.body!;
    expect(post).toMatchObject({ image: 5, category: 8, rle: square(0, 0, 2), source: 'assisted', clicks: 2,
      model_version: 'classical:grabcut-1', predicted_iou: 0.5 });
    expect(post.prompts).toEqual([{ kind: 'point', x: 1, y: 1, label: 1, t_ms: 0 }]);
    expect(c.getView().edit.mask).toBeNull();
    expect(c.getView().canUndo).toBe(false);
    c.dispose();
  });

  it('undo returns to before the click and redo brings the answer back', async () => {
    const routes = baseRoutes();
    routes['POST /api/images/5/predict/'] = [[200, { masks: [{ rle: square(0, 0, 2), score: 0.5 }], model, logits_token: 'b' }]];
    const { api, storage } = setup(routes);
    const c = new AnnotatorController(api, 5, storage);
    await c.load();
    c.addPoint({ x: 1, y: 1, label: 1 });
    await vi.waitFor(() => expect(c.getView().edit.mask).not.toBeNull());
    c.undo();
    expect(c.getView().edit.points).toHaveLength(0);
    expect(c.getView().edit.mask).toBeNull();
    c.redo();
    expect(c.getView().edit.points).toHaveLength(1);
    expect(c.getView().edit.mask).not.toBeNull();
    c.dispose();
  });

  it('a stale save becomes a conflict; keep mine re-saves with the server version', async () => {
    const theirs = { ...saved, version: 2, category: 8 };
    const routes = baseRoutes([saved]);
    routes['PATCH /api/masks/40/'] = [
      [409, { detail: 'changed', current: theirs }],
      [200, { ...theirs, version: 3, category: 7 }],
    ];
    const { api, storage, calls } = setup(routes);
    const c = new AnnotatorController(api, 5, storage);
    await c.load();
    c.editSavedMask(40);
    expect(c.getView().edit.editing).toEqual({ id: 40, version: 1 });
    expect(await c.saving.save()).toBe(false);
    expect(c.getView().conflict?.theirs.version).toBe(2);
    expect(c.getView().edit.editing?.id).toBe(40); // nothing dropped while the annotator decides
    await c.saving.keepMine();
    const patches = calls.filter((k) => k.method === 'PATCH');
    expect(patches.map((p) => p.body!.version)).toEqual([1, 2]);
    expect(patches[1].body!.category).toBe(7);
    expect(c.getView().conflict).toBeNull();
    c.dispose();
  });

  it('take theirs drops our edit without writing', async () => {
    const theirs = { ...saved, version: 2, category: 8 };
    const routes = baseRoutes([saved]);
    routes['PATCH /api/masks/40/'] = [[409, { detail: 'changed', current: theirs }]];
    const { api, storage, calls } = setup(routes);
    const c = new AnnotatorController(api, 5, storage);
    await c.load();
    c.editSavedMask(40);
    await c.saving.save();
    await c.saving.takeTheirs();
    expect(calls.filter((k) => k.method === 'PATCH')).toHaveLength(1);
    expect(c.getView().edit.editing).toBeNull();
    expect(c.getView().conflict).toBeNull();
    c.dispose();
  });

  it('restores a draft on load', async () => {
    const routes = baseRoutes();
    routes['POST /api/images/5/predict/'] = [[200, { masks: [{ rle: square(0, 0, 2), score: 0.5 }], model, logits_token: 'b' }]];
    const { api, storage, map } = setup(routes);
    const first = new AnnotatorController(api, 5, storage);
    await first.load();
    first.addPoint({ x: 3, y: 4, label: 1 });
    await vi.waitFor(() => expect(first.getView().edit.mask).not.toBeNull());
    first.dispose(); // flushes the draft, as on page hide
    expect(map.has('segdata.draft.image.5')).toBe(true);
    const second = new AnnotatorController(api, 5, storage);
    await second.load();
    expect(second.getView().draftRestored).toBe(true);
    expect(second.getView().edit.points).toEqual([{ x: 3, y: 4, label: 1 }]);
    expect(second.getView().clicks).toBe(1);
    second.dispose();
  });

  it('the model banner is known before the image shows, so it never moves the image under a click', async () => {
    const routes = baseRoutes();
    const warning = 'UNVERIFIED MODEL: served only because MODEL_ALLOW_UNVERIFIED=1';
    routes['GET /api/health/'] = [[200, { status: 'ok', checks: { model: { ...model, warning } } }]];
    const { api, storage } = setup(routes);
    const c = new AnnotatorController(api, 5, storage);
    await c.load();
    expect(c.getView().status).toBe('ready');
    expect(c.getView().model?.warning).toBe(warning);
    c.dispose();
  });

  it('a health check that answers first leaves no two-second timer behind', async () => {
    const started = vi.spyOn(globalThis, 'setTimeout');
    const cleared = vi.spyOn(globalThis, 'clearTimeout');
    try {
      const { api, storage } = setup(baseRoutes());
      const c = new AnnotatorController(api, 5, storage);
      await c.load();
      expect(c.getView().model).not.toBeNull();
      const wait = started.mock.calls.findIndex(([, delay]) => delay === 2000);
      expect(wait).toBeGreaterThanOrEqual(0);
      expect(cleared).toHaveBeenCalledWith(started.mock.results[wait].value);
      c.dispose();
    } finally {
      started.mockRestore();
      cleared.mockRestore();
    }
  });

  it('a health check that does not answer holds the image back at most two seconds', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout'] });
    try {
      const { api, storage } = setup(baseRoutes());
      vi.spyOn(api, 'health').mockReturnValue(new Promise(() => {}));
      const c = new AnnotatorController(api, 5, storage);
      const loading = c.load();
      await vi.advanceTimersByTimeAsync(1900);
      expect(c.getView().status).toBe('loading');
      await vi.advanceTimersByTimeAsync(200);
      await loading;
      expect(c.getView().status).toBe('ready');
      expect(c.getView().model).toBeNull();
      c.dispose();
    } finally {
      vi.useRealTimers();
    }
  });
});
