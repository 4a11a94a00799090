import { describe, expect, it } from 'vitest';
import type { MetricsRow } from './apiTypes';
import { chartLayout, dayDomain, dayLabel, dayNumber, DEFAULT_CHART, formatMetric, linePath, niceMax, seriesByStage } from './metrics';

function row(stage: string | undefined, day: string | null, values: Partial<MetricsRow> = {}): MetricsRow {
  return {
    stage, day, masks: 1, images: 1, person_masks: 1, masks_per_image: 1, seconds_per_mask: null, clicks_per_mask: null,
    proposals_decided: 0, proposals_unchanged: 0, seconds_per_proposal: null, share_accepted_unchanged: null, ...values,
  };
}

describe('metrics series', () => {
  it('counts days from the epoch', () => {
    expect(dayNumber('1970-01-02')).toBe(1);
    expect(dayNumber('2026-03-01') - dayNumber('2026-02-28')).toBe(1);
    expect(dayNumber('2026-11-25T10:00:00Z')).toBe(dayNumber('2026-11-25'));
    expect(dayNumber('yesterday')).toBeNaN();
    expect(dayLabel(dayNumber('2026-11-05'))).toBe('11-05');
  });

  it('makes one series per stage in engine order, days ascending, skipping empty values', () => {
    const rows = [
      row('semi', '2026-11-02', { seconds_per_mask: 4 }),
      row('assisted', '2026-11-03', { seconds_per_mask: 10 }),
      row('assisted', '2026-11-01', { seconds_per_mask: 12 }),
      row('semi', '2026-11-03', { seconds_per_mask: null }),
      row('', '2026-11-01', { seconds_per_mask: 30 }),
      row('auto', null, { seconds_per_mask: 1 }),
    ];
    const series = seriesByStage(rows, 'seconds_per_mask');
    expect(series.map((s) => s.key)).toEqual(['assisted', 'semi', 'none']);
    expect(series[0].label).toBe('Assisted-manual');
    expect(series[0].points.map((p) => [p.day, p.value])).toEqual([['2026-11-01', 12], ['2026-11-03', 10]]);
    expect(series[1].points).toHaveLength(1);
    expect(series[2].label).toBe('no stage recorded');
    expect(series[0].color).not.toBe(series[1].color);
  });

  it('rounds the value axis up to a nice number; shares go to 100%', () => {
    expect(niceMax(0)).toBe(1);
    expect(niceMax(0.37)).toBe(0.5);
    expect(niceMax(7)).toBe(10);
    expect(niceMax(12)).toBe(20);
    expect(niceMax(22)).toBe(25);
    expect(niceMax(100)).toBe(100);
    const series = seriesByStage([row('semi', '2026-11-01', { share_accepted_unchanged: 0.2 })], 'share_accepted_unchanged');
    expect(chartLayout(series, true).yMax).toBe(1);
  });

  it('lays days out across the plot and draws a path through the points', () => {
    const rows = [1, 2, 4].map((d, i) => row('assisted', `2026-11-0${d}`, { clicks_per_mask: [2, 4, 3][i] }));
    const series = seriesByStage(rows, 'clicks_per_mask');
    const layout = chartLayout(series, false);
    const { left, right, width, top, height, bottom } = DEFAULT_CHART;
    expect(layout.yMax).toBe(5);
    expect(layout.x(series[0].points[0].t)).toBe(left);
    expect(layout.x(series[0].points[2].t)).toBe(width - right);
    expect(layout.y(0)).toBe(height - bottom);
    expect(layout.y(5)).toBe(top);
    const d = linePath(series[0].points, layout);
    expect(d.startsWith(`M${left.toFixed(1)} `)).toBe(true);
    expect(d.match(/L/g)).toHaveLength(2);
    expect(layout.xTicks[0].label).toBe('11-01');
    expect(layout.xTicks.at(-1)?.label).toBe('11-04');
  });

  it('puts a single day in the middle and keeps an empty chart drawable', () => {
    const series = seriesByStage([row('semi', '2026-11-01', { masks_per_image: 3 })], 'masks_per_image');
    const layout = chartLayout(series, false);
    const { left, right, width } = DEFAULT_CHART;
    expect(layout.x(series[0].points[0].t)).toBeCloseTo(left + (width - left - right) / 2);
    expect(linePath(series[0].points, layout)).toMatch(/^M[\d.]+ [\d.]+$/);
    const empty = chartLayout([], false);
    expect(empty.xTicks).toEqual([]);
    expect(empty.yTicks).toEqual([0, 0.25, 0.5, 0.75, 1]);
    expect(linePath([], empty)).toBe('');
  });

  it('thins day ticks over a long range', () => {
    const rows = Array.from({ length: 30 }, (_, i) => row('assisted', `2026-10-${String(i + 1).padStart(2, '0')}`, { masks_per_image: i }));
    const layout = chartLayout(seriesByStage(rows, 'masks_per_image'), false);
    expect(layout.xTicks.length).toBeLessThanOrEqual(7);
    expect(layout.xTicks[0].label).toBe('10-01');
  });

  it('spans the same days on every chart when given the page domain', () => {
    const rows = [row('assisted', '2026-11-01', { seconds_per_mask: 5 }), row('semi', '2026-11-05', { seconds_per_mask: null })];
    const domain = dayDomain(rows);
    expect(domain).toEqual([dayNumber('2026-11-01'), dayNumber('2026-11-05')]);
    expect(dayDomain([row('semi', null)])).toBeNull();
    const series = seriesByStage(rows, 'seconds_per_mask');
    const layout = chartLayout(series, false, DEFAULT_CHART, domain);
    expect(layout.x(dayNumber('2026-11-01'))).toBe(DEFAULT_CHART.left);
    expect(layout.x(dayNumber('2026-11-05'))).toBe(DEFAULT_CHART.width - DEFAULT_CHART.right);
    expect(layout.xTicks.at(-1)?.label).toBe('11-05');
  });

  it('formats values and shares', () => {
    expect(formatMetric(null)).toBe('—');
    expect(formatMetric(0)).toBe('0');
    expect(formatMetric(1.5)).toBe('1.5');
    expect(formatMetric(2)).toBe('2');
    expect(formatMetric(12.345)).toBe('12.3');
    expect(formatMetric(20)).toBe('20');
    expect(formatMetric(0.756, true)).toBe('76%');
  });
});
