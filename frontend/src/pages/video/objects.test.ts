import { describe, expect, it } from 'vitest';
import { MaskletStore } from '../../core/video';
import { categoryField, categoryOf, choosePending, stepObject } from './objects';

function store(): MaskletStore {
  const s = new MaskletStore();
  s.merge({ video: 3, masklets: [{ object_id: 1, category: 7, status: 'submitted' }, { object_id: 3, category: null, status: 'submitted' }], frames: [], updated_until: null }, true);
  s.addLocal(4, 8);
  return s;
}

describe('video objects', () => {
  it('steps through the ids, wrapping, from the first when none is selected', () => {
    expect(stepObject([1, 3, 4], null, 1)).toBe(1);
    expect(stepObject([1, 3, 4], 4, 1)).toBe(1);
    expect(stepObject([1, 3, 4], 1, -1)).toBe(4);
    expect(stepObject([1, 3, 4], 3, -7)).toBe(1); // any distance wraps: index 1 - 7 = -6, which is 0 mod 3
    expect(stepObject([], 1, 1)).toBeNull();
  });

  it('a category chosen for a stored object waits, and goes with its next prompt', () => {
    const s = store();
    const pending = choosePending(s, {}, 1, 8);
    expect(pending).toEqual({ 1: 8 });
    expect(categoryOf(s, pending, 1)).toBe(8);
    expect(categoryField(s, pending, 1)).toEqual({ category: 8 });
    // Back to its own category: nothing to send.
    expect(choosePending(s, pending, 1, 7)).toEqual({});
    expect(categoryField(s, {}, 1)).toEqual({});
    // A new object's category goes with its first prompt; none for a stored one without a choice.
    expect(categoryField(s, {}, 4)).toEqual({ category: 8 });
    expect(categoryField(s, {}, 3)).toEqual({});
  });
});
