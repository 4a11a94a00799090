import { describe, expect, it } from 'vitest';
import {
  bar, barWidth, comparisonGroups, dailySeries, formatFigure, hasMetrics, lowerIsBetter, masksUsedSeries, ROUND_CHART,
  roundComparison, roundLayout, roundMetricSeries, roundNumbers, roundPath, roundsAscending,
} from './series';
import type { Figures } from '../../core/apiPending';
import type { JobState, MetricsRow, TrainingRound } from '../../core/apiTypes';
import { jobRecord, modelVersionRecord, trainingRoundRecord } from '../../testing/records';

function figures(noc90: number, miou1: number): Figures {
  return { 'mIoU@1': miou1, 'mIoU@3': miou1 + 0.05, 'mIoU@5': miou1 + 0.08, 'NoC@85': noc90 - 1, 'NoC@90': noc90, 'mBoundaryIoU@1': miou1 - 0.1, masks: 12 };
}

function round(id: number, created: string, options: {
  candidate?: Figures | null; parent?: Figures | null; promoted?: boolean | null; masks?: number; state?: JobState;
} = {}): TrainingRound {
  const hasCandidate = options.candidate !== undefined;
  return trainingRoundRecord({
    id, parent_version: 'sam:vit_b@parent', created_at: created,
    job: jobRecord({ id: 100 + id, kind: 'training_round', state: options.state ?? 'succeeded', progress: 1 }),
    candidate: hasCandidate ? modelVersionRecord({
      id: 10 + id, version: `sam:vit_b@${id}`,
      metrics: { candidate: options.candidate, parent: options.parent ?? null, gate_metric: 'NoC@90' }, created_at: created,
    }) : null,
    promoted: options.promoted ?? null, masks_used: options.masks ?? 0,
  });
}

// The API answers newest first.
const ROUNDS = [
  round(7, '2026-11-03T10:00:00Z', { state: 'queued' }),
  round(5, '2026-11-02T10:00:00Z', { candidate: figures(3.1, 0.8), parent: figures(4.2, 0.7), promoted: true, masks: 40 }),
  round(3, '2026-11-01T10:00:00Z', { candidate: figures(5.5, 0.6), parent: figures(5.0, 0.62), promoted: false, masks: 25 }),
];

