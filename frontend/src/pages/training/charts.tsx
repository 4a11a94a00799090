// The training page's plain-SVG charts: a figure across rounds (promoted rounds ringed), bars per
// round, and the grouped bars of candidate vs serving model for one round.
import { niceMax, type ChartSize } from '../../core/metrics';
import {
  bar, barWidth, comparisonGroups, formatFigure, lowerIsBetter, ROUND_CHART, roundLayout, roundPath,
  type Comparison, type RoundPoint, type RoundSeries,
} from './series';

export const CANDIDATE_COLOR = '#1f6feb';
export const SERVING_COLOR = '#8c959f';
export const PROMOTED_COLOR = '#1a7f37';

function Axes({ layout, size, format }: {
  layout: ReturnType<typeof roundLayout>; size: ChartSize; format: (v: number) => string;
}) {
  const bottom = size.height - size.bottom;
  return (
    <>
      {layout.yTicks.map((v) => (
        <g key={v} className="tick">
          <line x1={size.left} x2={size.width - size.right} y1={layout.y(v)} y2={layout.y(v)} className="grid" />
          <text x={size.left - 6} y={layout.y(v) + 4} textAnchor="end">{format(v)}</text>
        </g>
      ))}
      {layout.xTicks.map(({ index, label }) => (
        <text key={index} x={layout.x(index)} y={bottom + 18} textAnchor="middle" className="tick">{label}</text>
      ))}
      <line x1={size.left} x2={size.width - size.right} y1={bottom} y2={bottom} className="axis" />
    </>
  );
}

const formatTick = (v: number) => (Number.isInteger(v) ? String(v) : v.toFixed(2).replace(/0$/, ''));

/** Lines across rounds 1..count; promoted rounds' points get a ring. */
export function RoundLineChart({ title, help, series, count, metric, yMax, testId, xLabel }: {
  title: string; help?: string; series: RoundSeries[]; count: number; metric: string; yMax?: number; testId?: string;
  /** The x tick of slot `index` (default R1, R2, ...). */
  xLabel?: (index: number) => string;
}) {
  const size = ROUND_CHART;
  const values = series.flatMap((s) => s.points.map((p) => p.value));
  const base = roundLayout(count, values, size, yMax);
  const layout = xLabel ? { ...base, xTicks: base.xTicks.map((t) => ({ ...t, label: xLabel(t.index) })) } : base;
  const empty = values.length === 0;
  const anyPromoted = series.some((s) => !s.dashed && s.points.some((p) => p.promoted));
  return (
    <figure className="chart" data-testid={testId}>
      <figcaption><strong>{title}</strong>{help && <span className="muted small"> — {help}</span>}</figcaption>
      <svg viewBox={`0 0 ${size.width} ${size.height}`} role="img" aria-label={title} className="chart-svg">
        <Axes layout={layout} size={size} format={formatTick} />
        {series.map((s) => (
          <g key={s.key} className="series" data-series={s.key}>
            <path d={roundPath(s.points, layout)} fill="none" stroke={s.color} strokeWidth={2}
              strokeDasharray={s.dashed ? '5 4' : undefined} className="line" />
            {s.points.map((p) => (
              <g key={p.roundId} className={p.promoted && !s.dashed ? 'point promoted' : 'point'} data-round={p.index}>
                {p.promoted && !s.dashed && (
                  <circle cx={layout.x(p.index)} cy={layout.y(p.value)} r={7.5} fill="none" stroke={PROMOTED_COLOR} strokeWidth={2} />
                )}
                <circle cx={layout.x(p.index)} cy={layout.y(p.value)} r={s.dashed ? 3 : 4} fill={s.color}>
                  <title>{`${s.label}, ${xLabel ? xLabel(p.index) : `round ${p.index}`}: ${formatFigure(metric, p.value)}${p.promoted && !s.dashed ? ' (promoted)' : ''}`}</title>
                </circle>
              </g>
            ))}
          </g>
        ))}
        {empty && <text x={size.width / 2} y={size.height / 2} textAnchor="middle" className="empty">no evaluated rounds yet</text>}
      </svg>
      {!empty && (
        <div className="legend">
          {series.map((s) => (
            <span key={s.key}>
              <span className={`legend-swatch${s.dashed ? ' dashed' : ''}`} style={{ background: s.color }} />{s.label}
            </span>
          ))}
          {anyPromoted && <span><span className="legend-ring" />promoted</span>}
          <span>{lowerIsBetter(metric) ? 'lower is better' : 'higher is better'}</span>
        </div>
      )}
    </figure>
  );
}

