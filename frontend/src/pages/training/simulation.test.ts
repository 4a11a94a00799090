import { describe, expect, it } from 'vitest';
import { simulationRows, simulationSeries } from './simulation';

const result = {
  table: '...',
  rounds: [
    { round: 1, masks: 32, 'NoC@90': 9.5, 'mIoU@1': 0.61, clicks_per_mask: 8.25, seconds_per_mask: 16.375, promoted: true },
    { round: 0, masks: 32, 'NoC@90': 19, 'mIoU@1': 0.2, clicks_per_mask: 18, seconds_per_mask: 31, promoted: false },
    { round: 2, masks: 32, 'NoC@90': 'x' },
  ],
};

describe('simulation table', () => {
  it('reads the rounds of a finished job in order and skips malformed rows', () => {
    const rows = simulationRows(result);
    expect(rows.map((r) => r.round)).toEqual([0, 1]);
    expect(rows[1]).toEqual({ round: 1, masks: 32, noc90: 9.5, miou1: 0.61, clicksPerMask: 8.25, secondsPerMask: 16.375, promoted: true });
  });

  it('gives nothing for a job without a table', () => {
    expect(simulationRows({})).toEqual([]);
    expect(simulationRows(null)).toEqual([]);
    expect(simulationRows({ rounds: 'no' })).toEqual([]);
  });

  it('puts round r in slot r + 1 for the charts', () => {
    const points = simulationSeries(simulationRows(result), (r) => r.secondsPerMask);
    expect(points.map((p) => [p.index, p.value])).toEqual([[1, 31], [2, 16.375]]);
  });
});
