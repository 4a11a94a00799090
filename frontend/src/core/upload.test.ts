import { describe, expect, it } from 'vitest';
import { ApiError } from './apiErrors';
import { fileError, uploadEach, uploadSummary, type UploadItem } from './upload';

const file = (name: string, size = 10) => ({ name, size });

describe('upload', () => {
  it('sends every file on its own, keeps going after a refusal, reports each one', async () => {
    const seen: UploadItem[][] = [];
    const sent: string[] = [];
    const items = await uploadEach([file('a.png'), file('bad.png'), file('c.png'), file('a-again.png')], async (f) => {
      sent.push(f.name);
      if (f.name === 'bad.png') throw new ApiError(415, 'bad.png: not a supported image (JPEG, PNG, WebP)', null);
      return { id: sent.length, created: f.name !== 'a-again.png' };
    }, { concurrency: 2, onChange: (list) => seen.push(list) });
    expect(sent.sort()).toEqual(['a-again.png', 'a.png', 'bad.png', 'c.png']);
    expect(items.map((i) => i.state)).toEqual(['added', 'failed', 'added', 'duplicate']);
    expect(items[1].error).toBe('not a supported image (JPEG, PNG, WebP)');
    expect(seen[0].every((i) => i.state === 'waiting')).toBe(true);
    expect(seen.some((list) => list.some((i) => i.state === 'uploading'))).toBe(true);
    expect(uploadSummary(items)).toBe('2 added · 1 already in the project · 1 failed');
  });

  it('shows each file\'s bytes sent while it uploads, whole percents only, and clears it at the end', async () => {
    const seen: UploadItem[][] = [];
    const items = await uploadEach([file('big.mp4', 1000)], async (_f, _signal, onProgress) => {
      for (const fraction of [0.001, 0.25, 0.251, 0.5, 1]) onProgress?.(fraction);
      return { id: 1, created: true };
    }, { onChange: (list) => seen.push(list) });
    const shown = seen.map((list) => list[0]).filter((i) => i.state === 'uploading').map((i) => i.progress);
    expect(shown).toEqual([0, 0.25, 0.5, 1]);
    expect(items[0].state).toBe('added');
    expect(items[0].progress).toBeUndefined();
  });

  it('runs at most `concurrency` requests at once', async () => {
    let running = 0;
    let peak = 0;
    await uploadEach(Array.from({ length: 7 }, (_, i) => file(`${i}.png`)), async () => {
      running++;
      peak = Math.max(peak, running);
      await new Promise((r) => setTimeout(r, 1));
      running--;
      return { id: 1, created: true };
    }, { concurrency: 3 });
    expect(peak).toBe(3);
  });

  it('marks what is left as cancelled once the signal aborts', async () => {
    const abort = new AbortController();
    const items = await uploadEach([file('a.png'), file('b.png'), file('c.png')], async () => {
      abort.abort();
      return { id: 1, created: true };
    }, { concurrency: 1, signal: abort.signal });
    expect(items.map((i) => i.state)).toEqual(['added', 'failed', 'failed']);
    expect(items[2].error).toBe('Cancelled.');
  });

  it('words errors without repeating the file name', () => {
    expect(fileError('x.png', new ApiError(413, 'x.png: 9 bytes is over the limit', null))).toBe('9 bytes is over the limit');
    expect(fileError('x.png', new ApiError(400, 'no files were sent', null))).toBe('no files were sent');
    expect(fileError('x.png', new TypeError('Failed to fetch'))).toBe('The server cannot be reached.');
    expect(uploadSummary([{ name: 'a', size: 1, state: 'uploading' }])).toBe('1 uploading');
  });
});
