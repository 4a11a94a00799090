import { describe, expect, it } from 'vitest';
import { parseTaxonomy, taxonomyText } from './TaxonomyEditor';

describe('QA taxonomy text', () => {
  it('reads one type per line with its subtypes and writes it back', () => {
    const parsed = parseTaxonomy('action: counting, direction\n\nobject:');
    expect(parsed).toEqual({ taxonomy: { action: ['counting', 'direction'], object: [] }, error: null });
    expect(taxonomyText(parsed.taxonomy)).toBe('action: counting, direction\nobject: ');
  });

  it('says which line is wrong', () => {
    expect(parseTaxonomy('a: x\n: y').error).toBe('Line 2 has no question type before the colon.');
    expect(parseTaxonomy('a\na').error).toBe('“a” is listed twice.');
  });
});
