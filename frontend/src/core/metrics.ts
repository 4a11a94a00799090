// Shaping the engine metrics (GET /api/projects/{id}/metrics/) into lines for plain SVG charts:
// one series per stage over days, the scales, the ticks and the path strings. No DOM here.
import type { MetricsRow } from './apiTypes';
import { stageLabel } from './stages';

export type MetricKey = 'masks_per_image' | 'seconds_per_mask' | 'clicks_per_mask' | 'share_accepted_unchanged';

export interface MetricInfo { key: MetricKey; title: string; share: boolean; help: string }

export const METRICS: MetricInfo[] = [
  { key: 'masks_per_image', title: 'Masks per image', share: false, help: 'kept masks per image that has one' },
  { key: 'seconds_per_mask', title: 'Seconds per mask', share: false, help: 'annotator time per mask by a person' },
  { key: 'clicks_per_mask', title: 'Clicks per mask', share: false, help: 'clicks, boxes and strokes per mask by a person' },
  { key: 'share_accepted_unchanged', title: 'Proposals accepted unchanged', share: true, help: 'share of decided proposals kept without a fix' },
];

/** Stages in the order of the data engine; masks from before stages were recorded have ''. */
const STAGE_ORDER = ['assisted', 'semi', 'auto'];
export const STAGE_COLORS: Record<string, string> = { assisted: '#1f6feb', semi: '#bf8700', auto: '#1a7f37' };
const OTHER_COLOR = '#8250df';

export interface SeriesPoint { day: string; t: number; value: number }
export interface Series { key: string; label: string; color: string; points: SeriesPoint[] }

/** Whole days since 1970-01-01 of an ISO date (YYYY-MM-DD...), or NaN. */
export function dayNumber(iso: string): number {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso);
  if (!m) return NaN;
  return Math.round(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / 86_400_000);
}

export function dayLabel(t: number): string {
  const date = new Date(t * 86_400_000);
  return `${String(date.getUTCMonth() + 1).padStart(2, '0')}-${String(date.getUTCDate()).padStart(2, '0')}`;
}

/** Rows grouped by stage and day -> one series per stage, days ascending, groups without a value left out. */
export function seriesByStage(rows: MetricsRow[], metric: MetricKey): Series[] {
  const byStage = new Map<string, SeriesPoint[]>();
  for (const row of rows) {
    const value = row[metric];
    if (!row.day || value === null || value === undefined || !Number.isFinite(value)) continue;
    const t = dayNumber(row.day);
    if (!Number.isFinite(t)) continue;
    const stage = row.stage ?? '';
    if (!byStage.has(stage)) byStage.set(stage, []);
    byStage.get(stage)!.push({ day: row.day, t, value });
  }
  const rank = (stage: string) => (STAGE_ORDER.includes(stage) ? STAGE_ORDER.indexOf(stage) : STAGE_ORDER.length);
  return [...byStage.entries()]
    .sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b))
    .map(([stage, points]) => ({
      key: stage || 'none',
      label: stage ? stageLabel(stage) : 'no stage recorded',
      color: STAGE_COLORS[stage] ?? OTHER_COLOR,
      points: points.sort((a, b) => a.t - b.t),
    }));
}

/** The smallest of 1, 2, 2.5, 5 times a power of ten that is >= value (0 stays 1). */
export function niceMax(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (step * power >= value - 1e-12) return step * power;
  return 10 * power;
}

export interface ChartSize { width: number; height: number; left: number; right: number; top: number; bottom: number }
export const DEFAULT_CHART: ChartSize = { width: 560, height: 220, left: 48, right: 26, top: 12, bottom: 28 };

export interface ChartLayout {
  x: (t: number) => number;
  y: (value: number) => number;
  yMax: number;
  xTicks: { t: number; label: string }[];
  yTicks: number[];
}

/** The first and last day of the rows, so that every chart of a page spans the same days. */
export function dayDomain(rows: Pick<MetricsRow, 'day'>[]): [number, number] | null {
  const ts = rows.map((r) => (r.day ? dayNumber(r.day) : NaN)).filter(Number.isFinite);
  return ts.length ? [Math.min(...ts), Math.max(...ts)] : null;
}

export function chartLayout(
  series: Series[], share: boolean, size: ChartSize = DEFAULT_CHART, domain: [number, number] | null = null,
): ChartLayout {
  const points = series.flatMap((s) => s.points);
  const ts = points.map((p) => p.t);
  if (domain) ts.push(...domain);
  const t0 = ts.length ? Math.min(...ts) : 0;
  const t1 = ts.length ? Math.max(...ts) : 0;
  const yMax = share ? 1 : niceMax(Math.max(0, ...points.map((p) => p.value)));
  const plotWidth = size.width - size.left - size.right;
  const plotHeight = size.height - size.top - size.bottom;
  // One day only: the points stand in the middle.
  const x = (t: number) => size.left + (t1 > t0 ? ((t - t0) / (t1 - t0)) * plotWidth : plotWidth / 2);
  const y = (value: number) => size.top + plotHeight - (Math.min(value, yMax) / yMax) * plotHeight;
  const span = t1 - t0;
  const every = Math.max(1, Math.ceil((span + 1) / 6));
  const xTicks: ChartLayout['xTicks'] = [];
  if (ts.length) for (let t = t0; t <= t1; t += every) xTicks.push({ t, label: dayLabel(t) });
  if (ts.length && xTicks[xTicks.length - 1].t !== t1 && x(t1) - x(xTicks[xTicks.length - 1].t) > 36) {
    xTicks.push({ t: t1, label: dayLabel(t1) });
  }
  const yTicks = [0, 0.25, 0.5, 0.75, 1].map((f) => f * yMax);
  return { x, y, yMax, xTicks, yTicks };
}

/** An SVG path through the points ("M x y L x y ..."); empty for no points. */
export function linePath(points: SeriesPoint[], layout: Pick<ChartLayout, 'x' | 'y'>): string {
  return points
    .map((p, i) => `${i === 0 ? 'M' : 'L'}${layout.x(p.t).toFixed(1)} ${layout.y(p.value).toFixed(1)}`)
    .join(' ');
}

export function formatMetric(value: number | null | undefined, share = false): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  if (share) return `${Math.round(value * 100)}%`;
  if (Math.abs(value) >= 100) return value.toFixed(0);
  if (Math.abs(value) >= 10) return value.toFixed(1).replace(/\.0$/, '');
  return value.toFixed(2).replace(/\.?0+$/, '') || '0';
}
