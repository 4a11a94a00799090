import { describe, expect, it } from 'vitest';
import { forgetStoredToken, LEGACY_TOKEN_KEY, readJson, writeJson } from './storage';
import { memoryStorage } from '../testing/scriptedApi';

describe('storage', () => {
  it('removes a token an earlier version kept, and leaves drafts alone', () => {
    const storage = memoryStorage();
    storage.setItem(LEGACY_TOKEN_KEY, '9944b09199c62bcf9418ad846dd0e4bbdfc6ee4b');
    writeJson(storage, 'draft', { a: 1 });
    expect(forgetStoredToken(storage)).toBe(true);
    expect(storage.getItem(LEGACY_TOKEN_KEY)).toBeNull();
    expect(readJson(storage, 'draft')).toEqual({ a: 1 });
    expect(forgetStoredToken(storage)).toBe(false);
  });

  it('answers false when storage cannot be read', () => {
    const broken = { getItem: () => { throw new Error('denied'); }, setItem: () => undefined, removeItem: () => undefined };
    expect(forgetStoredToken(broken)).toBe(false);
  });
});
