import { describe, expect, it } from 'vitest';
import { ApiClient, canManage, cookieValue, sessionCredentials, tokenCredentials } from './api';
import { ApiError, VersionConflict } from './apiErrors';
import type { MaskRecord } from './apiTypes';
import { predictWhenReady } from './predictor';
import { maskRecord } from '../testing/records';

interface Call { method: string; url: string; headers: Headers; body: unknown }

/** A fetch that answers from a list of [status, body] and records what was asked. */
function fakeFetch(answers: [number, unknown][]) {
  const calls: Call[] = [];
  const impl = async (input: RequestInfo | URL, init: RequestInit = {}) => {
    calls.push({
      method: init.method ?? 'GET', url: String(input), headers: new Headers(init.headers),
      body: init.body instanceof FormData ? init.body : init.body ? JSON.parse(String(init.body)) : undefined,
    });
    const [status, body] = answers.shift() ?? [500, { detail: 'no answer left' }];
    return new Response(status === 204 ? null : JSON.stringify(body), {
      status, headers: { 'Content-Type': 'application/json' },
    });
  };
  return { calls, impl: impl as typeof fetch };
}

const mask: MaskRecord = maskRecord({
  id: 7, image: 3, category: 1, rle: { size: [2, 2], counts: '04' }, area: 4, bbox: [0, 0, 2, 2],
  source: 'assisted', status: 'submitted', version: 2, seconds: 3, clicks: 1, model_version: 'v1', created_by: 1,
});

