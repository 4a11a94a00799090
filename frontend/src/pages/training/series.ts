// Shaping training rounds into plain-SVG charts: candidate vs serving per round, one figure across
// rounds, masks used per round, and the scales / paths / bars. No DOM, no React here.
import { dayNumber, niceMax, type ChartSize, type Series } from '../../core/metrics';
import type { Figures } from '../../core/apiPending';
import type { MetricsRow, TrainingRound } from '../../core/apiTypes';

/** The held-out figures, keys as training/evaluate.py writes them. */
export const HELDOUT_METRICS = ['mIoU@1', 'mIoU@3', 'mIoU@5', 'NoC@85', 'NoC@90', 'mBoundaryIoU@1'] as const;
export type HeldoutMetric = (typeof HELDOUT_METRICS)[number];

/** NoC (clicks to reach an IoU) falls as models improve; IoU figures rise. */
export function lowerIsBetter(metric: string): boolean {
  return metric.startsWith('NoC@') || metric.startsWith('seconds');
}

export function formatFigure(metric: string, value: number | null | undefined): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return '—';
  return lowerIsBetter(metric) ? value.toFixed(2) : value.toFixed(3);
}

function figure(figures: Figures | null | undefined, metric: string): number | null {
  const value = figures?.[metric];
  return typeof value === 'number' && Number.isFinite(value) ? value : null;
}

/** Oldest first (the API answers newest first); ties by id. */
export function roundsAscending(rounds: TrainingRound[]): TrainingRound[] {
  return [...rounds].sort((a, b) => a.created_at.localeCompare(b.created_at) || a.id - b.id);
}

/** "Round n" of a project counts from its first round. */
export function roundNumbers(rounds: TrainingRound[]): Map<number, number> {
  return new Map(roundsAscending(rounds).map((r, i) => [r.id, i + 1]));
}

export interface Comparison {
  metric: string; candidate: number | null; serving: number | null;
  /** Which model is better on this figure (null: one of them has no value). */
  better: 'candidate' | 'serving' | 'tie' | null;
}

/** Candidate vs the model serving when the round ran, for each held-out figure. */
export function roundComparison(round: Pick<TrainingRound, 'candidate'>, metrics: readonly string[] = HELDOUT_METRICS): Comparison[] {
  const m = round.candidate?.metrics;
  return metrics.map((metric) => {
    const candidate = figure(m?.candidate, metric);
    const serving = figure(m?.parent, metric);
    let better: Comparison['better'] = null;
    if (candidate !== null && serving !== null) {
      if (candidate === serving) better = 'tie';
      else better = (candidate < serving) === lowerIsBetter(metric) ? 'candidate' : 'serving';
    }
    return { metric, candidate, serving, better };
  });
}

export function hasMetrics(round: Pick<TrainingRound, 'candidate'>): boolean {
  return roundComparison(round).some((c) => c.candidate !== null || c.serving !== null);
}

export interface RoundPoint {
  /** 1-based position among the project's rounds (the x of the charts). */
  index: number; roundId: number; label: string; promoted: boolean; value: number;
}
export interface RoundSeries { key: string; label: string; color: string; dashed?: boolean; points: RoundPoint[] }

/** One figure across rounds, oldest first; rounds without it are left out (they keep their index). */
export function roundMetricSeries(rounds: TrainingRound[], metric: string, which: 'candidate' | 'parent' = 'candidate'): RoundPoint[] {
  const points: RoundPoint[] = [];
  roundsAscending(rounds).forEach((r, i) => {
    const value = figure(r.candidate?.metrics?.[which], metric);
    if (value === null) return;
    points.push({ index: i + 1, roundId: r.id, label: `R${i + 1}`, promoted: r.promoted === true, value });
  });
  return points;
}

/** Masks trained on per round, oldest first, every round (0 before its snapshot). */
export function masksUsedSeries(rounds: TrainingRound[]): RoundPoint[] {
  return roundsAscending(rounds).map((r, i) => ({
    index: i + 1, roundId: r.id, label: `R${i + 1}`, promoted: r.promoted === true, value: r.masks_used ?? 0,
  }));
}

export const ROUND_CHART: ChartSize = { width: 560, height: 220, left: 48, right: 26, top: 14, bottom: 28 };

export interface RoundLayout {
  x: (index: number) => number;
  y: (value: number) => number;
  yMax: number;
  yTicks: number[];
  /** One label per round 1..n (thinned to at most ~12). */
  xTicks: { index: number; label: string }[];
  /** Width of one round's slot (bars use part of it). */
  slot: number;
}

/**
 * Rounds 1..count on x, as slots (bars and points centred in them); values from 0 to a nice maximum
 * (`yMax` fixed: IoU figures use 1).
 */
export function roundLayout(count: number, values: number[], size: ChartSize = ROUND_CHART, yMax?: number): RoundLayout {
  const n = Math.max(1, count);
  const plotWidth = size.width - size.left - size.right;
  const plotHeight = size.height - size.top - size.bottom;
  const top = yMax ?? niceMax(Math.max(0, ...values.filter(Number.isFinite)));
  const slot = plotWidth / n;
  const x = (index: number) => size.left + (index - 0.5) * slot;
  const y = (value: number) => size.top + plotHeight - (Math.max(0, Math.min(value, top)) / top) * plotHeight;
  const every = Math.max(1, Math.ceil(n / 12));
  const xTicks = [];
  for (let index = 1; index <= count; index += every) xTicks.push({ index, label: `R${index}` });
  return { x, y, yMax: top, yTicks: [0, 0.25, 0.5, 0.75, 1].map((f) => f * top), xTicks, slot };
}

/** "M x y L x y ..." through the points in order; empty for none. */
export function roundPath(points: Pick<RoundPoint, 'index' | 'value'>[], layout: Pick<RoundLayout, 'x' | 'y'>): string {
  return points.map((p, i) => `${i === 0 ? 'M' : 'L'}${layout.x(p.index).toFixed(1)} ${layout.y(p.value).toFixed(1)}`).join(' ');
}

export interface Bar { x: number; y: number; width: number; height: number }

/** A bar `width` wide from the baseline up to `value`, centred at `center`. */
export function bar(center: number, value: number, layout: Pick<RoundLayout, 'y' | 'yMax'>, width: number): Bar {
  const base = layout.y(0);
  const top = layout.y(value);
  return { x: center - width / 2, y: top, width, height: Math.max(0, base - top) };
}

export function barWidth(slot: number, fraction = 0.6, maxWidth = 48): number {
  return Math.max(2, Math.min(maxWidth, slot * fraction));
}

/** The two groups of the per-round comparison: IoU figures on 0..1, NoC on clicks. */
export function comparisonGroups(comparisons: Comparison[]): { iou: Comparison[]; noc: Comparison[] } {
  return { iou: comparisons.filter((c) => !lowerIsBetter(c.metric)), noc: comparisons.filter((c) => lowerIsBetter(c.metric)) };
}

/** The project's clicks (or seconds) per person-made mask by day as one LineChart series. */
export function dailySeries(rows: MetricsRow[], key: 'clicks_per_mask' | 'seconds_per_mask', label: string, color: string): Series {
  const points = rows
    .filter((r) => r.day && typeof r[key] === 'number' && Number.isFinite(r[key]))
    .map((r) => ({ day: r.day as string, t: dayNumber(r.day as string), value: r[key] as number }))
    .filter((p) => Number.isFinite(p.t))
    .sort((a, b) => a.t - b.t);
  return { key, label, color, points };
}
