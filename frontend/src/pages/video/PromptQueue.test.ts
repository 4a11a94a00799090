// The prompt queue sends each request once the server has accepted the one before it, without waiting
// for that one's masks (the server numbers the operations and its session worker applies them in
// order); what is made meanwhile goes out together in the next request.
import { describe, expect, it } from 'vitest';
import type { Job, VideoPromptRequest, VideoSessionRecord } from '../../core/apiTypes';
import type { VideoOperationRequest } from '../../core/videoApi';
import { jobRecord } from '../../testing/records';
import { PromptQueue, type PromptQueueHost, type SaveState } from './PromptQueue';
import type { VideoSessionClient } from './sessionClient';

function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((yes, no) => { resolve = yes; reject = no; });
  return { promise, resolve, reject };
}

const tick = () => new Promise((resolve) => setTimeout(resolve, 0));

/** A server whose answers (acceptance of a prompt, end of its job) the test hands out. */
function setUp() {
  const log: string[] = [];
  const accepts: ReturnType<typeof deferred<Job>>[] = [];
  const batches: ReturnType<typeof deferred<Job[]>>[] = [];
  const ends = new Map<number, ReturnType<typeof deferred<Job>>>();
  const states: SaveState[] = [];
  const client = {
    addPrompt: (_session: number, prompt: VideoPromptRequest) => {
      log.push(`sent ${prompt.obj_id}`);
      const answer = deferred<Job>();
      accepts.push(answer);
      return answer.promise;
    },
    propagate: (_session: number, start: number) => {
      log.push(`sent propagate from ${start}`);
      const answer = deferred<Job>();
      accepts.push(answer);
      return answer.promise;
    },
    operations: (_session: number, operations: VideoOperationRequest[]) => {
      log.push(`sent together ${operations.map((o) => (o.op === 'prompt' ? o.obj_id : `propagate from ${o.start}`)).join(', ')}`);
      const answer = deferred<Job[]>();
      batches.push(answer);
      return answer.promise;
    },
    follow: (job: Job) => {
      const end = deferred<Job>();
      ends.set(job.id, end);
      return end.promise;
    },
    masklets: async () => ({ video: 3, masklets: [], frames: [], updated_until: '0' }),
  } as unknown as VideoSessionClient;
  const host: PromptQueueHost = {
    client,
    session: () => ({ id: 11 }) as VideoSessionRecord,
    saveState: (state) => states.push(state),
    applied: () => log.push('applied'),
    sent: (prompt) => log.push(`accepted ${prompt.obj_id}`),
    failed: (message) => log.push(`failed: ${message}`),
    flash: () => undefined,
    merge: () => undefined,
    cursor: () => null,
    alive: () => true,
    describe: (error) => String(error),
  };
  return { queue: new PromptQueue(host), log, accepts, batches, ends, states };
}

const click = (objId: number): VideoPromptRequest => ({ kind: 'points', frame: 0, obj_id: objId, points: [[1, 1]], labels: [1] });

describe('PromptQueue', () => {
  it('sends the next prompt once the one before is accepted, not once it is stored', async () => {
    const { queue, log, accepts, ends, states } = setUp();
    const first = queue.send(click(1));
    await tick(); // on its way
    const second = queue.send(click(2));
    await tick();
    expect(log).toEqual(['sent 1']); // the second waits for the first's acceptance

    accepts[0].resolve(jobRecord({ id: 101, state: 'queued' }));
    await tick();
    expect([...log].sort()).toEqual(['accepted 1', 'sent 1', 'sent 2']); // the first's job still runs

    let allAccepted = false;
    void queue.accepted().then(() => { allAccepted = true; });
    await tick();
    expect(allAccepted).toBe(false);
    accepts[1].resolve(jobRecord({ id: 102, state: 'queued' }));
    await tick();
    expect(allAccepted).toBe(true);
    expect(states.at(-1)).toBe('saving'); // accepted is not stored

    ends.get(101)!.resolve(jobRecord({ id: 101, state: 'succeeded' }));
    ends.get(102)!.resolve(jobRecord({ id: 102, state: 'succeeded' }));
    await Promise.all([first, second]);
    expect(log.filter((line) => line === 'applied')).toHaveLength(2);
    expect(states.at(-1)).toBe('saved');
  });

  it('a refused prompt does not hold back the next one, and the save state says so', async () => {
    const { queue, log, accepts, ends, states } = setUp();
    const first = queue.send(click(1));
    await tick();
    const second = queue.send(click(2));
    await tick();
    accepts[0].reject(new Error('400 frame outside the video'));
    await tick();
    expect(log).toContain('sent 2');
    expect(log.some((line) => line.startsWith('failed: '))).toBe(true);
    expect(states).toContain('error');
    accepts[1].resolve(jobRecord({ id: 102, state: 'queued' }));
    await tick();
    ends.get(102)!.resolve(jobRecord({ id: 102, state: 'succeeded' }));
    await Promise.all([first, second]);
    expect(log.filter((line) => line === 'applied')).toHaveLength(1);
  });

  it('what is made while a request is on its way goes out together next, in order, each with its own job', async () => {
    const { queue, log, accepts, batches, ends } = setUp();
    const first = queue.send(click(1));
    await tick();
    const second = queue.send(click(2));
    const propagation = queue.submit(11, { op: 'propagate', start: 0, direction: 'forward' });
    await tick();
    expect(log).toEqual(['sent 1']);
    accepts[0].resolve(jobRecord({ id: 101, state: 'queued' }));
    await tick();
    expect([...log].sort()).toEqual(['accepted 1', 'sent 1', 'sent together 2, propagate from 0']);
    batches[0].resolve([jobRecord({ id: 102, state: 'queued' }), jobRecord({ id: 103, kind: 'video_propagate', state: 'queued' })]);
    expect((await propagation).id).toBe(103);
    await tick();
    expect(log).toContain('accepted 2');
    expect([...ends.keys()]).toEqual([101, 102]); // each prompt follows its own job
    ends.get(101)!.resolve(jobRecord({ id: 101, state: 'succeeded' }));
    ends.get(102)!.resolve(jobRecord({ id: 102, state: 'succeeded' }));
    await Promise.all([first, second]);
    expect(log.filter((line) => line === 'applied')).toHaveLength(2);
  });

  it('operations made at once go in one request; a refused one fails all of them and holds back nothing', async () => {
    const { queue, log, accepts, batches, ends } = setUp();
    const first = queue.send(click(1));
    const second = queue.send(click(2));
    await tick();
    expect(log).toEqual(['sent together 1, 2']);
    const third = queue.send(click(3));
    batches[0].reject(new Error('400 operation 2 of 2: points outside the frame; none of them was stored'));
    await tick();
    expect(log.filter((line) => line.startsWith('failed: '))).toHaveLength(2);
    expect(log).toContain('sent 3');
    accepts[0].resolve(jobRecord({ id: 104, state: 'queued' }));
    await tick();
    ends.get(104)!.resolve(jobRecord({ id: 104, state: 'succeeded' }));
    await Promise.all([first, second, third]);
    expect(log.filter((line) => line === 'applied')).toHaveLength(1);
  });
});
