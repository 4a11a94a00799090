// The simulator's table as the training page plots it: job.result.rounds of a finished simulation
// job (backend.training.simulation), read defensively since the schema types the result as unknown.
import type { RoundPoint } from './series';

export interface SimulationRow {
  round: number; masks: number; noc90: number; miou1: number; clicksPerMask: number; secondsPerMask: number;
  promoted: boolean | null;
}

const isNumber = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v);

/** The rows of a finished simulation's result, in round order; [] when the result has none. */
export function simulationRows(result: unknown): SimulationRow[] {
  const rounds = (result as { rounds?: unknown } | null)?.rounds;
  if (!Array.isArray(rounds)) return [];
  const rows: SimulationRow[] = [];
  for (const item of rounds as Record<string, unknown>[]) {
    const { round, masks, clicks_per_mask: clicks, seconds_per_mask: seconds, promoted } = item ?? {};
    const noc = item?.['NoC@90'];
    const miou = item?.['mIoU@1'];
    if (![round, masks, noc, miou, clicks, seconds].every(isNumber)) continue;
    rows.push({
      round: round as number, masks: masks as number, noc90: noc as number, miou1: miou as number,
      clicksPerMask: clicks as number, secondsPerMask: seconds as number,
      promoted: typeof promoted === 'boolean' ? promoted : null,
    });
  }
  return rows.sort((a, b) => a.round - b.round);
}

/** One figure by round as chart points: x slot round + 1 (round 0, the pretrained model, first). */
export function simulationSeries(rows: SimulationRow[], pick: (row: SimulationRow) => number): RoundPoint[] {
  return rows.map((row) => ({
    index: row.round + 1, roundId: row.round, label: `round ${row.round}`, promoted: false, value: pick(row),
  }));
}
