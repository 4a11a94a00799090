// The saved masks of one image, with their logged cost (seconds, clicks) and provenance.
import { useApp } from './appContext';
import { Link } from './Link';
import { useAsync } from './useAsync';

export function MaskListPage({ imageId }: { imageId: number }) {
  const { api } = useApp();
  const data = useAsync(async () => {
    const image = await api.image(imageId);
    const [project, masks] = await Promise.all([api.project(image.project), api.masks(imageId)]);
    return { image, project, masks };
  }, [api, imageId]);
  const categoryName = (id: number | null) => data.data?.project.categories.find((c) => c.id === id)?.name ?? '—';
  return (
    <main className="page">
      {data.data && (
        <nav className="breadcrumbs">
          <Link to={{ page: 'projects' }}>Projects</Link> /{' '}
          <Link to={{ page: 'images', projectId: data.data.project.id, pageNumber: 1 }}>{data.data.project.name}</Link> /{' '}
          {data.data.image.file_name}
        </nav>
      )}
      <div className="page-head">
        <h1>Masks of {data.data?.image.file_name ?? `image ${imageId}`}</h1>
        <span className="spacer" />
        <Link to={{ page: 'annotate', imageId }} className="button primary">Open in the annotator</Link>
      </div>
      {data.loading && <p className="muted">Loading…</p>}
      {data.error && <p className="form-error" role="alert">{data.error}</p>}
      {data.data && data.data.masks.length === 0 && <p className="muted">No masks yet.</p>}
      {data.data && data.data.masks.length > 0 && (
        <table className="table">
          <thead>
            <tr><th>#</th><th>Category</th><th>Area</th><th>Bbox (x, y, w, h)</th><th>Source</th><th>Status</th><th>Seconds</th><th>Clicks</th><th>Model</th><th>Version</th><th>Updated</th></tr>
          </thead>
          <tbody>
            {data.data.masks.map((m) => (
              <tr key={m.id}>
                <td>{m.id}</td>
                <td>{categoryName(m.category)}</td>
                <td>{m.area}</td>
                <td>{m.bbox.join(', ')}</td>
                <td>{m.source}</td>
                <td>{m.status}</td>
                <td>{m.seconds}</td>
                <td>{m.clicks}</td>
                <td>{m.model_version ?? '—'}</td>
                <td>{m.version}</td>
                <td>{m.updated_at ? new Date(m.updated_at).toLocaleString() : ''}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </main>
  );
}
