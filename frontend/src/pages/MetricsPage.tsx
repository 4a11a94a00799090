// A project's engine metrics: the four figures over time with one line per stage, then the same
// figures per stage, per annotator and per model version.
import type { MetricsRow } from '../core/apiTypes';
import { dayDomain, formatMetric, METRICS, seriesByStage } from '../core/metrics';
import { stageLabel } from '../core/stages';
import { useApp } from './appContext';
import { LineChart } from './LineChart';
import { Link } from './Link';
import { useAsync } from './useAsync';

function MetricsTable({ rows, group, label, testId }: { rows: MetricsRow[]; group: keyof MetricsRow; label: string; testId: string }) {
  if (rows.length === 0) return <p className="muted small">No masks yet.</p>;
  const name = (row: MetricsRow) => {
    const value = row[group];
    if (group === 'stage') return value ? stageLabel(String(value)) : 'no stage recorded';
    return value === null || value === undefined || value === '' ? '—' : String(value);
  };
  return (
    <table className="table metrics-table" data-testid={testId}>
      <thead>
        <tr>
          <th>{label}</th><th className="num">Masks</th><th className="num">Images</th><th className="num">Masks / image</th>
          <th className="num">Seconds / mask</th><th className="num">Clicks / mask</th><th className="num">Proposals decided</th>
          <th className="num">Accepted unchanged</th>
        </tr>
      </thead>
      <tbody>
        {rows.map((row, i) => (
          <tr key={`${name(row)}-${i}`}>
            <td>{name(row)}</td>
            <td className="num">{row.masks}</td>
            <td className="num">{row.images}</td>
            <td className="num">{formatMetric(row.masks_per_image)}</td>
            <td className="num">{formatMetric(row.seconds_per_mask)}</td>
            <td className="num">{formatMetric(row.clicks_per_mask)}</td>
            <td className="num">{row.proposals_decided}</td>
            <td className="num">
              {formatMetric(row.share_accepted_unchanged, true)}
              {row.proposals_decided > 0 && <span className="muted small"> ({row.proposals_unchanged})</span>}
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

export function MetricsPage({ projectId }: { projectId: number }) {
  const { api } = useApp();
  const data = useAsync(async () => {
    const [project, byDay, byStage, byAnnotator, byModel] = await Promise.all([
      api.project(projectId),
      api.metrics(projectId, ['stage', 'day']),
      api.metrics(projectId, ['stage']),
      api.metrics(projectId, ['annotator']),
      api.metrics(projectId, ['model_version']),
    ]);
    return { project, byDay: byDay.rows, byStage: byStage.rows, byAnnotator: byAnnotator.rows, byModel: byModel.rows };
  }, [api, projectId]);
  const d = data.data;

  return (
    <main className="page metrics-page">
      <nav className="breadcrumbs">
        <Link to={{ page: 'projects' }}>Projects</Link> /{' '}
        <Link to={{ page: 'images', projectId, pageNumber: 1 }}>{d?.project.name ?? '…'}</Link> / Metrics
      </nav>
      <div className="page-head">
        <h1>Metrics{d ? `: ${d.project.name}` : ''}</h1>
        {d && <span className="muted">now {stageLabel(d.project.stage).toLowerCase()}</span>}
        <span className="spacer" />
        <button type="button" onClick={data.reload} disabled={data.loading}>Refresh</button>
        <Link to={{ page: 'settings', projectId }}>Settings</Link>
      </div>
      {data.loading && !d && <p className="muted">Loading metrics…</p>}
      {data.error && <p className="form-error" role="alert">{data.error}</p>}
      {d && (
        <>
          <div className="charts" data-testid="charts">
            {METRICS.map((m) => (
              <LineChart
                key={m.key} title={m.title} help={m.help} share={m.share} series={seriesByStage(d.byDay, m.key)}
                domain={dayDomain(d.byDay)} testId={`chart-${m.key}`}
              />
            ))}
          </div>
          <h2 className="section-title">By stage</h2>
          <MetricsTable rows={d.byStage} group="stage" label="Stage" testId="by-stage" />
          <h2 className="section-title">By annotator</h2>
          <MetricsTable rows={d.byAnnotator} group="annotator" label="Annotator" testId="by-annotator" />
          <h2 className="section-title">By model version</h2>
          <MetricsTable rows={d.byModel} group="model_version" label="Model version" testId="by-model-version" />
          <p className="muted small">
            Seconds and clicks count masks made by people (manual and assisted); proposals count automatic masks a person
            accepted or rejected. Days are the days the masks were created (UTC).
          </p>
        </>
      )}
    </main>
  );
}