/** One bar per round (e.g. masks used), the value over each bar. */
export function RoundBarChart({ title, help, points, count, testId }: {
  title: string; help?: string; points: RoundPoint[]; count: number; testId?: string;
}) {
  const size = ROUND_CHART;
  const layout = roundLayout(count, points.map((p) => p.value), size);
  const width = barWidth(layout.slot);
  return (
    <figure className="chart" data-testid={testId}>
      <figcaption><strong>{title}</strong>{help && <span className="muted small"> — {help}</span>}</figcaption>
      <svg viewBox={`0 0 ${size.width} ${size.height}`} role="img" aria-label={title} className="chart-svg">
        <Axes layout={layout} size={size} format={formatTick} />
        {points.map((p) => {
          const b = bar(layout.x(p.index), p.value, layout, width);
          return (
            <g key={p.roundId} className="bar" data-round={p.index}>
              <rect x={b.x} y={b.y} width={b.width} height={b.height} fill={p.promoted ? PROMOTED_COLOR : CANDIDATE_COLOR} rx={2}>
                <title>{`round ${p.index}: ${p.value}${p.promoted ? ' (promoted)' : ''}`}</title>
              </rect>
              <text x={layout.x(p.index)} y={b.y - 4} textAnchor="middle" className="value">{p.value}</text>
            </g>
          );
        })}
        {points.length === 0 && <text x={size.width / 2} y={size.height / 2} textAnchor="middle" className="empty">no rounds yet</text>}
      </svg>
      {points.some((p) => p.promoted) && (
        <div className="legend">
          <span><span className="legend-box" style={{ background: PROMOTED_COLOR }} />promoted round</span>
          <span><span className="legend-box" style={{ background: CANDIDATE_COLOR }} />not promoted / undecided</span>
        </div>
      )}
    </figure>
  );
}

const PANEL: ChartSize = { width: 300, height: 176, left: 34, right: 6, top: 22, bottom: 34 };
const PANEL_SLOT = 90;

/** Grouped bars: per figure, the candidate next to the serving model. */
function ComparisonPanel({ title, items, yMax, gateMetric }: {
  title: string; items: Comparison[]; yMax: number; gateMetric?: string;
}) {
  const size = { ...PANEL, width: PANEL.left + PANEL.right + PANEL_SLOT * items.length };
  const layout = roundLayout(items.length, [], size, yMax);
  const width = barWidth(layout.slot / 2, 0.8, 24);
  const bottom = size.height - size.bottom;
  return (
    <svg viewBox={`0 0 ${size.width} ${size.height}`} role="img" aria-label={title} className="chart-svg compare-svg"
      style={{ maxWidth: size.width }}>
      <text x={size.left} y={10} className="panel-title">{title}</text>
      {items.map((c, i) => c.metric === gateMetric && (
        <rect key={c.metric} x={layout.x(i + 1) - layout.slot / 2 + 2} y={size.top - 6} width={layout.slot - 4}
          height={size.height - size.top + 4} className="gate-band" rx={4} />
      ))}
      {layout.yTicks.filter((_, i) => i % 2 === 0).map((v) => (
        <g key={v} className="tick">
          <line x1={size.left} x2={size.width - size.right} y1={layout.y(v)} y2={layout.y(v)} className="grid" />
          <text x={size.left - 4} y={layout.y(v) + 4} textAnchor="end">{formatTick(v)}</text>
        </g>
      ))}
      <line x1={size.left} x2={size.width - size.right} y1={bottom} y2={bottom} className="axis" />
      {items.map((c, i) => {
        const center = layout.x(i + 1);
        const bars = [
          { who: 'candidate', value: c.candidate, color: CANDIDATE_COLOR, cx: center - width / 2 - 1 },
          { who: 'serving', value: c.serving, color: SERVING_COLOR, cx: center + width / 2 + 1 },
        ];
        const gate = c.metric === gateMetric;
        return (
          <g key={c.metric} className="compare-group" data-metric={c.metric} data-better={c.better ?? ''}>
            {bars.map(({ who, value, color, cx }) => {
              if (value === null) return null;
              const b = bar(cx, value, layout, width);
              return (
                <g key={who} data-who={who}>
                  <rect x={b.x} y={b.y} width={b.width} height={b.height} fill={color} rx={2}>
                    <title>{`${c.metric}, ${who === 'candidate' ? 'candidate' : 'serving model'}: ${formatFigure(c.metric, value)}`}</title>
                  </rect>
                  <text x={cx} y={b.y - 3} textAnchor="middle" className="value">{formatFigure(c.metric, value).replace(/^0\./, '.')}</text>
                </g>
              );
            })}
            <text x={center} y={bottom + 14} textAnchor="middle" className={gate ? 'metric-label gate' : 'metric-label'}>{c.metric}</text>
            <text x={center} y={bottom + 27} textAnchor="middle" className={`better better-${c.better ?? 'none'}`}>
              {c.better === 'candidate' ? '▲ better' : c.better === 'serving' ? '▼ worse' : c.better === 'tie' ? '= tie' : ''}
            </text>
          </g>
        );
      })}
    </svg>
  );
}

/** The round's candidate vs the model serving when it ran, on the held-out masks. */
export function ComparisonChart({ comparisons, gateMetric, testId }: { comparisons: Comparison[]; gateMetric?: string; testId?: string }) {
  const { iou, noc } = comparisonGroups(comparisons);
  const nocMax = niceMax(Math.max(1, ...noc.flatMap((c) => [c.candidate ?? 0, c.serving ?? 0])));
  return (
    <figure className="chart compare" data-testid={testId}>
      <div className="compare-panels">
        <ComparisonPanel title="IoU (higher is better)" items={iou} yMax={1} gateMetric={gateMetric} />
        <ComparisonPanel title="Clicks, NoC (lower is better)" items={noc} yMax={nocMax} gateMetric={gateMetric} />
      </div>
      <div className="legend">
        <span><span className="legend-box" style={{ background: CANDIDATE_COLOR }} />candidate</span>
        <span><span className="legend-box" style={{ background: SERVING_COLOR }} />serving model</span>
        {gateMetric && <span><span className="legend-box gate-box" />gate figure ({gateMetric})</span>}
        <span>▲ / ▼ candidate better / worse on the held-out masks</span>
      </div>
    </figure>
  );
}
