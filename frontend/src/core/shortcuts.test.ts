import { describe, expect, it } from 'vitest';
import { commandForKey, SHORTCUTS } from './shortcuts';
import { parseRoute, routePath, type Route } from './route';

describe('shortcuts', () => {
  it('maps the annotator keys', () => {
    expect(commandForKey({ key: 'z', ctrlKey: true })).toBe('undo');
    expect(commandForKey({ key: 'Z', ctrlKey: true, shiftKey: true })).toBe('redo');
    expect(commandForKey({ key: 'z', metaKey: true, shiftKey: true })).toBe('redo');
    expect(commandForKey({ key: 'y', ctrlKey: true })).toBe('redo');
    expect(commandForKey({ key: '2' })).toBe('candidate2');
    expect(commandForKey({ key: 'B' })).toBe('toolBrush');
    expect(commandForKey({ key: 'Enter' })).toBe('save');
    expect(commandForKey({ key: 's' })).toBe('save');
    expect(commandForKey({ key: 'n' })).toBe('saveNext');
    expect(commandForKey({ key: '?', shiftKey: true })).toBe('help');
    expect(commandForKey({ key: 'C', shiftKey: true })).toBe('previousCategory');
    expect(commandForKey({ key: 's', ctrlKey: true })).toBeNull();
    expect(commandForKey({ key: 'q' })).toBeNull();
  });
  it('every help row names a command the map produces', () => {
    for (const s of SHORTCUTS) expect(s.command).toBeTruthy();
  });
});

describe('routes', () => {
  it('round-trips', () => {
    const routes: Route[] = [
      { page: 'projects' }, { page: 'images', projectId: 3, pageNumber: 2 }, { page: 'annotate', imageId: 9 },
      { page: 'masks', imageId: 9 }, { page: 'login', next: '/images/9' },
    ];
    for (const r of routes) {
      const [path, search] = routePath(r).split('?');
      expect(parseRoute(path, search ? `?${search}` : '')).toEqual(r);
    }
    expect(parseRoute('/nope')).toEqual({ page: 'notFound', path: '/nope' });
    expect(parseRoute('/images/4/')).toEqual({ page: 'annotate', imageId: 4 });
  });
});
