// Retraining schedules (managers and staff): each schedule's clock and/or mask threshold, its
// recipe, when it runs next, pause / resume / delete, and what its latest runs did.
import type { ScheduledRun, TrainingSchedule } from '../../core/apiTypes';
import { when } from './RoundCard';
import { ScheduleForm } from './ScheduleForm';
import type { Schedules } from './useSchedules';

const OUTCOME_TEXT: Record<ScheduledRun['outcome'], string> = {
  started: 'started a round',
  skipped_running: 'skipped: a round was running',
  skipped_few_masks: 'skipped: too few new masks',
  failed: 'failed',
};

/** "every 6 hours", "at cron 0 3 * * * (UTC)", "after every 200 new masks", joined. */
export function describeSchedule(s: Pick<TrainingSchedule, 'every' | 'period' | 'cron' | 'every_masks'>): string {
  const parts: string[] = [];
  if (s.every !== null && s.period) parts.push(`every ${s.every === 1 ? s.period.replace(/s$/, '') : `${s.every} ${s.period}`}`);
  if (s.cron) parts.push(`at cron ${s.cron} (UTC)`);
  if (s.every_masks !== null) parts.push(`after every ${s.every_masks} new mask${s.every_masks === 1 ? '' : 's'}`);
  return parts.join(' and ');
}

function recipe(s: TrainingSchedule): string {
  const c = s.config;
  const parts = [c.steps ? `${c.steps} steps` : 'default steps', `trains ${c.trainable ?? 'the default part'}`];
  parts.push(`gate ${c.gate_metric ?? "the project's"}`);
  return parts.join(' · ');
}

function RunRow({ run }: { run: ScheduledRun }) {
  return (
    <li data-testid="schedule-run" data-outcome={run.outcome}>
      <span className="muted">{when(run.created_at)}</span>{' '}
      <span className={`badge run-${run.outcome}`}>{OUTCOME_TEXT[run.outcome]}</span>{' '}
      <span className="small">{run.trigger === 'masks' ? '(new masks) ' : ''}{run.message}{run.round_state ? ` — round ${run.round_state}` : ''}</span>
    </li>
  );
}

function ScheduleCard({ schedule, runs, busy, onPause, onDelete }: {
  schedule: TrainingSchedule; runs: ScheduledRun[]; busy: boolean;
  onPause: (paused: boolean) => void; onDelete: () => void;
}) {
  return (
    <li className="round-card schedule-card" data-testid="schedule" data-paused={schedule.paused ? 'true' : 'false'}>
      <div className="round-head">
        <strong>{schedule.name || `Schedule ${schedule.id}`}</strong>
        <span>{describeSchedule(schedule)}</span>
        {schedule.paused && <span className="badge muted">paused</span>}
        <span className="spacer" />
        <button type="button" disabled={busy} onClick={() => onPause(!schedule.paused)}>{schedule.paused ? 'Resume' : 'Pause'}</button>
        <button type="button" className="danger" disabled={busy} onClick={onDelete}>Delete</button>
      </div>
      <div className="small muted">
        {recipe(schedule)}
        {schedule.every !== null || schedule.cron ? ` · timed runs need ${schedule.min_new_masks} new mask${schedule.min_new_masks === 1 ? '' : 's'}` : ''}
      </div>
      <div className="small">
        next run:{' '}
        {schedule.next_run_at
          ? <time data-testid="next-run" dateTime={schedule.next_run_at}><strong>{when(schedule.next_run_at)}</strong></time>
          : <strong data-testid="next-run">{schedule.paused ? 'paused' : 'when enough new masks are accepted'}</strong>}
      </div>
      {runs.length > 0 ? (
        <ul className="schedule-runs">{runs.slice(0, 8).map((run) => <RunRow key={run.id} run={run} />)}</ul>
      ) : <p className="small muted schedule-runs">No runs yet.</p>}
    </li>
  );
}

export function SchedulesSection({ state, gateMetric }: { state: Schedules; gateMetric?: string }) {
  const { items, busy, error } = state;
  return (
    <section className="panel schedules" data-testid="schedules">
      <div className="section-head">
        <h2 className="section-title">Schedules</h2>
        <span className="muted small">Rounds that start by themselves; one round at a time, a busy tick is skipped.</span>
      </div>
      {error && <p className="form-error" role="alert" data-testid="schedule-error">{error}</p>}
      {items && items.length === 0 && <p className="muted small">No schedules yet.</p>}
      <ul className="round-list">
        {(items ?? []).map(({ schedule, runs }) => (
          <ScheduleCard key={schedule.id} schedule={schedule} runs={runs} busy={busy}
            onPause={(paused) => void state.setPaused(schedule, paused)}
            onDelete={() => { if (window.confirm(`Delete ${schedule.name || `schedule ${schedule.id}`} and its history?`)) void state.remove(schedule); }} />
        ))}
      </ul>
      <ScheduleForm busy={busy} gateMetric={gateMetric} onCreate={state.create} />
    </section>
  );
}
