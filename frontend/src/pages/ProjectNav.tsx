// The links between a project's pages, the same on each (the current one is plain text).
import type { Project } from '../core/apiTypes';
import type { Route } from '../core/route';
import { Link } from './Link';

type Tab = 'items' | 'masks' | 'review' | 'exports' | 'jobs' | 'members' | 'metrics' | 'training' | 'settings';

export function ProjectNav({ project, current }: { project: Pick<Project, 'id' | 'kind'>; current: Tab }) {
  const projectId = project.id;
  const tabs: [Tab, string, Route][] = [
    ['items', project.kind === 'video' ? 'Videos' : 'Images',
      project.kind === 'video' ? { page: 'videos', projectId, pageNumber: 1 } : { page: 'images', projectId, pageNumber: 1 }],
    ...(project.kind === 'image' ? [['masks', 'Masks', { page: 'projectMasks', projectId }] as [Tab, string, Route]] : []),
    ['review', 'Review', { page: 'review', projectId }],
    ['exports', 'Exports', { page: 'exports', projectId }],
    ['jobs', 'Jobs', { page: 'jobs', projectId }],
    ['members', 'Members', { page: 'members', projectId }],
    ['metrics', 'Metrics', { page: 'metrics', projectId }],
    ['training', 'Training', { page: 'training', projectId }],
    ['settings', 'Settings', { page: 'settings', projectId }],
  ];
  return (
    <nav className="project-nav" aria-label="Project pages">
      {tabs.map(([tab, label, to]) => (tab === current
        ? <span key={tab} className="project-nav-current" aria-current="page">{label}</span>
        : <Link key={tab} to={to}>{label}</Link>))}
    </nav>
  );
}
