import { useState } from 'react';
import { canManage } from '../core/api';
import { errorMessage } from '../core/apiErrors';
import { stageLabel } from '../core/stages';
import { useApp } from './appContext';
import { Link } from './Link';
import { Pager } from './Pager';
import { UploadPanel } from './UploadPanel';
import { useAsync } from './useAsync';

const EMBEDDING_LABEL = { ready: 'ready', pending: 'preparing…', failed: 'failed', none: 'not prepared' } as const;

export function ImagesPage({ projectId, pageNumber }: { projectId: number; pageNumber: number }) {
  const { api, navigate, user } = useApp();
  const project = useAsync(() => api.project(projectId), [api, projectId]);
  const images = useAsync(() => api.images(projectId, pageNumber), [api, projectId, pageNumber]);
  const [nextError, setNextError] = useState<string | null>(null);

  async function startNext() {
    setNextError(null);
    try {
      const next = await api.nextImage(projectId);
      if (next) navigate({ page: 'annotate', imageId: next.id });
      else setNextError('Every image in this project is done.');
    } catch (e) {
      setNextError(errorMessage(e));
    }
  }

  return (
    <main className="page">
      <nav className="breadcrumbs"><Link to={{ page: 'projects' }}>Projects</Link> / {project.data?.name ?? '…'}</nav>
      <div className="page-head">
        <h1>{project.data?.name ?? 'Project'}</h1>
        {project.data && (
          <span className="muted">{project.data.images_done} / {project.data.image_count} images done · {project.data.mask_count} masks</span>
        )}
        {project.data && <span className={`badge stage-badge stage-${project.data.stage}`}>{stageLabel(project.data.stage)}</span>}
        <span className="spacer" />
        <Link to={{ page: 'metrics', projectId }}>Metrics</Link>
        <Link to={{ page: 'training', projectId }}>Training</Link>
        <Link to={{ page: 'settings', projectId }}>Settings</Link>
        <button type="button" className="primary" onClick={startNext}>Annotate next image</button>
      </div>
      {canManage(project.data, user) && (
        <UploadPanel projectId={projectId} onUploaded={() => { images.reload(); project.reload(); }} />
      )}
      {nextError && <p className="notice">{nextError}</p>}
      {images.loading && <p className="muted">Loading images…</p>}
      {images.error && <p className="form-error" role="alert">{images.error}</p>}
      {images.data && images.data.count === 0 && <p className="muted">No images yet.{canManage(project.data, user) ? ' Upload some above.' : ''}</p>}
      <table className="table">
        <thead>
          <tr><th>Image</th><th>Size</th><th>Masks</th><th>Embedding</th><th /></tr>
        </thead>
        <tbody>
          {images.data?.results.map((image) => (
            <tr key={image.id}>
              <td><Link to={{ page: 'annotate', imageId: image.id }}>{image.file_name || `image ${image.id}`}</Link></td>
              <td>{image.width}×{image.height}</td>
              <td>{image.mask_count}</td>
              <td><span className={`status status-${image.embedding_status}`}>{EMBEDDING_LABEL[image.embedding_status] ?? image.embedding_status}</span></td>
              <td><Link to={{ page: 'masks', imageId: image.id }}>masks</Link></td>
            </tr>
          ))}
        </tbody>
      </table>
      <Pager page={images.data} pageNumber={pageNumber} to={(n) => ({ page: 'images', projectId, pageNumber: n })} />
    </main>
  );
}
