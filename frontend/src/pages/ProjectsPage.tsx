import { useApp } from './appContext';
import { Link } from './Link';
import { useAsync } from './useAsync';
import type { Page, Project } from '../core/apiTypes';
import { stageLabel } from '../core/stages';
import { plural } from '../core/words';
import { ProjectVideoLinks } from './video/ProjectVideoLinks';

function Progress({ done, total }: { done: number; total: number }) {
  const fraction = total > 0 ? done / total : 0;
  return (
    <div className="progress" title={`${done} of ${total} done`}>
      <div className="progress-bar" style={{ width: `${Math.round(fraction * 100)}%` }} />
      <span className="progress-label">{done} / {total} done</span>
    </div>
  );
}

export function ProjectsPage() {
  const { api } = useApp();
  const projects = useAsync<Page<Project>>(() => api.projects(), [api]);
  return (
    <main className="page">
      <div className="page-head">
        <h1>Projects</h1>
        <span className="spacer" />
        <Link to={{ page: 'newProject' }} className="button primary">New project</Link>
      </div>
      {projects.loading && <p className="muted">Loading projects…</p>}
      {projects.error && <p className="form-error" role="alert">{projects.error}</p>}
      {projects.data && projects.data.results.length === 0 && <p className="muted">You are not a member of any project yet. Create one with New project.</p>}
      <ul className="card-list">
        {projects.data?.results.map((p) => (
          <li key={p.id} className="card">
            <div className="card-head">
              {p.kind === 'image'
                ? <Link to={{ page: 'images', projectId: p.id, pageNumber: 1 }} className="card-title">{p.name}</Link>
                : <Link to={{ page: 'videos', projectId: p.id, pageNumber: 1 }} className="card-title">{p.name}</Link>}
              <span className="badge">{p.kind}</span>
              <span className={`badge stage-badge stage-${p.stage}`}>{stageLabel(p.stage)}</span>
              <span className="badge muted">{p.role}</span>
            </div>
            <div className="counts">
              {p.kind === 'image' ? <span>{plural(p.image_count, 'image')}</span> : <span>{plural(p.video_count, 'video')}</span>}
              <span>{plural(p.mask_count, 'mask')}</span>
              <span>{plural(p.categories.length, 'category', 'categories')}</span>
            </div>
            {p.kind === 'image' && <Progress done={p.images_done} total={p.image_count} />}
            {p.kind === 'image' && (
              <div className="card-links small">
                <Link to={{ page: 'metrics', projectId: p.id }}>Metrics</Link>
                <Link to={{ page: 'training', projectId: p.id }}>Training</Link>
                <Link to={{ page: 'settings', projectId: p.id }}>Settings</Link>
              </div>
            )}
            {p.kind === 'video' && <ProjectVideoLinks projectId={p.id} />}
            {(p.role === 'reviewer' || p.role === 'manager') && (
              <div className="card-links small"><Link to={{ page: 'review', projectId: p.id }}>Review queue</Link></div>
            )}
          </li>
        ))}
      </ul>
    </main>
  );
}
