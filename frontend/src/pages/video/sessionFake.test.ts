// The video controller against a fake VideoSessionClient (no HTTP, no polling): the interface is all
// it needs, so a pushed-updates client can replace the polling one.
import { describe, expect, it, vi } from 'vitest';
import type { FrameRecord, Job, MaskletsAnswer, VideoPromptRequest, VideoRecord, VideoSessionRecord } from '../../core/apiTypes';
import { decode, encode, emptyMask, type CompressedRle } from '../../core/rle';
import { jobRecord, projectRecord } from '../../testing/records';
import { memoryStorage } from '../../testing/scriptedApi';
import type { VideoOperationRequest } from '../../core/videoApi';
import type { JobWatch, VideoSessionClient } from './sessionClient';
import { VideoController } from './VideoController';

function square(x0: number) {
  const m = emptyMask(16, 8);
  for (let y = 2; y < 5; y++) for (let x = x0; x < x0 + 3; x++) m.data[y * 16 + x] = 1;
  return encode(m);
}

const video = {
  id: 3, project: 2, width: 16, height: 8, file_name: 'clip.mp4', fps: 24, frame_count: 16, annotation_fps: 6,
  annotation_frame_count: 4, frames_extracted: 4, extraction_job: null,
} as unknown as VideoRecord;
const frames: FrameRecord[] = [0, 1, 2, 3].map((index) => ({ index, source_index: index * 4, timestamp: index / 6, file_url: '' }));
const session = { id: 11, video: 3, tracker_version: 'fake-1', objects: [] } as unknown as VideoSessionRecord;

/** A server in memory: a prompt's job "writes" the mask of its object on its frame; propagation writes
 * the object on every later frame, one report per frame. */
class FakeSession implements VideoSessionClient {
  prompts: VideoPromptRequest[] = [];
  propagations: { start: number; direction: string; objIds?: number[] }[] = [];
  private rows: MaskletsAnswer['frames'] = [];
  private objects = new Map<number, number | null>();
  private clock = 0;
  private jobs = new Map<number, () => MaskletsAnswer['frames']>();

  video = async () => video;
  project = async () => projectRecord({ id: 2, kind: 'video', categories: [{ id: 7, name: 'car', color: '#f00' }, { id: 8, name: 'dog', color: '#0f0' }] });
  openSession = async () => session;
  frames = async () => frames;
  frameBitmap = async () => ({ width: 16, height: 8, close() {} }) as unknown as ImageBitmap;
  job = async (id: number) => jobRecord({ id, state: 'running' });
  cancelJob = async (id: number) => jobRecord({ id, state: 'cancelled' });

  async masklets(since?: string | null): Promise<MaskletsAnswer> {
    const after = since ? Number(since) : -1;
    return {
      video: 3,
      masklets: [...this.objects].map(([object_id, category]) => ({ object_id, category, status: 'submitted' })),
      frames: this.rows.filter((r) => Number(r.updated_at) > after),
      updated_until: String(this.clock),
    };
  }

  private write(objId: number, frame: number, edited: boolean) {
    this.rows = this.rows.filter((r) => !(r.object_id === objId && r.frame === frame));
    this.rows.push({ object_id: objId, frame, rle: square(objId * 4), area: 9, edited, source: edited ? 'prompted' : 'propagated', updated_at: String(++this.clock) });
    return this.rows[this.rows.length - 1];
  }

  async addPrompt(_sessionId: number, prompt: VideoPromptRequest): Promise<Job> {
    this.prompts.push(prompt);
    const id = 100 + this.prompts.length;
    this.jobs.set(id, () => {
      if (prompt.kind === 'remove') {
        this.objects.delete(prompt.obj_id);
        this.rows = this.rows.filter((r) => r.object_id !== prompt.obj_id);
        return [];
      }
      if (!this.objects.has(prompt.obj_id) || prompt.category !== undefined) this.objects.set(prompt.obj_id, prompt.category ?? this.objects.get(prompt.obj_id) ?? null);
      return [this.write(prompt.obj_id, prompt.frame, true)];
    });
    return jobRecord({ id, kind: 'video_prompt' });
  }

  async propagate(_sessionId: number, start: number, direction: 'forward' | 'backward' | 'both', objIds?: number[]): Promise<Job> {
    this.propagations.push({ start, direction, objIds });
    const id = 200 + this.propagations.length;
    this.jobs.set(id, () => {
      const written = [];
      for (const objId of objIds ?? [...this.objects.keys()]) for (let f = start + 1; f < frames.length; f++) written.push(this.write(objId, f, false));
      return written;
    });
    return jobRecord({ id, kind: 'video_propagate' });
  }

  async operations(sessionId: number, operations: VideoOperationRequest[]): Promise<Job[]> {
    const jobs = [];
    for (const operation of operations) {
      if (operation.op === 'propagate') jobs.push(await this.propagate(sessionId, operation.start, operation.direction ?? 'both', operation.obj_ids));
      else {
        const { op: _op, ...prompt } = operation;
        jobs.push(await this.addPrompt(sessionId, prompt as VideoPromptRequest));
      }
    }
    return jobs;
  }

