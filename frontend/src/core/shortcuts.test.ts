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
  it('maps the proposal keys, and lists them in the help', () => {
    expect(commandForKey({ key: 'a' })).toBe('acceptProposal');
    expect(commandForKey({ key: 'X', shiftKey: true })).toBe('rejectProposal');
    expect(commandForKey({ key: 'Tab' })).toBe('nextProposal');
    expect(commandForKey({ key: 'Tab', shiftKey: true })).toBe('previousProposal');
    expect(commandForKey({ key: 'a', ctrlKey: true })).toBeNull();
    const listed = SHORTCUTS.map((s) => s.command);
    for (const c of ['acceptProposal', 'rejectProposal', 'nextProposal'] as const) expect(listed).toContain(c);
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
      { page: 'newProject' }, { page: 'settings', projectId: 3 }, { page: 'metrics', projectId: 3 },
    ];
    for (const r of routes) {
      const [path, search] = routePath(r).split('?');
      expect(parseRoute(path, search ? `?${search}` : '')).toEqual(r);
    }
    expect(parseRoute('/nope')).toEqual({ page: 'notFound', path: '/nope' });
    expect(parseRoute('/images/4/')).toEqual({ page: 'annotate', imageId: 4 });
    expect(parseRoute('/projects/new/')).toEqual({ page: 'newProject' });
    expect(parseRoute('/projects/12/metrics')).toEqual({ page: 'metrics', projectId: 12 });
  });
});
