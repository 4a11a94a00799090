import { describe, expect, it } from 'vitest';
import type { ApiClient } from '../../core/api';
import { ApiError, VersionConflict } from '../../core/apiErrors';
import type { MaskRecord, MaskStatus } from '../../core/apiTypes';
import { maskRecord } from '../../testing/records';
import type { AnnotatorView } from './AnnotatorController';
import { ProposalReview, type ProposalHost } from './ProposalReview';

function mask(id: number, status: MaskStatus = 'proposed', iou = 0.9, version = 1): MaskRecord {
  return maskRecord({ id, source: 'auto', status, version, predicted_iou: iou });
}

/** A host over an in-memory server: `server` holds the rows, `api` answers from it. */
function setup(rows: MaskRecord[], answer?: (kind: 'accept' | 'reject', id: number, version: number) => MaskRecord) {
  const server = new Map(rows.map((m) => [m.id, m]));
  const calls: string[] = [];
  let editing: number | null = null;
  const decide = (kind: 'accept' | 'reject') => async (id: number, version: number) => {
    calls.push(`${kind} ${id} v${version}`);
    if (answer) return answer(kind, id, version);
    const row = server.get(id)!;
    if (row.version !== version) throw new VersionConflict('stale', row, {});
    const next: MaskRecord = { ...row, status: kind === 'accept' ? 'submitted' : 'rejected', version: version + 1 };
    server.set(id, next);
    return next;
  };
  const api = { acceptMask: decide('accept'), rejectMask: decide('reject') } as unknown as ApiClient;
  let view = { ...ProposalReview.split(rows, null), selectedMaskId: null, conflict: null, error: null } as unknown as AnnotatorView;
  const notices: string[] = [];
  const host: ProposalHost = {
    api,
    view: () => view,
    set: (patch) => { view = { ...view, ...patch }; },
    refreshMasks: async () => { view = { ...view, ...ProposalReview.split([...server.values()], view) }; },
    flash: (n) => notices.push(n),
    describe: (e) => (e instanceof ApiError ? e.detail : String(e)),
    edit: (id) => { editing = id; },
    save: async () => { calls.push(`save ${editing}`); return true; },
    discardEdit: () => { editing = null; },
    editingId: () => editing,
    alive: () => true,
  };
  return { review: new ProposalReview(host), server, calls, notices, view: () => view, host };
}

describe('ProposalReview', () => {
  it('keeps proposals apart and reviews them most confident first, moving on after each decision', async () => {
    const t = setup([mask(1, 'submitted'), mask(2, 'proposed', 0.8), mask(3, 'proposed', 0.95), mask(4, 'rejected')]);
    expect(t.view().savedMasks.map((m) => m.id)).toEqual([1]);
    expect(t.view().proposals.map((m) => m.id)).toEqual([3, 2]);
    expect(t.view().rejectedCount).toBe(1);

    await t.review.accept();
    expect(t.notices).toEqual(['Select a proposal first (Tab, or click it in the list).']);
    expect(t.review.step(1)).toBe(true);
    expect(t.view().selectedProposalId).toBe(3);
    await t.review.accept();
    expect(t.calls).toEqual(['accept 3 v1']);
    expect(t.view().savedMasks.map((m) => m.id)).toEqual([1, 3]);
    expect(t.view().selectedProposalId).toBe(2);
    await t.review.reject();
    expect(t.view().proposals).toEqual([]);
    expect(t.view().rejectedCount).toBe(2);
    expect(t.view().selectedProposalId).toBeNull();
    expect(t.review.step(1)).toBe(false); // Tab keeps its usual job
  });

  it('asks on a 409 while it is still a proposal, then decides on their version', async () => {
    const t = setup([mask(5)]);
    t.server.set(5, { ...mask(5), version: 2, category: 7 }); // someone edited it
    t.review.select(5);
    await t.review.reject();
    const conflict = t.view().conflict!;
    expect(conflict.action).toBe('reject');
    expect(conflict.theirs.version).toBe(2);
    await t.review.decideAnyway(conflict);
    expect(t.calls).toEqual(['reject 5 v1', 'reject 5 v2']);
    expect(t.view().conflict).toBeNull();
    expect(t.server.get(5)!.status).toBe('rejected');
  });

  it('says so when someone else already decided it', async () => {
    const t = setup([mask(6)]);
    t.server.set(6, { ...mask(6, 'submitted'), version: 2 });
    t.review.select(6);
    await t.review.accept();
    expect(t.view().conflict).toBeNull();
    expect(t.notices.at(-1)).toBe('Proposal #6 was already submitted by someone else.');
    expect(t.view().savedMasks.map((m) => m.id)).toEqual([6]);
  });

  it('accepting a proposal being fixed saves the fix (PATCH then accept); rejecting drops the fix', async () => {
    const t = setup([mask(7), mask(8)]);
    t.review.fix(7);
    expect(t.host.editingId()).toBe(7);
    expect(t.view().selectedProposalId).toBe(7);
    await t.review.accept();
    expect(t.calls).toEqual(['save 7']);
    t.review.fix(8);
    await t.review.reject();
    expect(t.host.editingId()).toBeNull();
    expect(t.calls.at(-1)).toBe('reject 8 v1');
  });

  it('in the semi-automatic stage, looks again until the proposals of an empty image arrive', async () => {
    const t = setup([]);
    t.host.set({ project: { stage: 'semi' } as AnnotatorView['project'] });
    let looks = 0;
    const pending: boolean[] = [];
    const watching = t.review.watchForProposals({
      sleep: async () => {
        pending.push(t.view().proposalsPending);
        if (++looks === 3) t.server.set(11, mask(11));
      },
    });
    await watching;
    expect(looks).toBe(3);
    expect(pending).toEqual([true, true, true]);
    expect(t.view().proposals.map((m) => m.id)).toEqual([11]);
    expect(t.view().proposalsPending).toBe(false);

    const assisted = setup([]);
    assisted.host.set({ project: { stage: 'assisted' } as AnnotatorView['project'] });
    await assisted.review.watchForProposals({ sleep: async () => { throw new Error('no polling outside semi'); } });
  });

  it('shows other errors and refreshes the list', async () => {
    const t = setup([mask(9)], () => { throw new ApiError(400, 'mask 9 is rejected, not a proposal', {}); });
    t.review.select(9);
    await t.review.accept();
    expect(t.view().error).toBe('Could not accept proposal #9: mask 9 is rejected, not a proposal');
    expect(t.view().deciding).toBe(false);
  });
});
