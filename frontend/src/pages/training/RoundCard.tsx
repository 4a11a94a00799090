// One retraining round: its trigger, state and job (progress, cancel while it runs), the versions it
// went from and to, the held-out comparison of candidate and serving model, and its log.
import { isFinalJob } from '../../core/api';
import type { TrainingRound } from '../../core/apiTypes';
import { JobBar } from '../JobBar';
import { ComparisonChart } from './charts';
import { hasMetrics, roundComparison } from './series';

/** A date and time for a person (the ISO text when it does not parse); a dash for none. */
export function when(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

function PromotedBadge({ round }: { round: TrainingRound }) {
  if (round.promoted === true) return <span className="badge round-promoted">promoted</span>;
  if (round.promoted === false) return <span className="badge round-kept">stays a candidate</span>;
  return <span className="badge muted">not decided</span>;
}

export function RoundCard({ round, number, gateMetric, manager, onCancel, busy }: {
  round: TrainingRound; number: number; gateMetric?: string; manager: boolean; onCancel: (round: TrainingRound) => void; busy: boolean;
}) {
  const active = !isFinalJob(round.job);
  const gate = round.candidate?.metrics?.gate_metric ?? gateMetric;
  return (
    <li className="round-card" data-testid="round" data-round={number} data-state={round.job.state}>
      <div className="round-head">
        <strong>Round {number}</strong>
        <span className="badge">{round.trigger}</span>
        <span className={`status job-state-${round.job.state}`} data-testid="round-state">{round.job.state}</span>
        {!active && round.job.state === 'succeeded' && <PromotedBadge round={round} />}
        <span className="muted small">{round.masks_used} masks used · {when(round.created_at)} · job {round.job.id}</span>
      </div>
      <div className="round-versions small muted">
        {round.parent_version ? <code>{round.parent_version}</code> : 'serving model'} → {round.candidate ? <code>{round.candidate.version}</code> : active ? 'candidate not made yet' : 'no candidate'}
      </div>
      {active && (
        <div className="round-job" data-testid="running-round">
          <JobBar job={round.job} />
          <div className="row">
            <span className="muted small">{round.job.message || (round.job.state === 'queued' ? 'waiting for a training worker' : '')}</span>
            <span className="spacer" />
            {manager && <button type="button" className="danger" onClick={() => onCancel(round)} disabled={busy}>Cancel</button>}
          </div>
        </div>
      )}
      {round.job.state === 'failed' && round.job.message && <p className="form-error small">{round.job.message}</p>}
      <div className="round-body">
        {hasMetrics(round)
          ? <ComparisonChart comparisons={roundComparison(round)} gateMetric={gate} testId="round-compare" />
          : <p className="muted small round-nometrics">No held-out figures{active ? ' yet' : ''}.</p>}
        <div className="round-log-box">
          <div className="small muted">Log</div>
          <pre className="round-log" data-testid="round-log">{round.log || (active ? 'nothing logged yet' : '(empty)')}</pre>
        </div>
      </div>
    </li>
  );
}
