// A project's retraining: start a round (managers), follow the running one (progress, cancel, log),
// the held-out figures per round and across rounds, the model versions (promote, roll back), and
// the project's clicks-per-mask trend. Logic lives in series.ts; this file is layout.
import { useCallback, useEffect, useMemo, useState } from 'react';
import { ApiError, canManage, isFinalJob, waitForJob, type Job, type MetricsRow, type Project } from '../../core/api';
import { LineChart } from '../LineChart';
import { Link } from '../Link';
import { useApp } from '../appContext';
import { useAsync } from '../useAsync';
import { ComparisonChart, RoundBarChart, RoundLineChart, CANDIDATE_COLOR, SERVING_COLOR } from './charts';
import {
  dailySeries, formatFigure, hasMetrics, masksUsedSeries, roundComparison, roundMetricSeries, roundNumbers,
} from './series';
import {
  modelVersions, promoteVersion, rollback, round as fetchRound, RoundRunning, rounds as fetchRounds, startRound,
  type ModelVersion, type TrainingRound,
} from './trainingApi';
import './training.css';

/** Fields of the project the training page reads that api.ts's Project may not list yet. */
type TrainingProject = Project & { gate_metric?: string; active_model_version?: number | null };

interface StartNotice { kind: 'queued' | 'running' | 'error'; text: string }

function message(e: unknown): string {
  return e instanceof ApiError ? e.detail : String((e as Error)?.message ?? e);
}

function when(iso: string | null | undefined): string {
  if (!iso) return '—';
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

function JobBar({ job }: { job: Job }) {
  const percent = job.state === 'succeeded' ? 100 : Math.round((job.progress ?? 0) * 100);
  return (
    <div className="progress" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent}>
      <div className={`progress-bar job-${job.state}`} style={{ width: `${percent}%` }} />
      <span className="progress-label">{percent}%</span>
    </div>
  );
}

function PromotedBadge({ round }: { round: TrainingRound }) {
  if (round.promoted === true) return <span className="badge round-promoted">promoted</span>;
  if (round.promoted === false) return <span className="badge round-kept">stays a candidate</span>;
  return <span className="badge muted">not decided</span>;
}

