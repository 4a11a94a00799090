// The review queue of a project (reviewers and managers): the oldest submitted item first; accept (A),
// reject with a reason (R), or fix a mask with brush / eraser (F) — then the next item loads.
// Masklets are judged as a whole (accept / reject) over their frames with a scrubber.
import type { MaskletRecord, MaskRecord } from '../../core/apiTypes';
import { useApp } from '../appContext';
import { Link } from '../Link';
import { useAsync } from '../useAsync';
import { MaskletReview } from './MaskletReview';
import { MaskReview } from './MaskReview';
import type { QueueKind } from './reviewApi';
import { useReviewQueue } from './useReviewQueue';
import './review.css';

export function ReviewQueuePage({ projectId, kind: routeKind }: { projectId: number; kind?: QueueKind }) {
  const { api, navigate } = useApp();
  const project = useAsync(() => api.project(projectId), [api, projectId]);
  const kind: QueueKind | null = routeKind ?? (project.data ? (project.data.kind === 'video' ? 'masklet' : 'mask') : null);
  const review = useReviewQueue(api, projectId, kind);
  const { current, loadError, loaded, busy } = review;
  const forbidden = loadError && (loadError.status === 403 || loadError.status === 404);
  return (
    <main className="page review-page" data-testid="review-page">
      <nav className="breadcrumbs">
        <Link to={{ page: 'projects' }}>Projects</Link> / {project.data?.name ?? '…'} / Review
      </nav>
      <div className="page-head">
        <h1>Review queue</h1>
        {!forbidden && kind && (
          <div className="review-kinds">
            <button type="button" className={kind === 'mask' ? 'tool active' : 'tool'} aria-pressed={kind === 'mask'}
              onClick={() => navigate({ page: 'review', projectId, kind: 'mask' })}>Masks</button>
            <button type="button" className={kind === 'masklet' ? 'tool active' : 'tool'} aria-pressed={kind === 'masklet'}
              onClick={() => navigate({ page: 'review', projectId, kind: 'masklet' })}>Masklets</button>
          </div>
        )}
        {!forbidden && loaded && (
          <span className="badge" data-testid="review-remaining">{review.remaining} waiting</span>
        )}
        {review.decidedCount > 0 && <span className="badge muted">{review.decidedCount} decided here</span>}
        {review.notice && <p className="notice notice-ok review-notice" role="status" data-testid="review-notice">{review.notice}</p>}
      </div>
      {forbidden && (
        <div className="banner banner-error" role="alert" data-testid="review-forbidden">
          <strong>You cannot review this project.</strong> Only its reviewers and managers see the review queue
          {loadError.status === 403 ? ' (your role here does not allow reviewing).' : ' (the project is not shared with you).'}
          {' '}<Link to={{ page: 'projects' }}>Back to projects</Link>
        </div>
      )}
      {loadError && !forbidden && <p className="form-error" role="alert">Could not load the queue: {loadError.text}</p>}
      {project.error && !loadError && <p className="form-error">{project.error}</p>}
      {loaded && !loadError && !current && (
        <div className="notice" data-testid="review-empty">
          <strong>Nothing to review.</strong> Every submitted {kind === 'masklet' ? 'masklet' : 'mask'} of this project has been decided.
        </div>
      )}
      {current && kind === 'mask' && (
        <MaskReview key={`${current.id}:${(current as MaskRecord).version}`} mask={current as MaskRecord} busy={busy} onDecide={review.decideMask} categories={project.data?.categories} />
      )}
      {current && kind === 'masklet' && (
        <MaskletReview key={current.id} masklet={current as MaskletRecord} busy={busy} onDecide={review.decideMasklet} categories={project.data?.categories} />
      )}
    </main>
  );
}
