// The data-engine simulator on the training page: the latest finished run's table as plots (NoC@90
// and seconds per mask by round), the run in progress (read from its job), and for site admins a
// button that starts one (a job on the train queue; generated data only, the project's data untouched).
import { useEffect, useState } from 'react';
import { isFinalJob, waitForJob } from '../../core/api';
import { errorMessage } from '../../core/apiErrors';
import type { Job } from '../../core/apiTypes';
import { useApp } from '../appContext';
import { useAsync } from '../useAsync';
import { CANDIDATE_COLOR, RoundLineChart } from './charts';
import { simulationRows, simulationSeries } from './simulation';
import { simulations, startSimulation } from './trainingApi';

const roundLabel = (index: number) => `round ${index - 1}`;

export function SimulationPanel({ projectId }: { projectId: number }) {
  const { api, user } = useApp();
  const list = useAsync(() => simulations(api, projectId), [api, projectId]);
  const [progress, setProgress] = useState<Job | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [rounds, setRounds] = useState('');
  const runs = list.data ?? [];
  const finished = runs.find((s) => s.job.state === 'succeeded') ?? null;
  const pending = runs.find((s) => !isFinalJob(s.job))?.job ?? null;
  const rows = simulationRows(finished?.job.result);
  const pendingId = pending?.id ?? null;
  const { reload } = list;

  useEffect(() => {
    if (pendingId === null) return undefined;
    const abort = new AbortController();
    waitForJob(api, pendingId, { signal: abort.signal, intervalMs: 1000, onProgress: setProgress }).then(
      () => { setProgress(null); reload(); },
      () => undefined,
    );
    return () => abort.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps -- follow each pending job once
  }, [api, pendingId]);

  const start = async () => {
    setError(null);
    const count = Number(rounds);
    try {
      await startSimulation(api, projectId, rounds.trim() && count > 0 ? { rounds: Math.round(count) } : {});
      reload();
    } catch (e) {
      setError(errorMessage(e));
    }
  };
  const running = progress ?? pending;
  if (!user?.is_staff && runs.length === 0) return null;
  return (
    <section className="panel simulation" data-testid="simulation">
      <div className="row">
        <h2 className="section-title">Simulator</h2>
        <span className="muted small">
          Simulated annotators label generated scenes with the model in the loop; rounds retrain it on the accepted masks.
        </span>
        <span className="spacer" />
        {user?.is_staff && (
          <>
            <label className="small muted">
              rounds{' '}
              <input type="number" min={1} max={20} value={rounds} onChange={(e) => setRounds(e.target.value)}
                placeholder="5" className="steps-input" name="simulation-rounds" />
            </label>
            <button type="button" disabled={running !== null} onClick={() => void start()} data-testid="start-simulation">
              Run simulation
            </button>
          </>
        )}
      </div>
      {running && (
        <p className="muted small" data-testid="simulation-progress" role="status">
          {running.state}: {Math.round(100 * (running.progress ?? 0))}%{running.message ? ` · ${running.message}` : ''}
        </p>
      )}
      {error && <p className="form-error" role="alert">{error}</p>}
      {list.error && <p className="form-error" role="alert">{list.error}</p>}
      {rows.length > 0 && (
        <div className="charts" data-testid="simulation-charts">
          <RoundLineChart title="Simulator: NoC@90 by round" help="held-out clicks to IoU 0.90 (harder domain)"
            metric="NoC@90" count={rows.length} xLabel={roundLabel} testId="chart-sim-noc90"
            series={[{ key: 'noc90', label: 'NoC@90', color: CANDIDATE_COLOR, points: simulationSeries(rows, (r) => r.noc90) }]} />
          <RoundLineChart title="Simulator: seconds per mask by round" help="modelled: 4 s + 1.5 s per click"
            metric="seconds per mask" count={rows.length} xLabel={roundLabel} testId="chart-sim-seconds"
            series={[{ key: 'seconds', label: 'seconds per mask', color: CANDIDATE_COLOR, points: simulationSeries(rows, (r) => r.secondsPerMask) }]} />
        </div>
      )}
    </section>
  );
}
