import { describe, expect, it } from 'vitest';
import type { MaskRecord, MaskStatus } from './apiTypes';
import { proposalAfterDecision, splitMasks, stepProposal } from './proposals';
import { maskRecord } from '../testing/records';

function mask(id: number, status: MaskStatus, predicted_iou: number | null = null, source: MaskRecord['source'] = 'auto'): MaskRecord {
  return maskRecord({ id, source, status, predicted_iou });
}

const ids = (masks: { id: number }[]) => masks.map((m) => m.id);

describe('proposals', () => {
  it('splits kept masks, proposals (most confident first) and rejected ones', () => {
    const split = splitMasks([
      mask(1, 'submitted'), mask(2, 'proposed', 0.9), mask(3, 'rejected'), mask(4, 'accepted'),
      mask(5, 'proposed', 0.97), mask(6, 'proposed'), mask(7, 'proposed', 0.9), mask(8, 'rejected', null, 'assisted'),
    ]);
    expect(ids(split.kept)).toEqual([1, 4, 8]); // a person's mask a reviewer rejected stays in sight
    expect(ids(split.proposals)).toEqual([5, 2, 7, 6]);
    expect(split.rejected).toBe(1);
  });

  it('steps through proposals with wrap-around (Tab / Shift+Tab)', () => {
    const list = [{ id: 5 }, { id: 2 }, { id: 7 }];
    expect(stepProposal(list, null, 1)).toBe(5);
    expect(stepProposal(list, null, -1)).toBe(7);
    expect(stepProposal(list, 5, 1)).toBe(2);
    expect(stepProposal(list, 7, 1)).toBe(5);
    expect(stepProposal(list, 5, -1)).toBe(7);
    expect(stepProposal(list, 99, 1)).toBe(5);
    expect(stepProposal([], null, 1)).toBeNull();
  });

  it('moves on to the next remaining proposal after a decision', () => {
    const before = [{ id: 5 }, { id: 2 }, { id: 7 }];
    expect(proposalAfterDecision(before, [{ id: 5 }, { id: 7 }], 2)).toBe(7);
    expect(proposalAfterDecision(before, [{ id: 5 }, { id: 2 }], 7)).toBe(5); // wraps to the first
    expect(proposalAfterDecision(before, [{ id: 2 }], 5)).toBe(2);
    expect(proposalAfterDecision(before, [], 5)).toBeNull();
    expect(proposalAfterDecision(before, [{ id: 11 }], 42)).toBe(11);
  });
});
