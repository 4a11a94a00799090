import { describe, expect, it } from 'vitest';
import { IDLE_CAP_MS, MaskSession } from './session';

function fakeClock() {
  let t = 1000;
  const clock = () => t;
  return { clock, advance: (ms: number) => { t += ms; } };
}

describe('MaskSession', () => {
  it('counts clicks, prompts and active seconds', () => {
    const { clock, advance } = fakeClock();
    const s = new MaskSession(clock);
    s.addPrompt({ kind: 'point', x: 1, y: 2, label: 1 });
    advance(2500);
    const p = s.addPrompt({ kind: 'point', x: 3, y: 4, label: 0 });
    advance(1000);
    s.addClick();
    expect(p.t_ms).toBe(2500);
    expect(s.clicks).toBe(3);
    expect(s.seconds).toBe(3.5);
    expect(s.promptLog.map((q) => q.t_ms)).toEqual([0, 2500]);
  });

  it('caps idle gaps', () => {
    const { clock, advance } = fakeClock();
    const s = new MaskSession(clock);
    s.touch();
    advance(10 * IDLE_CAP_MS);
    s.touch();
    expect(s.seconds).toBe(IDLE_CAP_MS / 1000);
  });

  it('restores from a snapshot and keeps counting', () => {
    const { clock, advance } = fakeClock();
    const s = new MaskSession(clock);
    s.addPrompt({ kind: 'point', x: 1, y: 1, label: 1 });
    advance(4000);
    s.addPrompt({ kind: 'point', x: 2, y: 2, label: 1 });
    const snap = JSON.parse(JSON.stringify(s.snapshot()));
    const t = new MaskSession(clock);
    t.restore(snap);
    advance(1000);
    const p = t.addPrompt({ kind: 'box', box: [0, 0, 5, 5] });
    expect(t.clicks).toBe(3);
    expect(t.seconds).toBe(5);
    expect(p.t_ms).toBeGreaterThan(4000);
  });
});
