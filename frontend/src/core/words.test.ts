import { describe, expect, it } from 'vitest';
import { plural } from './words';

describe('plural', () => {
  it('keeps the word for one and adds an s otherwise, or takes the given plural', () => {
    expect(plural(1, 'video')).toBe('1 video');
    expect(plural(0, 'video')).toBe('0 videos');
    expect(plural(3, 'mask')).toBe('3 masks');
    expect(plural(1, 'category', 'categories')).toBe('1 category');
    expect(plural(2, 'category', 'categories')).toBe('2 categories');
  });
});
