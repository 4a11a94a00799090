// The pushed session client against a scripted event stream: masks reach the page as they are
// published, a followed job ends on its event (even one that ended before its 202 was read), a
// (re)connection reads what was missed, and no request is repeated while it listens.
import { describe, expect, it } from 'vitest';
import { ApiClient, tokenCredentials } from '../../core/api';
import type { Job, MaskletsAnswer } from '../../core/apiTypes';
import { PushedSessionClient } from './sessionClient';

/** A server whose events route streams what the test pushes; every request is recorded. */
function streamingServer() {
  const calls: string[] = [];
  let push: (event: object) => void = () => undefined;
  const encoder = new TextEncoder();
  const impl = async (input: RequestInfo | URL, init: RequestInit = {}) => {
    const url = String(input);
    calls.push(`${init.method ?? 'GET'} ${url}`);
    if (url.endsWith('/events/')) {
      const body = new ReadableStream<Uint8Array>({
        start(controller) {
          push = (event) => controller.enqueue(encoder.encode(`event: x\ndata: ${JSON.stringify(event)}\n\n`));
          push({ type: 'hello' });
        },
      });
      return new Response(body, { status: 200, headers: { 'Content-Type': 'text/event-stream' } });
    }
    if (url.includes('/masklets/')) return Response.json({ video: 3, masklets: [], frames: [], updated_until: null });
    return Response.json({ id: 5, kind: 'video_prompt', state: 'running', progress: 0, message: '' });
  };
  const api = new ApiClient(tokenCredentials('t'), '', impl as typeof fetch);
  return { api, calls, push: (event: object) => push(event) };
}

const flush = () => new Promise((resolve) => setTimeout(resolve, 0));
const job = (id: number, state: string) => ({ id, kind: 'video_prompt', state, progress: 0, message: '' }) as unknown as Job;

describe('PushedSessionClient', () => {
  it('hands over pushed masks and ends followed jobs on their events, without polling', async () => {
    const server = streamingServer();
    const client = new PushedSessionClient(server.api, 3);
    const heard: MaskletsAnswer[] = [];
    let resyncs = 0;
    client.listen(11, { onMasklets: (answer) => heard.push(answer), resync: () => resyncs++, alive: () => true });
    for (let i = 0; i < 20 && !client.live; i++) await flush();
    expect(client.live).toBe(true);
    expect(resyncs).toBe(1); // subscribed: what was stored before is read once

    const rows = [{ object_id: 1, frame: 0, rle: { size: [8, 16], counts: 'P1' }, area: 0, edited: true, source: 'prompted', updated_at: 't1' }];
    server.push({ type: 'masks', video: 3, masklets: [{ object_id: 1, category: null, status: 'submitted' }], frames: rows, updated_until: null });
    const progress: number[] = [];
    const followed = client.follow(job(7, 'queued'), {
      onMasklets: () => undefined, since: () => null, alive: () => true, onProgress: (j) => progress.push(j.progress),
    });
    server.push({ type: 'job', job: { ...job(7, 'running'), progress: 0.5 } });
    server.push({ type: 'job', job: job(7, 'succeeded') });
    expect((await followed).state).toBe('succeeded');
    expect(progress).toContain(0.5);
    expect(heard.map((a) => a.frames)).toEqual([rows]);

    server.push({ type: 'job', job: job(8, 'succeeded') }); // ended before the page read its 202
    await flush();
    expect((await client.follow(job(8, 'queued'), { onMasklets: () => undefined, since: () => null, alive: () => true })).state).toBe('succeeded');

    expect(server.calls).toEqual(['GET /api/video-sessions/11/events/']); // one long request, nothing polled
    client.close();
  });

  it('reads what it missed when the server asks it to resync', async () => {
    const server = streamingServer();
    const client = new PushedSessionClient(server.api, 3);
    let resyncs = 0;
    client.listen(11, { onMasklets: () => undefined, resync: () => resyncs++, alive: () => true });
    for (let i = 0; i < 20 && !client.live; i++) await flush();
    server.push({ type: 'resync' });
    await flush();
    expect(resyncs).toBe(2);
    client.close();
  });
});