function RoundCard({ round, number, gateMetric, manager, onCancel, busy }: {
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

function VersionTable({ versions, gateMetric, manager, busy, onPromote }: {
  versions: ModelVersion[]; gateMetric?: string; manager: boolean; busy: boolean; onPromote: (v: ModelVersion) => void;
}) {
  if (versions.length === 0) return <p className="muted small">No trained versions yet: the project uses the deployment's default model.</p>;
  const gate = gateMetric ?? 'NoC@90';
  return (
    <table className="table versions-table" data-testid="model-versions">
      <thead>
        <tr>
          <th>Version</th><th>Status</th><th>Parent</th><th className="num">{gate} candidate</th><th className="num">{gate} serving then</th>
          <th className="num">Masks</th><th>Created</th><th>Promoted</th><th />
        </tr>
      </thead>
      <tbody>
        {versions.map((v) => (
          <tr key={v.id} data-testid="model-version" data-status={v.status}>
            <td><code>{v.version}</code></td>
            <td><span className={`badge version-${v.status}`}>{v.status}</span></td>
            <td className="small">{v.parent_version ? <code>{v.parent_version}</code> : '—'}</td>
            <td className="num">{formatFigure(gate, v.metrics?.candidate?.[gate])}</td>
            <td className="num">{formatFigure(gate, v.metrics?.parent?.[gate])}</td>
            <td className="num">{typeof v.snapshot?.masks === 'number' ? v.snapshot.masks : '—'}</td>
            <td className="small">{when(v.created_at)}</td>
            <td className="small">{when(v.promoted_at)}</td>
            <td>
              {manager && v.status !== 'active' && (
                <button type="button" onClick={() => onPromote(v)} disabled={busy}>Promote</button>
              )}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function TrainingPage({ projectId }: { projectId: number }) {
  const { api, user } = useApp();
  const projectState = useAsync(() => api.project(projectId) as Promise<TrainingProject>, [api, projectId]);
  const trend = useAsync(() => api.metrics(projectId, ['day']), [api, projectId]);
  const project = projectState.data;
  const manager = canManage(project, user);

  const [rounds, setRounds] = useState<TrainingRound[] | null>(null);
  const [versions, setVersions] = useState<ModelVersion[] | null>(null);
  const [loadError, setLoadError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const [steps, setSteps] = useState('');
  const [startNotice, setStartNotice] = useState<StartNotice | null>(null);
  const [versionNotice, setVersionNotice] = useState<{ ok: boolean; text: string } | null>(null);

  const load = useCallback(async () => {
    try {
      const [r, v] = await Promise.all([fetchRounds(api, projectId), modelVersions(api, projectId)]);
      setRounds(r);
      setVersions(v);
      setLoadError(null);
    } catch (e) {
      setLoadError(message(e));
    }
  }, [api, projectId]);

  useEffect(() => { void load(); }, [load]);

  const replaceRound = useCallback((next: TrainingRound) => {
    setRounds((list) => {
      if (!list) return [next];
      return list.some((r) => r.id === next.id) ? list.map((r) => (r.id === next.id ? next : r)) : [next, ...list];
    });
  }, []);

  // Follow the running round: its job for progress, the round itself (its log) when the message changes.
  const running = rounds?.find((r) => !isFinalJob(r.job)) ?? null;
  const runningJobId = running?.job.id ?? null;
  const runningRoundId = running?.id ?? null;
  useEffect(() => {
    if (runningJobId === null || runningRoundId === null) return;
    const abort = new AbortController();
    let lastMessage: string | null = null;
    waitForJob(api, runningJobId, {
      signal: abort.signal, intervalMs: 1000,
      onProgress: (job) => {
        if (abort.signal.aborted) return;
        // Final: the round has its candidate, figures and decision now; so may the versions.
        if (isFinalJob(job)) { void load(); return; }
        setRounds((list) => list?.map((r) => (r.id === runningRoundId ? { ...r, job } : r)) ?? list);
        if (job.message !== lastMessage) {
          lastMessage = job.message;
          fetchRound(api, runningRoundId).then((r) => { if (!abort.signal.aborted) replaceRound(r); }).catch(() => undefined);
        }
      },
    })
      .catch((e: unknown) => { if (!abort.signal.aborted) setLoadError(message(e)); });
    return () => abort.abort();
  }, [api, runningJobId, runningRoundId, load, replaceRound]);

  const numbers = useMemo(() => roundNumbers(rounds ?? []), [rounds]);
  const count = rounds?.length ?? 0;

  async function start() {
    setBusy(true);
    setStartNotice(null);
    const parsed = Number(steps);
    try {
      const started = await startRound(api, projectId, steps.trim() && parsed > 0 ? { steps: Math.round(parsed) } : {});
      replaceRound(started);
      setStartNotice({ kind: 'queued', text: `Round ${count + 1} queued (job ${started.job.id}, ${started.job.state}).` });
    } catch (e) {
      if (e instanceof RoundRunning) {
        if (e.current) replaceRound(e.current);
        const current = e.current;
        const which = current ? numbers.get(current.id) : undefined;
        setStartNotice({
          kind: 'running',
          text: `Not started: ${e.detail}.${current ? ` Round ${which ?? current.id} is ${current.job.state} (${Math.round((current.job.progress ?? 0) * 100)}%); wait for it or cancel it.` : ''}`,
        });
      } else {
        setStartNotice({ kind: 'error', text: message(e) });
      }
    } finally {
      setBusy(false);
    }
  }

  async function cancel(r: TrainingRound) {
    setBusy(true);
    try {
      const job = await api.cancelJob(r.job.id);
      replaceRound({ ...r, job });
    } catch (e) {
      setStartNotice({ kind: 'error', text: message(e) });
    } finally {
      setBusy(false);
    }
  }

  async function promote(v: ModelVersion) {
    setBusy(true);
    setVersionNotice(null);
    try {
      const promoted = await promoteVersion(api, v.id);
      await load();
      setVersionNotice({ ok: true, text: `${promoted.version} is now the serving model.` });
      projectState.reload();
    } catch (e) {
      setVersionNotice({ ok: false, text: message(e) });
    } finally {
      setBusy(false);
    }
  }

  async function rollBack() {
    setBusy(true);
    setVersionNotice(null);
    try {
      const { active } = await rollback(api, projectId);
      await load();
      setVersionNotice({ ok: true, text: active ? `Rolled back: ${active.version} serves again.` : "Rolled back to the deployment's default model." });
      projectState.reload();
    } catch (e) {
      setVersionNotice({ ok: false, text: message(e) });
    } finally {
      setBusy(false);
    }
  }

  const gateMetric = project?.gate_metric;
  const activeVersion = versions?.find((v) => v.status === 'active') ?? null;
  const list = rounds ?? [];
  const trendRows: MetricsRow[] = trend.data?.rows ?? [];

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
        <button type="button" onClick={() => { void load(); trend.reload(); }} disabled={busy}>Refresh</button>
        <Link to={{ page: 'metrics', projectId }}>Metrics</Link>
        <Link to={{ page: 'settings', projectId }}>Settings</Link>
      </div>
      {loadError && <p className="form-error" role="alert">{loadError}</p>}
      {projectState.error && <p className="form-error" role="alert">{projectState.error}</p>}

      <section className="panel training-start" data-testid="start-round">
        <div className="row">
          {manager ? (
            <>
              <button type="button" className="primary" onClick={() => void start()} disabled={busy}>Start round</button>
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
        {startNotice && (
          <p className={startNotice.kind === 'queued' ? 'notice-ok' : startNotice.kind === 'running' ? 'notice start-notice' : 'form-error'}
            data-testid="start-notice" data-kind={startNotice.kind} role="status">
            {startNotice.text}
          </p>
        )}
      </section>

      {rounds && (
        <div className="charts" data-testid="training-charts">
          <RoundLineChart
            title="NoC@90 across rounds" help="clicks to reach IoU 0.90 on held-out masks" metric="NoC@90" count={count}
            testId="chart-noc90"
            series={[
              { key: 'candidate', label: 'candidate', color: CANDIDATE_COLOR, points: roundMetricSeries(list, 'NoC@90') },
              { key: 'serving', label: 'serving model then', color: SERVING_COLOR, dashed: true, points: roundMetricSeries(list, 'NoC@90', 'parent') },
            ]}
          />
          <RoundLineChart
            title="mIoU@1 across rounds" help="IoU after one click on held-out masks" metric="mIoU@1" count={count} yMax={1}
            testId="chart-miou1"
            series={[
              { key: 'candidate', label: 'candidate', color: CANDIDATE_COLOR, points: roundMetricSeries(list, 'mIoU@1') },
              { key: 'serving', label: 'serving model then', color: SERVING_COLOR, dashed: true, points: roundMetricSeries(list, 'mIoU@1', 'parent') },
            ]}
          />
          <RoundBarChart title="Masks used per round" help="accepted masks trained on" points={masksUsedSeries(list)} count={count} testId="chart-masks-used" />
          <LineChart
            title="Clicks per mask" help="by people, per day" testId="chart-clicks"
            series={[dailySeries(trendRows, 'clicks_per_mask', 'clicks per mask', CANDIDATE_COLOR)]}
          />
        </div>
      )}

      <h2 className="section-title">Rounds</h2>
      {!rounds && !loadError && <p className="muted">Loading rounds…</p>}
      {rounds && rounds.length === 0 && <p className="muted">No rounds yet.{manager ? ' Start one above.' : ''}</p>}
      <ul className="round-list" data-testid="rounds">
        {list.map((r) => (
          <RoundCard key={r.id} round={r} number={numbers.get(r.id) ?? 0} gateMetric={gateMetric} manager={manager}
            onCancel={(x) => void cancel(x)} busy={busy} />
        ))}
      </ul>

      <div className="section-head">
        <h2 className="section-title">Model versions</h2>
        <span className="spacer" />
        {manager && (
          <button type="button" onClick={() => void rollBack()} disabled={busy || !activeVersion} data-testid="rollback"
            title="Serve the version the current one was trained from again">
            Roll back
          </button>
        )}
      </div>
      {versionNotice && (
        <p className={versionNotice.ok ? 'notice-ok' : 'form-error'} data-testid="version-notice" role="status">{versionNotice.text}</p>
      )}
      {versions && <VersionTable versions={versions} gateMetric={gateMetric} manager={manager} busy={busy} onPromote={(v) => void promote(v)} />}
    </main>
  );
}
