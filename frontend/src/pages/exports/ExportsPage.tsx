// A project's exports (researchers, managers): start one in any format the project's kind has, and
// the history of earlier ones, whose states are read from their jobs while any runs.
import { useState } from 'react';
import { isFinalJob } from '../../core/api';
import type { ExportCreate } from '../../core/apiTypes';
import { useApp } from '../appContext';
import { Link } from '../Link';
import { ProjectNav } from '../ProjectNav';
import { useAsync } from '../useAsync';
import { useLiveReload } from '../useLiveReload';
import { ExportForm } from './ExportForm';
import { ExportHistory } from './ExportHistory';
import { projectExports, startExport } from './exportsApi';

export function ExportsPage({ projectId }: { projectId: number }) {
  const { api } = useApp();
  const [error, setError] = useState<string | null>(null);
  const project = useAsync(() => api.project(projectId), [api, projectId]);
  const exports = useAsync(() => projectExports(api, projectId), [api, projectId]);
  const running = exports.data?.results.some((e) => !isFinalJob(e.job)) ?? false;
  useLiveReload(running, exports.reload);
  const mayExport = project.data && project.data.role !== 'annotator' && project.data.role !== 'reviewer';

  async function start(body: ExportCreate) {
    await startExport(api, projectId, body);
    exports.reload();
  }

  return (
    <main className="page exports-page">
      <nav className="breadcrumbs">
        <Link to={{ page: 'projects' }}>Projects</Link> / {project.data?.name ?? '…'} / Exports
      </nav>
      <div className="page-head"><h1>Exports{project.data ? `: ${project.data.name}` : ''}</h1></div>
      {project.data && <ProjectNav project={project.data} current="exports" />}
      {project.error && <p className="form-error" role="alert">{project.error}</p>}
      {project.data && (mayExport
        ? <ExportForm kind={project.data.kind} onStart={start} />
        : <p className="notice">Researchers and managers export this project; you can see its earlier exports.</p>)}
      <h2>Earlier exports</h2>
      {error && <p className="form-error" role="alert">{error}</p>}
      {exports.error && <p className="form-error" role="alert">{exports.error}</p>}
      {exports.data && <ExportHistory exports={exports.data.results} onError={setError} />}
    </main>
  );
}
