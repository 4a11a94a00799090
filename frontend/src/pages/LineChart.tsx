// A small line chart in plain SVG: one line (with its points) per series, day ticks, value ticks.
import { chartLayout, DEFAULT_CHART, formatMetric, linePath, type Series } from '../core/metrics';

interface Props {
  title: string; series: Series[]; share?: boolean; help?: string; testId?: string;
  /** First and last day of the page, so all charts share the time axis. */
  domain?: [number, number] | null;
}

export function LineChart({ title, series, share = false, help, testId, domain = null }: Props) {
  const size = DEFAULT_CHART;
  const layout = chartLayout(series, share, size, domain);
  const empty = series.every((s) => s.points.length === 0);
  const bottom = size.height - size.bottom;
  return (
    <figure className="chart" data-testid={testId}>
      <figcaption>
        <strong>{title}</strong>
        {help && <span className="muted small"> — {help}</span>}
      </figcaption>
      <svg viewBox={`0 0 ${size.width} ${size.height}`} role="img" aria-label={title} className="chart-svg">
        {layout.yTicks.map((v) => (
          <g key={v} className="tick">
            <line x1={size.left} x2={size.width - size.right} y1={layout.y(v)} y2={layout.y(v)} className="grid" />
            <text x={size.left - 6} y={layout.y(v) + 4} textAnchor="end">{formatMetric(v, share)}</text>
          </g>
        ))}
        {!empty && layout.xTicks.map(({ t, label }) => (
          <text key={t} x={layout.x(t)} y={bottom + 18} textAnchor="middle" className="tick">{label}</text>
        ))}
        <line x1={size.left} x2={size.width - size.right} y1={bottom} y2={bottom} className="axis" />
        {series.map((s) => (
          <g key={s.key} className="series" data-series={s.key}>
            <path d={linePath(s.points, layout)} fill="none" stroke={s.color} strokeWidth={2} className="line" />
            {s.points.map((p) => (
              <circle key={p.t} cx={layout.x(p.t)} cy={layout.y(p.value)} r={3.5} fill={s.color}>
                <title>{`${s.label}, ${p.day}: ${formatMetric(p.value, share)}`}</title>
              </circle>
            ))}
          </g>
        ))}
        {empty && <text x={size.width / 2} y={size.height / 2} textAnchor="middle" className="empty">no data yet</text>}
      </svg>
      {!empty && (
        <div className="legend">
          {series.map((s) => (
            <span key={s.key}><span className="legend-swatch" style={{ background: s.color }} />{s.label}</span>
          ))}
        </div>
      )}
    </figure>
  );
}