  /** Runs the job's writes, reporting each written frame as a pushed update would. */
  async follow(job: Job, watch: JobWatch): Promise<Job> {
    const writes = this.jobs.get(job.id)?.() ?? [];
    for (let i = 0; i < writes.length; i++) {
      watch.onProgress?.(jobRecord({ id: job.id, state: 'running', progress: (i + 1) / (writes.length + 1) }));
      watch.onMasklets(await this.masklets(String(Number(writes[i].updated_at) - 1)));
    }
    watch.onMasklets(await this.masklets(watch.since()));
    return jobRecord({ id: job.id, state: 'succeeded', progress: 1 });
  }
}

describe('VideoController with a fake session client', () => {
  it('a click makes object 1 with the first category and shows the mask the job wrote', async () => {
    const server = new FakeSession();
    const controller = new VideoController(server, 3, memoryStorage());
    await controller.load();
    expect(controller.getView().status).toBe('ready');
    await controller.addPoint(5, 3, 1);
    expect(server.prompts).toEqual([{ kind: 'points', frame: 0, obj_id: 1, points: [[5, 3]], labels: [1], category: 7 }]);
    expect(controller.store.mask(1, 0)?.edited).toBe(true);
    expect(controller.getView().objects.map((o) => [o.objId, o.category, o.local])).toEqual([[1, 7, false]]);
    expect(controller.getView().saveState).toBe('saved');
    controller.dispose();
  });

  it('N-style new object, then a category change waits for its next prompt', async () => {
    const server = new FakeSession();
    const controller = new VideoController(server, 3, memoryStorage());
    await controller.load();
    await controller.addPoint(5, 3, 1);
    expect(controller.objects.add()).toBe(2);
    await controller.setBox([8, 1, 12, 6]);
    expect(server.prompts[1]).toMatchObject({ obj_id: 2, box: [8, 1, 12, 6], category: 7 });
    controller.objects.select(1);
    controller.objects.stepCategory(1);
    expect(controller.objects.categoryOf(1)).toBe(8);
    expect(controller.getView().pendingCategory).toEqual({ 1: 8 });
    await controller.addPoint(6, 3, 0);
    expect(server.prompts[2]).toMatchObject({ obj_id: 1, points: [[5, 3], [6, 3]], labels: [1, 0], category: 8 });
    expect(controller.getView().pendingCategory).toEqual({});
    controller.dispose();
  });

  it('propagates the selected object forward with progress, frames arriving as they are written', async () => {
    const server = new FakeSession();
    const controller = new VideoController(server, 3, memoryStorage());
    await controller.load();
    await controller.addPoint(5, 3, 1);
    const progress: number[] = [];
    controller.subscribe(() => {
      const p = controller.getView().propagation;
      if (p?.job.id !== null && p?.job.progress !== undefined && progress.at(-1) !== p.job.progress) progress.push(p.job.progress);
    });
    await controller.propagate('forward', 'selected');
    expect(server.propagations).toEqual([{ start: 0, direction: 'forward', objIds: [1] }]);
    expect(progress.length).toBeGreaterThanOrEqual(3); // one report per written frame
    expect(controller.getView().propagation).toBeNull();
    expect(controller.getView().notice).toBe('Propagated forward from frame 0.');
    expect([0, 1, 2, 3].map((f) => controller.store.mask(1, f)?.edited)).toEqual([true, false, false, false]);
    controller.dispose();
  });

  it('brush strokes on a frame are sent as a mask prompt when leaving the frame; undo takes a stroke back', async () => {
    const server = new FakeSession();
    const controller = new VideoController(server, 3, memoryStorage());
    await controller.load();
    await controller.addPoint(5, 3, 1);
    controller.setTool('brush');
    // Without a canvas the controller holds the working copy; paint as the canvas would.
    const working = (controller as unknown as { brush: { current: { strokes: { mask: { data: Uint8Array } } } } }).brush.current;
    working.strokes.mask.data[0] = 1;
    (controller as unknown as { commitStroke(): void }).commitStroke();
    working.strokes.mask.data[1] = 1;
    (controller as unknown as { commitStroke(): void }).commitStroke();
    expect(controller.getView().brushDirty).toBe(true);
    controller.undo();
    expect(working.strokes.mask.data[1]).toBe(0);
    expect(controller.getView().brushDirty).toBe(true);
    await controller.goTo(1);
    await vi.waitFor(() => expect(server.prompts).toHaveLength(2));
    const sent = server.prompts[1];
    expect(sent).toMatchObject({ kind: 'mask', frame: 0, obj_id: 1 });
    // The stored square of object 1 (x 4..6, y 2..4) plus the first stroke's pixel; the undone one is not in.
    const pixels = decode(sent.rle as CompressedRle).data;
    expect([pixels[0], pixels[1], pixels[2 * 16 + 4], pixels[4 * 16 + 6], pixels[2 * 16 + 7]]).toEqual([1, 0, 1, 1, 0]);
    controller.dispose();
  });
});
