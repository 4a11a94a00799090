// A project's masks as one list (filter by status), to select many and set their category, accept
// them (proposals by annotators, submitted masks by reviewers) or reject them with a reason.
import { useState } from 'react';
import type { MaskStatus } from '../../core/apiTypes';
import { errorMessage } from '../../core/apiErrors';
import { useApp } from '../appContext';
import { Link } from '../Link';
import { ProjectNav } from '../ProjectNav';
import { useAsync } from '../useAsync';
import { BulkBar } from './BulkBar';
import { bulk, bulkSummary, projectMasks, type BulkAction } from './bulkApi';

const STATUSES: [MaskStatus | '', string][] = [['', 'All'], ['proposed', 'Proposed'], ['submitted', 'Submitted'], ['accepted', 'Accepted'], ['rejected', 'Rejected']];

export function BulkMasksPage({ projectId }: { projectId: number }) {
  const { api } = useApp();
  const [status, setStatus] = useState<MaskStatus | ''>('');
  const [pageNumber, setPageNumber] = useState(1);
  const [selected, setSelected] = useState<Set<number>>(new Set());
  const [message, setMessage] = useState<{ ok: boolean; text: string } | null>(null);
  const [busy, setBusy] = useState(false);
  const project = useAsync(() => api.project(projectId), [api, projectId]);
  const masks = useAsync(() => projectMasks(api, projectId, pageNumber, status), [api, projectId, pageNumber, status]);
  const categories = project.data?.categories ?? [];
  const rows = masks.data?.results ?? [];
  const allOnPage = rows.length > 0 && rows.every((m) => selected.has(m.id));

  function toggle(ids: number[], on: boolean) {
    const next = new Set(selected);
    for (const id of ids) if (on) next.add(id); else next.delete(id);
    setSelected(next);
  }

  async function run(action: BulkAction, extra: { category?: number | null; reason?: string }) {
    setBusy(true);
    setMessage(null);
    try {
      const result = await bulk(api, projectId, { kind: 'mask', ids: [...selected], action, ...extra });
      setMessage({ ok: result.refused.length === 0, text: bulkSummary(action, result) });
      setSelected(new Set(result.refused.map((r) => r.id)));
      masks.reload();
    } catch (e) {
      setMessage({ ok: false, text: errorMessage(e) });
    } finally {
      setBusy(false);
    }
  }

  return (
    <main className="page bulk-page">
      <nav className="breadcrumbs"><Link to={{ page: 'projects' }}>Projects</Link> / {project.data?.name ?? '…'} / Masks</nav>
      <div className="page-head"><h1>Masks{project.data ? `: ${project.data.name}` : ''}</h1>{masks.data && <span className="muted">{masks.data.count} masks</span>}</div>
      {project.data && <ProjectNav project={project.data} current="masks" />}
      <div className="filters" role="group" aria-label="Show masks">
        {STATUSES.map(([value, label]) => (
          <button key={label} type="button" className={value === status ? 'primary' : ''} aria-pressed={value === status} onClick={() => { setStatus(value); setPageNumber(1); }}>{label}</button>
        ))}
      </div>
      <BulkBar count={selected.size} categories={categories} busy={busy} onRun={(a, e) => void run(a, e)} onClear={() => setSelected(new Set())} />
      {message && <p className={message.ok ? 'notice-ok' : 'form-error'} role={message.ok ? 'status' : 'alert'} data-testid="bulk-message">{message.text}</p>}
      {masks.error && <p className="form-error" role="alert">{masks.error}</p>}
      {masks.data && masks.data.count === 0 && <p className="muted">No masks here yet. Annotate images, or switch the project to the semi-automatic stage for proposals.</p>}
      {rows.length > 0 && (
        <table className="table" data-testid="mask-table">
          <thead><tr>
            <th><input type="checkbox" aria-label="Select all on this page" checked={allOnPage} onChange={(e) => toggle(rows.map((m) => m.id), e.target.checked)} /></th>
            <th>Mask</th><th>Image</th><th>Category</th><th>Status</th><th>By</th><th>Seconds</th><th>Clicks</th><th>Model</th>
          </tr></thead>
          <tbody>
            {rows.map((m) => (
              <tr key={m.id} data-testid={`mask-${m.id}`}>
                <td><input type="checkbox" aria-label={`Select mask ${m.id}`} checked={selected.has(m.id)} onChange={(e) => toggle([m.id], e.target.checked)} /></td>
                <td>#{m.id} <span className="muted small">{m.area} px · {m.source}</span></td>
                <td><Link to={{ page: 'annotate', imageId: m.image }}>image {m.image}</Link></td>
                <td data-testid="category">{categories.find((c) => c.id === m.category)?.name ?? <span className="muted">none</span>}</td>
                <td><span className={`status mask-status-${m.status}`}>{m.status}</span></td>
                <td>{m.annotator ?? <span className="muted">model</span>}</td>
                <td>{m.seconds.toFixed(1)}</td>
                <td>{m.clicks}</td>
                <td className="small">{m.model_version || '—'}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {masks.data && (masks.data.next || masks.data.previous) && (
        <div className="pager">
          <button type="button" disabled={!masks.data.previous} onClick={() => setPageNumber(pageNumber - 1)}>← Previous</button>
          <span className="muted">Page {pageNumber}</span>
          <button type="button" disabled={!masks.data.next} onClick={() => setPageNumber(pageNumber + 1)}>Next →</button>
        </div>
      )}
    </main>
  );
}
