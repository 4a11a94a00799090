import { describe, expect, it } from 'vitest';
import { parseCategories, stageLabel, STAGES } from './stages';

describe('stages', () => {
  it('explains the three stages in engine order', () => {
    expect(STAGES.map((s) => s.stage)).toEqual(['assisted', 'semi', 'auto']);
    expect(stageLabel('semi')).toBe('Semi-automatic');
    expect(stageLabel('later')).toBe('later');
    expect(stageLabel(null)).toBe('unknown stage');
  });

  it('parses category names from lines or commas', () => {
    expect(parseCategories(' car, person\nbicycle\n\n Car ,')).toEqual(['car', 'person', 'bicycle']);
    expect(parseCategories('')).toEqual([]);
  });
});
