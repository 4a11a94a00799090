// The video annotator's logic without a browser: a scripted API, no canvas.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { scriptedApi, type Answer } from '../../testing/scriptedApi';
import { encode, emptyMask } from '../../core/rle';
import { VideoController } from './VideoController';

function square(x0: number, size: number) {
  const m = emptyMask(16, 8);
  for (let y = 2; y < 2 + size; y++) for (let x = x0; x < x0 + size; x++) m.data[y * 16 + x] = 1;
  return encode(m);
}

const project = { id: 2, name: 'clips', kind: 'video', categories: [{ id: 7, name: 'car', color: '#f00' }, { id: 8, name: 'dog', color: '#0f0' }],
  role: 'annotator', image_count: 0, video_count: 1, mask_count: 0, images_done: 0, stage: 'assisted', description: '', annotation_fps: 6 };
const frames = [0, 1, 2, 3].map((index) => ({ index, source_index: index * 4, timestamp: index / 6, file_url: `/api/videos/3/frames/${index}/` }));
const videoBase = { id: 3, project: 2, width: 16, height: 8, file_name: 'clip.mp4', fps: 24, frame_count: 16, annotation_fps: 6,
  annotation_frame_count: 4 };
const ready = { ...videoBase, frames_extracted: 4, extraction_job: { id: 90, state: 'succeeded', progress: 1 } };
const session = { id: 11, video: 3, worker: null, tracker_version: null, frame_count: 4, objects: [] };
const job = (id: number, state: string, progress = 0) => ({ id, kind: 'video_prompt', state, progress, message: '' });
const row = (object_id: number, frame: number, x0: number, edited: boolean, updated_at: string) => ({
  object_id, frame, rle: square(x0, 3), area: 9, edited, source: edited ? 'prompted' : 'propagated', updated_at,
});

/** Every frame's picture is one route. */
const setup = (routes: Record<string, Answer[]>) =>
  scriptedApi(routes, (path) => (/\/frames\/\d+\/$/.test(path) ? '/api/videos/3/frames/N/' : path));

const baseRoutes = (): Record<string, Answer[]> => ({
  'GET /api/videos/3/': [[200, ready]],
  'GET /api/projects/2/': [[200, project]],
  'POST /api/videos/3/session/': [[200, session]],
  'GET /api/videos/3/frames/': [[200, { count: 4, next: null, previous: null, results: frames }]],
  'GET /api/videos/3/frames/N/': [[200, {}]],
  'GET /api/videos/3/masklets/': [[200, { masklets: [], frames: [], updated_until: null }]],
  // No event stream here: these tests follow jobs by polling, the client's fallback (pushed: sessionClient.test.ts).
  'GET /api/video-sessions/11/events/': [[404, { detail: 'Not found.' }]],
});

async function until(predicate: () => boolean, ms = 4000) {
  const end = Date.now() + ms;
  while (!predicate()) {
    if (Date.now() > end) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 10));
  }
}

beforeEach(() => {
  vi.stubGlobal('createImageBitmap', async () => ({ width: 16, height: 8, close() {} }));
});
afterEach(() => vi.unstubAllGlobals());

