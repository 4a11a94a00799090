// The app's few pages as typed routes over the URL path (Django serves index.html for all of them).

export type Route =
  | { page: 'login'; next?: string }
  | { page: 'projects' }
  | { page: 'newProject' }
  | { page: 'images'; projectId: number; pageNumber: number }
  | { page: 'settings'; projectId: number }
  | { page: 'metrics'; projectId: number }
  | { page: 'training'; projectId: number }
  | { page: 'exports'; projectId: number }
  | { page: 'jobs'; projectId: number }
  | { page: 'members'; projectId: number }
  | { page: 'projectMasks'; projectId: number }
  | { page: 'annotate'; imageId: number }
  | { page: 'masks'; imageId: number }
  | { page: 'videos'; projectId: number; pageNumber?: number }
  | { page: 'video'; videoId: number }
  | { page: 'review'; projectId: number; kind?: 'mask' | 'masklet' }
  | { page: 'sentBack' }
  | { page: 'account' }
  | { page: 'plm'; videoId: number; tab?: 'qa' | 'captions' }
  | { page: 'notFound'; path: string };

export function parseRoute(pathname: string, search = ''): Route {
  const query = new URLSearchParams(search);
  const path = pathname.replace(/\/+$/, '') || '/';
  let m: RegExpMatchArray | null;
  if (path === '/login') return { page: 'login', next: query.get('next') ?? undefined };
  if (path === '/' || path === '/projects') return { page: 'projects' };
  if (path === '/projects/new') return { page: 'newProject' };
  if ((m = path.match(/^\/projects\/(\d+)\/settings$/))) return { page: 'settings', projectId: Number(m[1]) };
  if ((m = path.match(/^\/projects\/(\d+)\/metrics$/))) return { page: 'metrics', projectId: Number(m[1]) };
  if ((m = path.match(/^\/projects\/(\d+)\/training$/))) return { page: 'training', projectId: Number(m[1]) };
  if ((m = path.match(/^\/projects\/(\d+)\/exports$/))) return { page: 'exports', projectId: Number(m[1]) };
  if ((m = path.match(/^\/projects\/(\d+)\/jobs$/))) return { page: 'jobs', projectId: Number(m[1]) };
  if ((m = path.match(/^\/projects\/(\d+)\/members$/))) return { page: 'members', projectId: Number(m[1]) };
  if ((m = path.match(/^\/projects\/(\d+)\/masks$/))) return { page: 'projectMasks', projectId: Number(m[1]) };
  if ((m = path.match(/^\/projects\/(\d+)$/))) {
    return { page: 'images', projectId: Number(m[1]), pageNumber: Math.max(1, Number(query.get('page')) || 1) };
  }
  if ((m = path.match(/^\/images\/(\d+)$/))) return { page: 'annotate', imageId: Number(m[1]) };
  if ((m = path.match(/^\/images\/(\d+)\/masks$/))) return { page: 'masks', imageId: Number(m[1]) };
  if ((m = path.match(/^\/projects\/(\d+)\/videos$/))) {
    return { page: 'videos', projectId: Number(m[1]), pageNumber: Math.max(1, Number(query.get('page')) || 1) };
  }
  if ((m = path.match(/^\/videos\/(\d+)$/))) return { page: 'video', videoId: Number(m[1]) };
  if ((m = path.match(/^\/projects\/(\d+)\/review$/))) {
    const kind = query.get('kind');
    return { page: 'review', projectId: Number(m[1]), kind: kind === 'mask' || kind === 'masklet' ? kind : undefined };
  }
  if (path === '/me/sent-back') return { page: 'sentBack' };
  if (path === '/account') return { page: 'account' };
  if ((m = path.match(/^\/videos\/(\d+)\/plm$/))) {
    return { page: 'plm', videoId: Number(m[1]), tab: query.get('tab') === 'captions' ? 'captions' : 'qa' };
  }
  return { page: 'notFound', path };
}

export function routePath(route: Route): string {
  switch (route.page) {
    case 'login': return route.next ? `/login?next=${encodeURIComponent(route.next)}` : '/login';
    case 'projects': return '/';
    case 'newProject': return '/projects/new';
    case 'settings': return `/projects/${route.projectId}/settings`;
    case 'metrics': return `/projects/${route.projectId}/metrics`;
    case 'training': return `/projects/${route.projectId}/training`;
    case 'exports': return `/projects/${route.projectId}/exports`;
    case 'jobs': return `/projects/${route.projectId}/jobs`;
    case 'members': return `/projects/${route.projectId}/members`;
    case 'projectMasks': return `/projects/${route.projectId}/masks`;
    case 'images': return `/projects/${route.projectId}${route.pageNumber > 1 ? `?page=${route.pageNumber}` : ''}`;
    case 'annotate': return `/images/${route.imageId}`;
    case 'masks': return `/images/${route.imageId}/masks`;
    case 'videos': return `/projects/${route.projectId}/videos${(route.pageNumber ?? 1) > 1 ? `?page=${route.pageNumber}` : ''}`;
    case 'video': return `/videos/${route.videoId}`;
    case 'review': return `/projects/${route.projectId}/review${route.kind ? `?kind=${route.kind}` : ''}`;
    case 'sentBack': return '/me/sent-back';
    case 'account': return '/account';
    case 'plm': return `/videos/${route.videoId}/plm${route.tab === 'captions' ? '?tab=captions' : ''}`;
    case 'notFound': return route.path;
  }
}
