// A project's settings: its stage in the data engine (managers change it), in the fully automatic
// stage the job that annotates every image, the generator's settings, the QA taxonomy (video
// projects) and the categories.
import { useState } from 'react';
import { canManage } from '../../core/api';
import type { Project } from '../../core/apiTypes';
import { stageLabel } from '../../core/stages';
import { useApp } from '../appContext';
import { Link } from '../Link';
import { useAsync } from '../useAsync';
import { ProjectNav } from '../ProjectNav';
import { AutoAnnotate } from './AutoAnnotate';
import { CategoriesEditor } from './CategoriesEditor';
import { GeneratorSettings } from './GeneratorSettings';
import { StagePanel } from './StagePanel';
import { TaxonomyEditor } from './TaxonomyEditor';

export function SettingsPage({ projectId }: { projectId: number }) {
  const { api, user } = useApp();
  const loaded = useAsync(() => api.project(projectId), [api, projectId]);
  // The answer of a change shows at once; a reload of the project replaces it.
  const [changed, setChanged] = useState<{ over: Project | null; project: Project } | null>(null);
  const project = changed && changed.over === loaded.data ? changed.project : loaded.data;
  const manager = canManage(project, user);

  return (
    <main className="page settings-page">
      <nav className="breadcrumbs">
        <Link to={{ page: 'projects' }}>Projects</Link> /{' '}
        <Link to={{ page: 'images', projectId, pageNumber: 1 }}>{project?.name ?? '…'}</Link> / Settings
      </nav>
      <div className="page-head">
        <h1>Settings{project ? `: ${project.name}` : ''}</h1>
      </div>
      {project && <ProjectNav project={project} current="settings" />}
      {loaded.loading && <p className="muted">Loading…</p>}
      {loaded.error && <p className="form-error" role="alert">{loaded.error}</p>}
      {project && (
        <div className="settings-columns">
          <div className="settings-main">
            <StagePanel project={project} manager={manager} onChanged={(updated) => setChanged({ over: loaded.data, project: updated })} />
            {project.stage === 'auto' && manager && <AutoAnnotate project={project} onFinished={loaded.reload} />}
            {project.stage === 'auto' && !manager && (
              <section className="panel"><p className="muted">A manager runs the automatic annotation of this project.</p></section>
            )}
            {project.kind === 'image' && <GeneratorSettings key={`amg-${project.id}`} project={project} manager={manager} onChanged={(updated) => setChanged({ over: loaded.data, project: updated })} />}
            {project.kind === 'video' && <TaxonomyEditor key={`qa-${project.id}`} project={project} manager={manager} onChanged={(updated) => setChanged({ over: loaded.data, project: updated })} />}
            <CategoriesEditor project={project} manager={manager} onChanged={loaded.reload} />
          </div>
          <aside className="panel settings-side">
            <h2>Project</h2>
            <dl className="facts">
              <dt>Kind</dt><dd>{project.kind}</dd>
              <dt>Stage</dt><dd data-testid="current-stage">{stageLabel(project.stage)}</dd>
              <dt>Images</dt><dd>{project.images_done} / {project.image_count} with masks</dd>
              <dt>Masks</dt><dd>{project.mask_count}</dd>
              <dt>Your role</dt><dd>{project.role ?? (user?.is_staff ? 'staff' : '—')}</dd>
            </dl>
          </aside>
        </div>
      )}
    </main>
  );
}