describe('ApiClient', () => {
  it('signs the browser in with a session: no token kept, the CSRF cookie echoed on writes only', async () => {
    const session = { user: { id: 1, username: 'ann', is_staff: false }, signed_in_at: '2026-01-01T00:00:00Z', expires: null };
    const { calls, impl } = fakeFetch([[200, session], [200, { count: 0, next: null, previous: null, results: [] }], [204, null]]);
    let cookies = 'sessionid=hidden; csrftoken=before';
    const api = new ApiClient(sessionCredentials(() => cookies), '', impl);
    const user = await api.login('ann', 'pw');
    expect(user.username).toBe('ann');
    expect(calls[0]).toMatchObject({ method: 'POST', url: '/api/auth/session/', body: { username: 'ann', password: 'pw' } });
    expect(calls[0].headers.get('X-CSRFToken')).toBe('before');
    expect(calls[0].headers.get('Authorization')).toBeNull();
    cookies = 'csrftoken=after%3D; sessionid=hidden'; // Django rotates the CSRF token at sign-in
    await api.projects();
    expect(calls[1].headers.get('X-CSRFToken')).toBeNull(); // a read needs none
    await api.logout();
    expect(calls[2]).toMatchObject({ method: 'DELETE', url: '/api/auth/session/' });
    expect(calls[2].headers.get('X-CSRFToken')).toBe('after=');
    expect(calls.every((call) => call.headers.get('Authorization') === null)).toBe(true);
  });

  it('reads and revokes the API token; wrong credentials and the sign-in limit are errors with the sentence', async () => {
    const token = { token: { prefix: 'abc123', created: '2026-01-01T00:00:00Z', expires: '2026-01-08T00:00:00Z', expired: false } };
    const { calls, impl } = fakeFetch([
      [200, token], [204, null],
      [400, { non_field_errors: ['Unable to log in with provided credentials.'] }],
      [429, { detail: 'Too many failed sign-ins for this username; try again in 60 s.' }],
    ]);
    const api = new ApiClient(sessionCredentials(() => 'csrftoken=c'), '', impl);
    expect((await api.apiToken()).token?.prefix).toBe('abc123');
    await api.revokeApiToken();
    expect(calls[1]).toMatchObject({ method: 'DELETE', url: '/api/auth/api-token/' });
    expect(calls[1].headers.get('X-CSRFToken')).toBe('c');
    await expect(api.login('ann', 'bad')).rejects.toMatchObject({ status: 400, detail: expect.stringContaining('Unable to log in') });
    await expect(api.login('ann', 'bad')).rejects.toMatchObject({ status: 429, detail: expect.stringContaining('Too many') });
  });

  it('finds a cookie among others', () => {
    expect(cookieValue('a=1; csrftoken=x%20y; b=2', 'csrftoken')).toBe('x y');
    expect(cookieValue('xcsrftoken=1', 'csrftoken')).toBeNull();
    expect(cookieValue('', 'csrftoken')).toBeNull();
  });

  it('sends a script\'s token from memory', async () => {
    const { calls, impl } = fakeFetch([[200, { id: 1, username: 'cli', is_staff: false }]]);
    await new ApiClient(tokenCredentials('abc'), '', impl).me();
    expect(calls[0].headers.get('Authorization')).toBe('Token abc');
  });

  it('turns 4xx answers into ApiError with the detail or the field errors', async () => {
    const { impl } = fakeFetch([[400, { detail: 'bad' }], [400, { username: ['required'] }], [401, { detail: 'no' }]]);
    let unauthorized = 0;
    const api = new ApiClient(tokenCredentials('t'), '', impl);
    api.onUnauthorized(() => unauthorized++);
    await expect(api.me()).rejects.toMatchObject({ status: 400, detail: 'bad' });
    await expect(api.me()).rejects.toMatchObject({ detail: 'username: required' });
    await expect(api.me()).rejects.toBeInstanceOf(ApiError);
    expect(unauthorized).toBe(1);
  });

  it('reports a 409 on PATCH as VersionConflict carrying the server row', async () => {
    const { calls, impl } = fakeFetch([[409, { detail: 'stale', current: { ...mask, version: 3 } }]]);
    const api = new ApiClient(tokenCredentials('t'), '', impl);
    const error = await api.updateMask(7, { version: 2, category: 4 }).catch((e) => e);
    expect(error).toBeInstanceOf(VersionConflict);
    expect((error as VersionConflict).current.version).toBe(3);
    expect(calls[0]).toMatchObject({ method: 'PATCH', url: '/api/masks/7/', body: { version: 2, category: 4 } });
  });

  it('deletes with the version in the query', async () => {
    const { calls, impl } = fakeFetch([[204, null]]);
    const api = new ApiClient(tokenCredentials('t'), '', impl);
    await api.deleteMask(7, 2);
    expect(calls[0]).toMatchObject({ method: 'DELETE', url: '/api/masks/7/?version=2' });
  });

  it('nextImage gives null on 404', async () => {
    const { calls, impl } = fakeFetch([[404, { detail: 'none' }]]);
    const api = new ApiClient(tokenCredentials('t'), '', impl);
    expect(await api.nextImage(5, 9)).toBeNull();
    expect(calls[0].url).toBe('/api/projects/5/images/next/?after=9');
  });

  it('follows keyset mask pages by their next links', async () => {
    const { calls, impl } = fakeFetch([
      [200, { next: 'http://engine.example/api/masks/?cursor=3.7&image=3', previous: null, results: [mask] }],
      [200, { next: null, previous: null, results: [{ ...mask, id: 8 }] }],
    ]);
    const api = new ApiClient(tokenCredentials('t'), '', impl);
    expect((await api.masks(3)).map((m) => m.id)).toEqual([7, 8]);
    expect(calls.map((c) => c.url)).toEqual(['/api/masks/?image=3&cursor=', '/api/masks/?cursor=3.7&image=3']);
  });

  it('filters masks by status', async () => {
    const { calls, impl } = fakeFetch([[200, { count: 0, next: null, previous: null, results: [] }]]);
    const api = new ApiClient(tokenCredentials('t'), '', impl);
    await api.masks(3, 'proposed');
    expect(calls[0].url).toBe('/api/masks/?image=3&status=proposed&cursor=');
  });

  it('accepts and rejects proposals with the version, 409 as VersionConflict', async () => {
    const { calls, impl } = fakeFetch([
      [200, { ...mask, status: 'submitted', version: 3 }],
      [409, { detail: 'stale', current: { ...mask, version: 5 } }],
    ]);
    const api = new ApiClient(tokenCredentials('t'), '', impl);
    expect((await api.acceptMask(7, 2)).status).toBe('submitted');
    const error = await api.rejectMask(7, 2).catch((e) => e);
    expect(error).toBeInstanceOf(VersionConflict);
    expect(calls.map((c) => [c.method, c.url, c.body])).toEqual([
      ['POST', '/api/masks/7/accept/', { version: 2 }], ['POST', '/api/masks/7/reject/', { version: 2 }],
    ]);
  });

  it('changes the stage, starts the automatic job, cancels it, reads metrics', async () => {
    const { calls, impl } = fakeFetch([
      [200, { id: 4, stage: 'semi' }], [202, { id: 9, state: 'queued', progress: 0 }],
      [200, { id: 9, state: 'cancelled', progress: 0.2 }], [200, { project: 4, by: ['stage', 'day'], rows: [] }],
    ]);
    const api = new ApiClient(tokenCredentials('t'), '', impl);
    expect((await api.updateProject(4, { stage: 'semi' })).stage).toBe('semi');
    expect((await api.autoAnnotate(4)).id).toBe(9);
    expect((await api.cancelJob(9)).state).toBe('cancelled');
    expect((await api.metrics(4, ['stage', 'day'])).rows).toEqual([]);
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual([
      'PATCH /api/projects/4/', 'POST /api/projects/4/auto-annotate/', 'POST /api/jobs/9/cancel/',
      'GET /api/projects/4/metrics/?by=stage,day',
    ]);
    expect(calls[0].body).toEqual({ stage: 'semi' });
  });

  it('uploads files as multipart under `files`, without a JSON content type', async () => {
    const { calls, impl } = fakeFetch([[201, [{ id: 1, created: true }]]]);
    const api = new ApiClient(tokenCredentials('t'), '', impl);
    const file = new File([new Uint8Array([1, 2, 3])], 'a.png', { type: 'image/png' });
    const answer = await api.uploadImages(4, [file]);
    expect(answer[0].created).toBe(true);
    expect(calls[0].url).toBe('/api/projects/4/images/');
    expect(calls[0].headers.get('Content-Type')).toBeNull();
    const form = calls[0].body as FormData;
    expect((form.getAll('files')[0] as File).name).toBe('a.png');
  });

  it('canManage: managers of the project and staff', () => {
    expect(canManage({ role: 'manager' }, null)).toBe(true);
    expect(canManage({ role: 'annotator' }, { is_staff: false })).toBe(false);
    expect(canManage({ role: null }, { is_staff: true })).toBe(true);
    expect(canManage(null, { is_staff: true })).toBe(false);
  });
});

