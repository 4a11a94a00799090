// A project's retraining: start a round (managers), follow the running one (progress, cancel, log),
// the held-out figures per round and across rounds, the model versions (promote, roll back), the
// project's clicks-per-mask trend, (managers) the retraining schedules, and the simulator's runs
// (SimulationPanel). Data and actions are in useTraining and useSchedules; shaping in series.ts.
import { useState } from 'react';
import { canManage } from '../../core/api';
import type { MetricsRow, TrainingRound } from '../../core/apiTypes';
import { LineChart } from '../LineChart';
import { Link } from '../Link';
import { useApp } from '../appContext';
import { useAsync } from '../useAsync';
import { RoundBarChart, RoundLineChart, CANDIDATE_COLOR, SERVING_COLOR } from './charts';
import { RoundCard } from './RoundCard';
import { SchedulesSection } from './SchedulesSection';
import { SimulationPanel } from './SimulationPanel';
import { dailySeries, masksUsedSeries, roundMetricSeries } from './series';
import { useSchedules } from './useSchedules';
import { useTraining, type Notice } from './useTraining';
import { VersionTable } from './VersionTable';
import './training.css';

const NOTICE_CLASS: Record<Notice['kind'], string> = {
  queued: 'notice-ok', ok: 'notice-ok', running: 'notice start-notice', error: 'form-error',
};

function TrainingCharts({ rounds, trend }: { rounds: TrainingRound[]; trend: MetricsRow[] }) {
  const count = rounds.length;
  const versus = (metric: string) => [
    { key: 'candidate', label: 'candidate', color: CANDIDATE_COLOR, points: roundMetricSeries(rounds, metric) },
    { key: 'serving', label: 'serving model then', color: SERVING_COLOR, dashed: true, points: roundMetricSeries(rounds, metric, 'parent') },
  ];
  return (
    <div className="charts" data-testid="training-charts">
      <RoundLineChart
        title="NoC@90 across rounds" help="clicks to reach IoU 0.90 on held-out masks" metric="NoC@90" count={count}
        testId="chart-noc90" series={versus('NoC@90')}
      />
      <RoundLineChart
        title="mIoU@1 across rounds" help="IoU after one click on held-out masks" metric="mIoU@1" count={count} yMax={1}
        testId="chart-miou1" series={versus('mIoU@1')}
      />
      <RoundBarChart title="Masks used per round" help="accepted masks trained on" points={masksUsedSeries(rounds)} count={count} testId="chart-masks-used" />
      <LineChart
        title="Clicks per mask" help="by people, per day" testId="chart-clicks"
        series={[dailySeries(trend, 'clicks_per_mask', 'clicks per mask', CANDIDATE_COLOR)]}
      />
    </div>
  );
}

function StartRound({ manager, busy, notice, onStart, blocked }: {
  manager: boolean; busy: boolean; notice: Notice | null; onStart: (steps: number | null) => void; blocked: string | null;
}) {
  const [steps, setSteps] = useState('');
  const parsed = Number(steps);
  return (
    <section className="panel training-start" data-testid="start-round">
      <div className="row">
        {manager ? (
          <>
            <button type="button" className="primary" disabled={busy || !!blocked} title={blocked ?? undefined}
              onClick={() => onStart(steps.trim() && parsed > 0 ? Math.round(parsed) : null)}>Start round</button>
            <label className="small muted">
              steps{' '}
              <input type="number" min={1} max={1000000} value={steps} onChange={(e) => setSteps(e.target.value)}
                placeholder="default" className="steps-input" name="steps" />
            </label>
            <span className="muted small start-help">
              A round fine-tunes the serving model on the project's accepted masks, evaluates it against the serving model
              on held-out masks, and promotes it only if it is better on the gate figure.
            </span>
          </>
        ) : (
          <span className="muted small">Only the project's managers start rounds, promote and roll back model versions.</span>
        )}
      </div>
      {notice && (
        <p className={NOTICE_CLASS[notice.kind]} data-testid="start-notice" data-kind={notice.kind} role="status">{notice.text}</p>
      )}
    </section>
  );
}

export function TrainingPage({ projectId }: { projectId: number }) {
  const { api, user } = useApp();
  const projectState = useAsync(() => api.project(projectId), [api, projectId]);
  const trend = useAsync(() => api.metrics(projectId, ['day']), [api, projectId]);
  const training = useTraining(api, projectId, projectState.reload);
  const { rounds, versions, busy } = training;
  const project = projectState.data;
  const manager = canManage(project, user);
  const schedules = useSchedules(api, projectId, manager);
  const gateMetric = project?.gate_metric;
  const activeVersion = versions?.find((v) => v.status === 'active') ?? null;

  return (
    <main className="page training-page">
      <nav className="breadcrumbs">
        <Link to={{ page: 'projects' }}>Projects</Link> /{' '}
        <Link to={{ page: 'images', projectId, pageNumber: 1 }}>{project?.name ?? '…'}</Link> / Training
      </nav>
      <div className="page-head">
        <h1>Training{project ? `: ${project.name}` : ''}</h1>
        <span className="muted" data-testid="serving">
          serving {activeVersion ? <code>{activeVersion.version}</code> : "the deployment's default model"}
          {gateMetric ? ` · gate ${gateMetric}` : ''}
        </span>
        <span className="spacer" />
        <button type="button" onClick={() => { void training.reload(); trend.reload(); }} disabled={busy}>Refresh</button>
        <Link to={{ page: 'metrics', projectId }}>Metrics</Link>
        <Link to={{ page: 'settings', projectId }}>Settings</Link>
      </div>
      {training.loadError && <p className="form-error" role="alert">{training.loadError}</p>}
      {projectState.error && <p className="form-error" role="alert">{projectState.error}</p>}

      {project?.learned_model_missing && <p className="banner banner-warning" data-testid="needs-model">Rounds are off: {project.learned_model_missing}</p>}
      <StartRound manager={manager} busy={busy} notice={training.startNotice} onStart={(steps) => void training.start(steps)} blocked={project?.learned_model_missing ?? null} />
      {manager && <SchedulesSection state={schedules} gateMetric={gateMetric} />}
      {rounds && <TrainingCharts rounds={rounds} trend={trend.data?.rows ?? []} />}

      <SimulationPanel projectId={projectId} />

      <h2 className="section-title">Rounds</h2>
      {!rounds && !training.loadError && <p className="muted">Loading rounds…</p>}
      {rounds && rounds.length === 0 && <p className="muted">No rounds yet.{manager ? ' Start one above.' : ''}</p>}
      <ul className="round-list" data-testid="rounds">
        {(rounds ?? []).map((r) => (
          <RoundCard key={r.id} round={r} number={training.numbers.get(r.id) ?? 0} gateMetric={gateMetric} manager={manager}
            onCancel={(x) => void training.cancel(x)} busy={busy} />
        ))}
      </ul>

      <div className="section-head">
        <h2 className="section-title">Model versions</h2>
        <span className="spacer" />
        {manager && (
          <button type="button" onClick={() => void training.rollBack()} disabled={busy || !activeVersion} data-testid="rollback"
            title="Serve the version the current one was trained from again">
            Roll back
          </button>
        )}
      </div>
      {training.versionNotice && (
        <p className={NOTICE_CLASS[training.versionNotice.kind]} data-testid="version-notice" role="status">{training.versionNotice.text}</p>
      )}
      {versions && <VersionTable versions={versions} gateMetric={gateMetric} manager={manager} busy={busy} onPromote={(v) => void training.promote(v)} />}
    </main>
  );
}