describe('training rounds series', () => {
  it('orders rounds oldest first and numbers them from 1', () => {
    expect(roundsAscending(ROUNDS).map((r) => r.id)).toEqual([3, 5, 7]);
    const numbers = roundNumbers(ROUNDS);
    expect([numbers.get(3), numbers.get(5), numbers.get(7)]).toEqual([1, 2, 3]);
    // Same time: by id.
    const tie = [round(9, '2026-11-01T00:00:00Z'), round(8, '2026-11-01T00:00:00Z')];
    expect(roundsAscending(tie).map((r) => r.id)).toEqual([8, 9]);
  });

  it('knows NoC falls and IoU rises as models improve', () => {
    expect(lowerIsBetter('NoC@90')).toBe(true);
    expect(lowerIsBetter('mIoU@1')).toBe(false);
    expect(lowerIsBetter('mBoundaryIoU@1')).toBe(false);
    expect(formatFigure('NoC@90', 3.14159)).toBe('3.14');
    expect(formatFigure('mIoU@1', 0.81234)).toBe('0.812');
    expect(formatFigure('mIoU@1', null)).toBe('—');
  });

  it('compares candidate and serving model figure by figure', () => {
    const [, promoted, kept] = ROUNDS;
    const c = roundComparison(promoted);
    expect(c.map((x) => x.metric)).toEqual(['mIoU@1', 'mIoU@3', 'mIoU@5', 'NoC@85', 'NoC@90', 'mBoundaryIoU@1']);
    expect(c.find((x) => x.metric === 'NoC@90')).toEqual({ metric: 'NoC@90', candidate: 3.1, serving: 4.2, better: 'candidate' });
    expect(c.find((x) => x.metric === 'mIoU@1')?.better).toBe('candidate');
    expect(roundComparison(kept).find((x) => x.metric === 'NoC@90')?.better).toBe('serving');
    expect(roundComparison(kept).find((x) => x.metric === 'mIoU@1')?.better).toBe('serving');
    const groups = comparisonGroups(c);
    expect(groups.iou.map((x) => x.metric)).toEqual(['mIoU@1', 'mIoU@3', 'mIoU@5', 'mBoundaryIoU@1']);
    expect(groups.noc.map((x) => x.metric)).toEqual(['NoC@85', 'NoC@90']);
  });

  it('treats a round without figures (queued, no held-out masks) as having none', () => {
    expect(hasMetrics(ROUNDS[0])).toBe(false);
    const noHeldout = round(4, '2026-11-01T00:00:00Z', { candidate: null, parent: null });
    expect(hasMetrics(noHeldout)).toBe(false);
    expect(roundComparison(noHeldout).every((x) => x.better === null)).toBe(true);
    const noServing = round(6, '2026-11-01T00:00:00Z', { candidate: figures(4, 0.7), parent: null });
    expect(roundComparison(noServing)[0]).toMatchObject({ candidate: 0.7, serving: null, better: null });
  });

  it('makes one figure across rounds, keeping each round its place and marking promoted ones', () => {
    const noc = roundMetricSeries(ROUNDS, 'NoC@90');
    expect(noc).toEqual([
      { index: 1, roundId: 3, label: 'R1', promoted: false, value: 5.5 },
      { index: 2, roundId: 5, label: 'R2', promoted: true, value: 3.1 },
    ]);
    expect(roundMetricSeries(ROUNDS, 'mIoU@1', 'parent').map((p) => p.value)).toEqual([0.62, 0.7]);
    expect(masksUsedSeries(ROUNDS).map((p) => [p.index, p.value, p.promoted])).toEqual([[1, 25, false], [2, 40, true], [3, 0, false]]);
  });

  it('lays rounds out in slots with a nice value axis', () => {
    const layout = roundLayout(4, [3.1, 5.5], ROUND_CHART);
    const plotWidth = ROUND_CHART.width - ROUND_CHART.left - ROUND_CHART.right;
    expect(layout.slot).toBeCloseTo(plotWidth / 4);
    expect(layout.x(1)).toBeCloseTo(ROUND_CHART.left + plotWidth / 8);
    expect(layout.x(4)).toBeCloseTo(ROUND_CHART.width - ROUND_CHART.right - plotWidth / 8);
    expect(layout.yMax).toBe(10);
    expect(layout.yTicks).toEqual([0, 2.5, 5, 7.5, 10]);
    expect(layout.y(0)).toBe(ROUND_CHART.height - ROUND_CHART.bottom);
    expect(layout.y(10)).toBe(ROUND_CHART.top);
    expect(layout.y(99)).toBe(ROUND_CHART.top); // clamped
    expect(layout.xTicks.map((t) => t.label)).toEqual(['R1', 'R2', 'R3', 'R4']);
    expect(roundLayout(2, [0.8], ROUND_CHART, 1).yMax).toBe(1);
    expect(roundLayout(0, [], ROUND_CHART).yMax).toBe(1);
    expect(roundLayout(40, [1], ROUND_CHART).xTicks.length).toBeLessThanOrEqual(14);
  });

  it('draws paths through the points and bars from the baseline', () => {
    const layout = roundLayout(2, [], ROUND_CHART, 10);
    const path = roundPath([{ index: 1, value: 5 }, { index: 2, value: 10 }], layout);
    expect(path).toMatch(/^M[\d.]+ [\d.]+ L[\d.]+ [\d.]+$/);
    expect(path).toBe(`M${layout.x(1).toFixed(1)} ${layout.y(5).toFixed(1)} L${layout.x(2).toFixed(1)} ${layout.y(10).toFixed(1)}`);
    expect(roundPath([], layout)).toBe('');
    const b = bar(100, 5, layout, 20);
    expect(b.x).toBe(90);
    expect(b.y).toBeCloseTo(layout.y(5));
    expect(b.y + b.height).toBeCloseTo(layout.y(0));
    expect(bar(100, 0, layout, 20).height).toBe(0);
    expect(barWidth(200)).toBe(48);
    expect(barWidth(20)).toBe(12);
    expect(barWidth(1)).toBe(2);
  });

  it('turns the by-day metrics into one dated series, skipping days without person-made masks', () => {
    const rows = [
      { day: '2026-11-03', clicks_per_mask: 2.5, seconds_per_mask: 9 },
      { day: '2026-11-01', clicks_per_mask: 6, seconds_per_mask: 20 },
      { day: '2026-11-02', clicks_per_mask: null, seconds_per_mask: null },
      { day: null, clicks_per_mask: 1, seconds_per_mask: 1 },
    ] as unknown as MetricsRow[];
    const s = dailySeries(rows, 'clicks_per_mask', 'clicks per mask', '#000');
    expect(s.points.map((p) => [p.day, p.value])).toEqual([['2026-11-01', 6], ['2026-11-03', 2.5]]);
    expect(s.points[1].t - s.points[0].t).toBe(2);
  });
});
