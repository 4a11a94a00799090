import { describe, expect, it } from 'vitest';
import { parseRoute, routePath, type Route } from './route';

describe('routes', () => {
  it('round-trips', () => {
    const routes: Route[] = [
      { page: 'projects' }, { page: 'images', projectId: 3, pageNumber: 2 }, { page: 'annotate', imageId: 9 },
      { page: 'masks', imageId: 9 }, { page: 'login', next: '/images/9' },
      { page: 'newProject' }, { page: 'settings', projectId: 3 }, { page: 'metrics', projectId: 3 },
      { page: 'exports', projectId: 3 }, { page: 'jobs', projectId: 3 }, { page: 'members', projectId: 3 }, { page: 'projectMasks', projectId: 3 },
      { page: 'account' },
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
