import { describe, expect, it } from 'vitest';
import { ItemTimer, ReviewQueue, decisionError } from './queue';
import { badgeText } from './sentBack';
import { parseRoute, routePath } from '../../core/route';

const item = (id: number, version = 1) => ({ id, version });

describe('ReviewQueue', () => {
  it('shows the oldest first and moves on after a decision', () => {
    const q = new ReviewQueue<{ id: number; version: number }>();
    q.load([item(3), item(5), item(9)], 3);
    expect(q.current?.id).toBe(3);
    expect(q.remaining).toBe(3);
    expect(q.decide(3)?.id).toBe(5);
    expect(q.remaining).toBe(2);
    expect(q.decidedCount).toBe(1);
  });

  it('keeps decided items out of a reload that still lists them', () => {
    const q = new ReviewQueue<{ id: number; version: number }>();
    q.load([item(1), item(2)], 2);
    q.decide(1);
    q.load([item(1), item(2), item(4)], 3); // the server had not caught up
    expect(q.current?.id).toBe(2);
    expect(q.remaining).toBe(2);
  });

  it('asks for a reload when the loaded page runs out but more wait on the server', () => {
    const q = new ReviewQueue<{ id: number; version: number }>();
    q.load([item(1)], 60);
    expect(q.needsReload).toBe(false);
    q.decide(1);
    expect(q.current).toBeNull();
    expect(q.remaining).toBe(59);
    expect(q.needsReload).toBe(true);
    q.load([], 0);
    expect(q.needsReload).toBe(false);
    expect(q.remaining).toBe(0);
  });

  it('replaces an item in place after a conflict, and skips to the end', () => {
    const q = new ReviewQueue<{ id: number; version: number }>();
    q.load([item(1), item(2)]);
    q.replace(item(1, 4));
    expect(q.current).toEqual(item(1, 4));
    expect(q.skip()?.id).toBe(2);
    expect(q.skip()?.id).toBe(1);
    expect(q.decide(99)?.id).toBe(1); // unknown id: nothing changes but it is remembered
    expect(q.remaining).toBe(2);
  });
});

describe('ItemTimer and decisions', () => {
  it('counts seconds since the item was shown, to a tenth', () => {
    let now = 1000;
    const timer = new ItemTimer(() => now);
    now = 3460;
    expect(timer.seconds).toBe(2.5);
    timer.restart();
    now = 3500;
    expect(timer.seconds).toBe(0);
  });

  it('requires a reason for a rejection only', () => {
    expect(decisionError('reject', '  ')).toMatch(/annotator sees/);
    expect(decisionError('reject', 'misses the tail')).toBeNull();
    expect(decisionError('accept', '')).toBeNull();
    expect(decisionError('fix', '')).toBeNull();
  });

  it('formats the badge count', () => {
    expect(badgeText(0)).toBe('');
    expect(badgeText(null)).toBe('');
    expect(badgeText(7)).toBe('7');
    expect(badgeText(150)).toBe('99+');
  });
});

describe('routes of review and PLM', () => {
  it('round-trips', () => {
    for (const route of [
      { page: 'review', projectId: 4, kind: 'masklet' }, { page: 'sentBack' }, { page: 'plm', videoId: 7, tab: 'captions' },
      { page: 'plm', videoId: 7, tab: 'qa' },
    ] as const) {
      const path = routePath(route);
      const [pathname, search] = path.split('?');
      expect(parseRoute(pathname, search ? `?${search}` : '')).toEqual(route);
    }
    expect(parseRoute('/projects/4/review', '?kind=bogus')).toEqual({ page: 'review', projectId: 4, kind: undefined });
  });
});
