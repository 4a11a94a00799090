import { describe, expect, it } from 'vitest';
import { actionsFor, rememberedStates, rememberStates, toggleState } from './work';

describe('work items', () => {
  it('offers the decisions that fit a state', () => {
    expect(actionsFor('new')).toEqual(['complete', 'skip', 'flag']);
    expect(actionsFor('flagged')).toEqual(['unflag']);
    expect(actionsFor('complete')).toEqual(['reopen']);
  });

  it('remembers a filter per project, in a fixed order, and forgets an empty one', () => {
    const map = new Map<string, string>();
    const store = { getItem: (k: string) => map.get(k) ?? null, setItem: (k: string, v: string) => void map.set(k, v), removeItem: (k: string) => void map.delete(k) };
    rememberStates(3, toggleState(toggleState([], 'flagged'), 'new'), store);
    expect(rememberedStates(3, store)).toEqual(['new', 'flagged']);
    expect(rememberedStates(4, store)).toEqual([]);
    rememberStates(3, [], store);
    expect(rememberedStates(3, store)).toEqual([]);
  });
});
