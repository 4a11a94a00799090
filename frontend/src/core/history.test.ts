import { describe, expect, it } from 'vitest';
import { History } from './history';

describe('History', () => {
  it('undoes and redoes in order', () => {
    const h = new History<number>(0);
    h.push(1);
    h.push(2);
    expect(h.present).toBe(2);
    expect(h.undo()).toBe(1);
    expect(h.undo()).toBe(0);
    expect(h.undo()).toBeUndefined();
    expect(h.present).toBe(0);
    expect(h.redo()).toBe(1);
    expect(h.redo()).toBe(2);
    expect(h.redo()).toBeUndefined();
  });

  it('drops the redo branch on a new push', () => {
    const h = new History<string>('a');
    h.push('b');
    h.undo();
    h.push('c');
    expect(h.canRedo).toBe(false);
    expect(h.undo()).toBe('a');
  });

  it('keeps at most `limit` past steps', () => {
    const h = new History<number>(0, { limit: 3 });
    for (let i = 1; i <= 10; i++) h.push(i);
    expect(h.undoDepth).toBe(3);
    h.undo(); h.undo(); h.undo();
    expect(h.present).toBe(7);
    expect(h.canUndo).toBe(false);
  });

  it('bounds the past by total size', () => {
    const h = new History<string>('', { sizeOf: (s: string) => s.length, maxTotalSize: 10 });
    h.push('aaaa'); h.push('bbbb'); h.push('cccc'); h.push('dddd');
    // past holds '', 'aaaa', 'bbbb', 'cccc' = 12 > 10, so the oldest go until it fits.
    expect(h.undoDepth).toBe(2);
    expect(h.undo()).toBe('cccc');
    expect(h.undo()).toBe('bbbb');
    expect(h.undo()).toBeUndefined();
  });

  it('replace and reset do not add steps', () => {
    const h = new History<number>(1);
    h.replace(2);
    expect(h.canUndo).toBe(false);
    h.push(3);
    h.reset(9);
    expect(h.present).toBe(9);
    expect(h.canUndo || h.canRedo).toBe(false);
  });
});
