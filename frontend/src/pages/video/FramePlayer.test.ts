import { afterEach, describe, expect, it, vi } from 'vitest';
import type { FrameRecord } from '../../core/apiTypes';
import { FramePlayer } from './FramePlayer';

const frames: FrameRecord[] = [2, 0, 3, 1].map((index) => ({ index, source_index: index, timestamp: index / 10, file_url: `f${index}` }));
const bitmap = (index: number) => ({ index, close: vi.fn() }) as unknown as ImageBitmap & { index: number; close: () => void };

/** A page that follows the player: `frame` moves on goTo, and what happened is logged. */
function page(player: () => FramePlayer) {
  const log: string[] = [];
  let frame = 0;
  return {
    log,
    host: {
      goTo: async (f: number) => { frame = f; log.push(`go ${f}`); await player().bitmap(f); },
      frame: () => frame,
      fps: () => 10,
      playingChanged: (playing: boolean) => log.push(playing ? 'play' : 'pause'),
    },
  };
}

afterEach(() => vi.useRealTimers());

describe('FramePlayer', () => {
  it('keeps frames in index order, fetches each once and prefetches ahead', async () => {
    const loads: string[] = [];
    const player: FramePlayer = new FramePlayer(async (f) => { loads.push(f.file_url); return bitmap(f.index); }, page(() => player).host);
    player.setFrames(frames);
    expect(player.list.map((f) => f.index)).toEqual([0, 1, 2, 3]);
    await player.bitmap(1);
    await player.bitmap(1);
    expect(loads).toEqual(['f1']);
    player.prefetch(1);
    expect(loads).toEqual(['f1', 'f2', 'f3', 'f0']); // ahead first, then one behind
    await expect(player.bitmap(9)).rejects.toThrow('no frame 9');
  });

  it('plays at the annotation rate, waits for a slow picture, and stops at the last frame', async () => {
    vi.useFakeTimers();
    let release: () => void = () => undefined;
    const { log, host } = page(() => playing);
    const playing: FramePlayer = new FramePlayer((f) => (f.index === 2
      ? new Promise((resolve) => { release = () => resolve(bitmap(2)); })
      : Promise.resolve(bitmap(f.index))), host);
    playing.setFrames(frames);
    playing.play();
    expect(log).toEqual(['play']);
    await vi.advanceTimersByTimeAsync(100); // 10 fps
    expect(log).toEqual(['play', 'go 1']);
    await vi.advanceTimersByTimeAsync(500); // frame 2's picture has not come: no step
    expect(log).toEqual(['play', 'go 1']);
    release();
    await vi.advanceTimersByTimeAsync(0);
    expect(log).toEqual(['play', 'go 1', 'go 2']);
    await vi.advanceTimersByTimeAsync(200);
    expect(log).toEqual(['play', 'go 1', 'go 2', 'go 3', 'pause']);
    expect(playing.playing).toBe(false);
    playing.dispose();
  });
});