describe('predictWhenReady', () => {
  const ready = {
    masks: [{ rle: { size: [2, 2], counts: '04' }, score: 0.9 }],
    model: { backend: 'classical', version: 'classical-1', fallback: true, reason: 'no checkpoint' },
    logits_token: 'L1',
  };

  it('returns at once when the embedding is ready', async () => {
    const { impl } = fakeFetch([[200, ready]]);
    const api = new ApiClient(tokenCredentials('t'), '', impl);
    const answer = await predictWhenReady(api, 3, { points: [[1, 1]], labels: [1], multimask: true });
    expect(answer.model.fallback).toBe(true);
    expect(answer.logits_token).toBe('L1');
  });

  it('waits for the embedding job on 202, reporting progress, then asks again', async () => {
    const { calls, impl } = fakeFetch([
      [202, { status: 'embedding_pending', job: { id: 11, state: 'queued', progress: 0 } }],
      [200, { id: 11, kind: 'embed', state: 'running', progress: 0.5, message: '' }],
      [200, { id: 11, kind: 'embed', state: 'succeeded', progress: 1, message: '' }],
      [200, ready],
    ]);
    const api = new ApiClient(tokenCredentials('t'), '', impl);
    const seen: number[] = [];
    const answer = await predictWhenReady(api, 3, { points: [[1, 1]], labels: [1], multimask: true }, {
      onPreparing: (job) => seen.push(job.progress), sleep: async () => {},
    });
    expect(answer.masks).toHaveLength(1);
    expect(seen).toEqual([0, 0.5, 1]);
    expect(calls.map((c) => c.url)).toEqual(['/api/images/3/predict/', '/api/jobs/11/', '/api/jobs/11/', '/api/images/3/predict/']);
  });

  it('asks again when the 202 carries no job, and reports the model early', async () => {
    const { impl } = fakeFetch([
      [202, { status: 'embedding_pending', job: null, model: ready.model }],
      [200, ready],
    ]);
    const api = new ApiClient(tokenCredentials('t'), '', impl);
    const models: string[] = [];
    const answer = await predictWhenReady(api, 3, { points: [[1, 1]], labels: [1], multimask: true }, {
      sleep: async () => {}, onModel: (m) => models.push(m.version),
    });
    expect(answer.masks).toHaveLength(1);
    expect(models).toEqual([ready.model.version]);
  });

  it('fails clearly when the embedding job fails', async () => {
    const { impl } = fakeFetch([
      [202, { status: 'embedding_pending', job: { id: 11, state: 'queued', progress: 0 } }],
      [200, { id: 11, kind: 'embed', state: 'failed', progress: 0, message: 'decoder error' }],
    ]);
    const api = new ApiClient(tokenCredentials('t'), '', impl);
    await expect(predictWhenReady(api, 3, { points: [], labels: [], multimask: true }, { sleep: async () => {} }))
      .rejects.toThrow(/failed: decoder error/);
  });
});
