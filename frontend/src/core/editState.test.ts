import { describe, expect, it } from 'vitest';
import { DraftStore, emptyEditState, isDirty, sourceOf } from './editState';
import type { KeyValueStorage } from './storage';

function mapStorage(): KeyValueStorage & { map: Map<string, string> } {
  const map = new Map<string, string>();
  return {
    map,
    getItem: (k) => map.get(k) ?? null,
    setItem: (k, v) => { map.set(k, v); },
    removeItem: (k) => { map.delete(k); },
  };
}

describe('edit state', () => {
  it('is dirty once there is a prompt or a mask', () => {
    const s = emptyEditState(1);
    expect(isDirty(s)).toBe(false);
    expect(isDirty({ ...s, points: [{ x: 1, y: 1, label: 1 }] })).toBe(true);
    expect(sourceOf(s)).toBe('manual');
    expect(sourceOf({ ...s, box: [0, 0, 1, 1] })).toBe('assisted');
  });
});

describe('DraftStore', () => {
  it('saves, loads and clears a draft per image', () => {
    const storage = mapStorage();
    const drafts = new DraftStore(storage);
    const state = { ...emptyEditState(2), points: [{ x: 5, y: 6, label: 1 as const }] };
    expect(drafts.save({ id: 4 }, state, { activeMs: 1200, clicks: 1, prompts: [] })).toBe(true);
    const back = drafts.load(4);
    expect(back?.state.points).toEqual(state.points);
    expect(back?.session.activeMs).toBe(1200);
    expect(drafts.load(5)).toBeNull();
    drafts.clear(4);
    expect(drafts.load(4)).toBeNull();
  });

  it('ignores corrupt drafts and reports a full storage', () => {
    const storage = mapStorage();
    storage.map.set('segdata.draft.image.1', '{not json');
    const drafts = new DraftStore(storage);
    expect(drafts.load(1)).toBeNull();
    const full = new DraftStore({ ...storage, setItem: () => { throw new Error('QuotaExceededError'); } });
    expect(full.save({ id: 1 }, emptyEditState(), { activeMs: 0, clicks: 0, prompts: [] })).toBe(false);
  });
});
