// An image project's work list: thumbnails, each image's state for the team (with the reason of a
// flag or skip and who holds it), filters by state with counts, "Annotate next" within the filter,
// and an annotator's decisions per image. Managers upload here.
import { useState } from 'react';
import { canManage } from '../core/api';
import type { WorkState } from '../core/apiTypes';
import { errorMessage } from '../core/apiErrors';
import { stageLabel } from '../core/stages';
import { rememberedStates, rememberStates, STATE_LABELS } from '../core/work';
import { plural } from '../core/words';
import { useApp } from './appContext';
import { Link } from './Link';
import { Pager } from './Pager';
import { ProjectNav } from './ProjectNav';
import { UploadPanel } from './UploadPanel';
import { useAsync } from './useAsync';
import { useLiveReload } from './useLiveReload';
import { StateFilter } from './work/StateFilter';
import { Thumbnail } from './work/Thumbnail';
import { WorkActions } from './work/WorkActions';

const EMBEDDING_LABEL = { ready: 'ready', pending: 'preparing…', failed: 'failed', none: 'not prepared' } as const;

export function ImagesPage({ projectId, pageNumber }: { projectId: number; pageNumber: number }) {
  const { api, navigate, user } = useApp();
  const [states, setStates] = useState<WorkState[]>(() => rememberedStates(projectId));
  const project = useAsync(() => api.project(projectId), [api, projectId]);
  const images = useAsync(() => api.images(projectId, pageNumber, states), [api, projectId, pageNumber, states]);
  const [nextError, setNextError] = useState<string | null>(null);
  const manager = canManage(project.data, user);
  const annotates = project.data?.role === 'annotator' || manager;
  // Embeddings being prepared: read the list again until their jobs say they are done.
  useLiveReload(images.data?.results.some((i) => i.embedding_status === 'pending') ?? false, images.reload, 1500);

  function filter(next: WorkState[]) {
    rememberStates(projectId, next);
    setStates(next);
    if (pageNumber !== 1) navigate({ page: 'images', projectId, pageNumber: 1 }, true);
  }

  async function startNext() {
    setNextError(null);
    try {
      const next = await api.nextImage(projectId, undefined, states);
      if (next) navigate({ page: 'annotate', imageId: next.id });
      else setNextError(states.length ? 'No image in the chosen states is left for you. Choose other states, or All.' : 'Every image in this project is done or held by someone else.');
    } catch (e) {
      setNextError(errorMessage(e));
    }
  }

  const empty = images.data && images.data.count === 0 && states.length === 0;
  return (
    <main className="page images-page">
      <nav className="breadcrumbs"><Link to={{ page: 'projects' }}>Projects</Link> / {project.data?.name ?? '…'}</nav>
      <div className="page-head">
        <h1>{project.data?.name ?? 'Project'}</h1>
        {project.data && <span className="muted">{project.data.images_done} / {plural(project.data.image_count, 'image')} done · {plural(project.data.mask_count, 'mask')}</span>}
        {project.data && <span className={`badge stage-badge stage-${project.data.stage}`}>{stageLabel(project.data.stage)}</span>}
        <span className="spacer" />
        {annotates && !empty && <button type="button" className="primary" onClick={startNext} data-testid="annotate-next">Annotate next image</button>}
      </div>
      {project.data && <ProjectNav project={project.data} current="items" />}
      {manager && <UploadPanel projectId={projectId} kind="image" onUploaded={() => { images.reload(); project.reload(); }} />}
      {nextError && <p className="notice">{nextError}</p>}
      {images.error && <p className="form-error" role="alert">{images.error}</p>}
      {empty && (
        <p className="notice" data-testid="first-run">
          No images yet. {manager ? 'Upload some above: drop files or choose them; each is checked and prepared for annotation.' : 'A manager of this project uploads them; then they appear here to annotate.'}
        </p>
      )}
      {!empty && <StateFilter counts={images.data?.state_counts ?? null} states={states} onChange={filter} />}
      {images.data && images.data.count === 0 && states.length > 0 && <p className="muted">No image is in the chosen states.</p>}
      {images.data && images.data.count > 0 && (
        <table className="table" data-testid="work-list">
          <thead><tr><th /><th>Image</th><th>State</th><th>Masks</th><th>Embedding</th><th /></tr></thead>
          <tbody>
            {images.data.results.map((image) => (
              <tr key={image.id} data-testid={`item-${image.id}`} data-state={image.state}>
                <td><Thumbnail path={image.thumbnail_url} alt={image.file_name} /></td>
                <td>
                  <Link to={{ page: 'annotate', imageId: image.id }}>{image.file_name || `image ${image.id}`}</Link>
                  <div className="muted small">{image.width}×{image.height}</div>
                </td>
                <td>
                  <span className={`state-badge state-${image.state}`}>{STATE_LABELS[image.state]}</span>
                  {image.state_reason && <div className="muted small">“{image.state_reason}”</div>}
                  {image.holders.length > 0 && <div className="muted small">held by {image.holders.map((h) => h.username).join(', ')}</div>}
                </td>
                <td>{image.mask_count}{image.proposal_count ? <span className="muted small"> +{image.proposal_count} proposed</span> : null}</td>
                <td><span className={`status status-${image.embedding_status}`}>{EMBEDDING_LABEL[image.embedding_status] ?? image.embedding_status}</span></td>
                <td>
                  {annotates && <WorkActions kind="image" id={image.id} state={image.state} onDone={() => { images.reload(); project.reload(); }} />}
                  <Link to={{ page: 'masks', imageId: image.id }}>masks</Link>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <Pager page={images.data} pageNumber={pageNumber} to={(n) => ({ page: 'images', projectId, pageNumber: n })} />
    </main>
  );
}
