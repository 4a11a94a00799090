// "Sent back to me": the annotator's masks and masklets that reviewers rejected, with their reasons
// and a link to fix each (the image annotator for a mask, the video page for a masklet).
import { useApp } from '../appContext';
import { Link } from '../Link';
import { useAsync } from '../useAsync';
import type { ReviewRecord } from '../../core/apiTypes';
import { myRejections } from './reviewApi';
import { maskImages } from './sentBack';
import './review.css';

export function SentBackPage() {
  const { api } = useApp();
  const rejections = useAsync(async () => {
    const all: ReviewRecord[] = [];
    for (let page = 1; ; page++) {
      const answer = await myRejections(api, page);
      all.push(...answer.results);
      if (!answer.next) break;
    }
    // A mask's image (for the annotator's link): one mask read per rejected mask.
    const images = await maskImages(api, all);
    return { rows: all, images };
  }, [api]);
  const rows = rejections.data?.rows ?? [];
  return (
    <main className="page" data-testid="sent-back-page">
      <nav className="breadcrumbs"><Link to={{ page: 'projects' }}>Projects</Link> / Sent back to me</nav>
      <div className="page-head">
        <h1>Sent back to me</h1>
        {rejections.data && <span className="badge" data-testid="sent-back-count">{rows.length}</span>}
      </div>
      <p className="muted small">Items a reviewer rejected, with the reason. Fix one and save it: it goes back to the review queue.</p>
      {rejections.loading && !rejections.data && <p className="muted">Loading…</p>}
      {rejections.error && <p className="form-error" role="alert">{rejections.error}</p>}
      {rejections.data && rows.length === 0 && <p className="notice notice-ok" data-testid="sent-back-empty">Nothing was sent back to you.</p>}
      {rows.length > 0 && (
        <table className="table sent-back-table">
          <thead>
            <tr><th>Item</th><th>Reason</th><th>Reviewer</th><th>When</th><th /></tr>
          </thead>
          <tbody>
            {rows.map((row) => {
              const imageId = row.mask !== null ? rejections.data?.images.get(row.mask) : undefined;
              return (
                <tr key={row.id} data-testid="sent-back-row" data-mask={row.mask ?? ''} data-masklet={row.masklet ?? ''}>
                  <td>{row.mask !== null ? `Mask ${row.mask}` : `Masklet ${row.masklet}`}</td>
                  <td className="sent-back-reason">{row.reason || <span className="muted">(no reason)</span>}</td>
                  <td>{row.reviewer ?? '—'}</td>
                  <td className="small">{new Date(row.created_at).toLocaleString()}</td>
                  <td>
                    {row.mask !== null && imageId !== undefined && <Link to={{ page: 'annotate', imageId }}>Fix in the annotator →</Link>}
                    {row.masklet !== null && <Link to={{ page: 'videos', projectId: row.project }}>Fix in the project's videos →</Link>}
                  </td>
                </tr>
              );
            })}
          </tbody>
        </table>
      )}
    </main>
  );
}