describe('VideoController', () => {
  it('waits for frame extraction, then opens the session with frames and masklets', async () => {
    const routes = baseRoutes();
    routes['GET /api/videos/3/'] = [
      [200, { ...videoBase, frames_extracted: 0, extraction_job: { id: 90, state: 'running', progress: 0.5 } }],
      [200, ready],
    ];
    routes['GET /api/videos/3/masklets/'] = [[200, {
      masklets: [{ object_id: 2, category: 8, status: 'draft' }], frames: [row(2, 1, 1, true, 't1')], updated_until: 't1',
    }]];
    const { api, storage, calls } = setup(routes);
    const controller = new VideoController(api, 3, storage);
    const states: string[] = [];
    controller.subscribe(() => states.push(controller.getView().status));
    await controller.load();
    expect(states).toContain('extracting');
    const view = controller.getView();
    expect(view.status).toBe('ready');
    expect(view.frames.map((f) => f.index)).toEqual([0, 1, 2, 3]);
    expect(view.selectedObj).toBe(2);
    expect(controller.store.mask(2, 1)?.edited).toBe(true);
    expect(controller.store.cursor).toBe('t1');
    expect(calls.filter((c) => c.url === '/api/videos/3/session/').length).toBe(1); // not asked while extracting
    controller.dispose();
  });

  it('a click starts object 1 with the first category; a second click on the frame sends both', async () => {
    const routes = baseRoutes();
    let promptJobs = 0;
    routes['POST /api/video-sessions/11/prompts/'] = [() => [202, job(++promptJobs, 'queued')]];
    routes['GET /api/jobs/1/'] = [[200, job(1, 'succeeded', 1)]];
    routes['GET /api/jobs/2/'] = [[200, job(2, 'succeeded', 1)]];
    routes['GET /api/videos/3/masklets/'] = [
      [200, { masklets: [], frames: [], updated_until: null }],
      (url) => [200, { masklets: [{ object_id: 1, category: 7, status: 'draft' }], frames: url.includes('updated_after') ? [] : [row(1, 0, 1, true, 't2')], updated_until: 't2' }],
    ];
    const { api, storage, calls, map } = setup(routes);
    const controller = new VideoController(api, 3, storage);
    await controller.load();
    await controller.addPoint(4, 3, 1);
    expect(controller.getView().selectedObj).toBe(1);
    const prompts = calls.filter((c) => c.url === '/api/video-sessions/11/prompts/');
    expect(prompts[0].body).toEqual({ kind: 'points', frame: 0, obj_id: 1, points: [[4, 3]], labels: [1], category: 7 });
    expect(controller.getView().saveState).toBe('saved');
    expect(controller.getView().savedOps).toBe(1);
    expect(controller.store.get(1)?.local).toBe(false);

    await controller.addPoint(9, 5, 0);
    const second = calls.filter((c) => c.url === '/api/video-sessions/11/prompts/')[1].body;
    expect(second).toEqual({ kind: 'points', frame: 0, obj_id: 1, points: [[4, 3], [9, 5]], labels: [1, 0] });
    expect(JSON.parse(map.get('segdata.video.3.prompts')!)['1:0'].points).toEqual([[4, 3], [9, 5]]);
    // Incremental reads carry the cursor.
    expect(calls.some((c) => c.url.includes('updated_after=t2'))).toBe(true);
    controller.dispose();
  });

  it('propagates from the current frame, streams frames while the job runs, and cancels', async () => {
    const routes = baseRoutes();
    routes['GET /api/videos/3/masklets/'] = [
      [200, { masklets: [{ object_id: 1, category: 7, status: 'draft' }], frames: [row(1, 1, 1, true, 't1')], updated_until: 't1' }],
      [200, { masklets: [{ object_id: 1, category: 7, status: 'draft' }], frames: [row(1, 2, 2, false, 't2')], updated_until: 't2' }],
      (url) => [200, { masklets: [{ object_id: 1, category: 7, status: 'draft' }], frames: url.includes('updated_after') ? [] : [row(1, 1, 1, true, 't1'), row(1, 2, 2, false, 't2')], updated_until: 't2' }],
    ];
    routes['POST /api/video-sessions/11/propagate/'] = [[202, job(5, 'queued')]];
    routes['GET /api/jobs/5/'] = [[200, job(5, 'running', 0.5)], [200, job(5, 'running', 0.6)], [200, job(5, 'cancelled', 0.6)]];
    routes['POST /api/jobs/5/cancel/'] = [[200, job(5, 'running', 0.6)]];
    const { api, storage, calls } = setup(routes);
    const controller = new VideoController(api, 3, storage);
    await controller.load();
    await controller.goTo(1);
    const running = controller.propagate('forward', 'selected');
    await until(() => controller.getView().propagation?.job.state === 'running');
    expect(calls.find((c) => c.url.endsWith('/propagate/'))?.body).toEqual({ start: 1, direction: 'forward', obj_ids: [1] });
    await until(() => controller.store.mask(1, 2) !== undefined); // streamed in while running
    await controller.cancelPropagation();
    expect(calls.some((c) => c.method === 'POST' && c.url === '/api/jobs/5/cancel/')).toBe(true);
    await running;
    expect(controller.getView().propagation).toBeNull();
    expect(controller.getView().notice).toMatch(/cancelled/);
    expect(controller.store.cells(1, 4)).toEqual(new Uint8Array([0, 7, 3, 0]));
    controller.dispose();
  });

  it('follows a propagation still running after a reload, then forgets it', async () => {
    const routes = baseRoutes();
    routes['GET /api/videos/3/masklets/'] = [[200, { masklets: [{ object_id: 1, category: 7, status: 'draft' }], frames: [], updated_until: null }]];
    routes['GET /api/jobs/6/'] = [[200, job(6, 'running', 0.3)], [200, job(6, 'running', 0.7)], [200, job(6, 'succeeded', 1)]];
    const { api, storage, map } = setup(routes);
    map.set('segdata.video.3.propagation', JSON.stringify({ job: job(6, 'running', 0.1), direction: 'both', scope: 'all', start: 2, cancelling: false }));
    const controller = new VideoController(api, 3, storage);
    await controller.load();
    await until(() => controller.getView().propagation?.job.progress === 0.7);
    expect(controller.getView().propagation?.direction).toBe('both');
    await until(() => controller.getView().propagation === null);
    expect(controller.getView().notice).toMatch(/Propagated both from frame 2/);
    expect(map.has('segdata.video.3.propagation')).toBe(false);
    controller.dispose();
  });

  it('removes an object only after confirmation, and a local one without a request', async () => {
    const routes = baseRoutes();
    routes['GET /api/videos/3/masklets/'] = [
      [200, { masklets: [{ object_id: 1, category: 7, status: 'draft' }], frames: [row(1, 0, 1, true, 't1')], updated_until: 't1' }],
      [200, { masklets: [], frames: [], updated_until: 't1' }],
    ];
    routes['POST /api/video-sessions/11/prompts/'] = [[202, job(8, 'queued')]];
    routes['GET /api/jobs/8/'] = [[200, job(8, 'succeeded', 1)]];
    const { api, storage, calls } = setup(routes);
    const controller = new VideoController(api, 3, storage);
    await controller.load();
    expect(controller.objects.add()).toBe(2);
    controller.objects.askRemove(2);
    await controller.objects.confirmRemove();
    expect(calls.some((c) => c.url.endsWith('/prompts/'))).toBe(false);
    controller.objects.askRemove(1);
    expect(controller.store.has(1)).toBe(true);
    controller.objects.cancelRemove();
    controller.objects.askRemove(1);
    await controller.objects.confirmRemove();
    expect(controller.store.has(1)).toBe(false);
    await until(() => controller.getView().saveState === 'saved');
    expect(calls.find((c) => c.url.endsWith('/prompts/'))?.body).toEqual({ kind: 'remove', frame: 0, obj_id: 1 });
    controller.dispose();
  });

  it('a category chosen for a stored object goes with its next prompt', async () => {
    const routes = baseRoutes();
    routes['GET /api/videos/3/masklets/'] = [[200, { masklets: [{ object_id: 1, category: 7, status: 'draft' }], frames: [], updated_until: null }]];
    routes['POST /api/video-sessions/11/prompts/'] = [[202, job(9, 'queued')]];
    routes['GET /api/jobs/9/'] = [[200, job(9, 'succeeded', 1)]];
    const { api, storage, calls } = setup(routes);
    const controller = new VideoController(api, 3, storage);
    await controller.load();
    controller.objects.setCategory(1, 8);
    expect(controller.objects.categoryOf(1)).toBe(8);
    await controller.setBox([1, 1, 6, 6]);
    expect(calls.find((c) => c.url.endsWith('/prompts/'))?.body).toEqual({ kind: 'points', frame: 0, obj_id: 1, points: [], labels: [], box: [1, 1, 6, 6], category: 8 });
    expect(controller.getView().pendingCategory).toEqual({});
    controller.dispose();
  });
});
