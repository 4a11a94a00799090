// The semi-automatic stage in the annotator: automatic proposals (status "proposed") are kept apart
// from the image's masks and decided one by one: accept (A), reject (X), or fix then accept (the
// fix is a PATCH of the pixels, then accept with the version the PATCH answered).
// AnnotatorController owns the state and the canvas; this class holds the decisions.
import type { ApiClient } from '../../core/api';
import { ApiError, VersionConflict } from '../../core/apiErrors';
import type { MaskRecord } from '../../core/apiTypes';
import { proposalAfterDecision, splitMasks, stepProposal } from '../../core/proposals';
import type { AnnotatorView, Conflict } from './AnnotatorController';

/** What ProposalReview needs from the controller. */
export interface ProposalHost {
  readonly api: ApiClient;
  view(): AnnotatorView;
  set(patch: Partial<AnnotatorView>): void;
  refreshMasks(): Promise<void>;
  flash(notice: string): void;
  describe(error: unknown): string;
  /** Loads a mask into the editor (undoable); a proposal there is saved as a fix and accepted. */
  edit(id: number): void;
  /** Saves the mask in the editor (for a proposal: PATCH then accept). */
  save(): Promise<boolean>;
  /** Drops what is in the editor without an undo step (the proposal it held was decided). */
  discardEdit(): void;
  editingId(): number | null;
  /** False once the page is gone (stops polling). */
  alive(): boolean;
}

export type ProposalView = Pick<AnnotatorView, 'proposals' | 'selectedProposalId' | 'rejectedCount' | 'deciding'>;

export class ProposalReview {
  constructor(private readonly host: ProposalHost) {}

  /** The view fields for a fresh list of the image's masks; keeps the review moving when the
   * selected proposal left the list (decided here or by someone else). */
  static split(all: MaskRecord[], previous: ProposalView | null): Pick<AnnotatorView, 'savedMasks'> & ProposalView {
    const { kept, proposals, rejected } = splitMasks(all);
    let selected = previous?.selectedProposalId ?? null;
    if (selected !== null && !proposals.some((p) => p.id === selected)) {
      selected = proposalAfterDecision(previous?.proposals ?? [], proposals, selected);
    }
    return { savedMasks: kept, proposals, rejectedCount: rejected, selectedProposalId: selected, deciding: previous?.deciding ?? false };
  }

  private get selected(): MaskRecord | null {
    const view = this.host.view();
    return view.proposals.find((p) => p.id === view.selectedProposalId) ?? null;
  }

  select(id: number | null): void {
    this.host.set({ selectedProposalId: id, ...(id !== null ? { selectedMaskId: null } : {}) });
  }

  /** Tab / Shift+Tab. Returns false when there is nothing to step through (Tab keeps its usual job). */
  step(direction: 1 | -1): boolean {
    const view = this.host.view();
    if (view.proposals.length === 0) return false;
    this.select(stepProposal(view.proposals, view.selectedProposalId, direction));
    return true;
  }

  /** A: accept the selected proposal as it is, or with the fix in the editor. */
  async accept(): Promise<void> {
    const mask = this.selected;
    if (!mask) {
      this.nothingSelected();
      return;
    }
    if (this.host.editingId() === mask.id) {
      await this.host.save();
      return;
    }
    await this.decide(mask, true, mask.version);
  }

  /** X: reject the selected proposal (a fix in progress on it is dropped). */
  async reject(): Promise<void> {
    const mask = this.selected;
    if (!mask) {
      this.nothingSelected();
      return;
    }
    await this.decide(mask, false, mask.version);
  }

  /** Loads the selected (or given) proposal into the editor: brush, eraser or clicks, then A or S. */
  fix(id?: number): void {
    const target = id ?? this.selected?.id;
    if (target === undefined) return;
    this.select(target);
    this.host.edit(target);
  }

  /** Semi-automatic stage, an image with nothing on it yet: its proposals are probably being computed
   * (a job per image after the switch). Look again now and then so they show up without a reload. */
  async watchForProposals(options: { intervalMs?: number; timeoutMs?: number; sleep?: (ms: number) => Promise<void> } = {}): Promise<void> {
    const sleep = options.sleep ?? ((ms: number) => new Promise<void>((r) => setTimeout(r, ms)));
    const interval = options.intervalMs ?? 4000;
    const deadline = Date.now() + (options.timeoutMs ?? 180_000);
    const waiting = () => {
      const view = this.host.view();
      return this.host.alive() && view.project?.stage === 'semi' && view.proposals.length === 0
        && view.savedMasks.length === 0 && view.rejectedCount === 0;
    };
    if (waiting()) this.host.set({ proposalsPending: true });
    while (waiting() && Date.now() < deadline) {
      await sleep(interval);
      if (!waiting()) break;
      await this.host.refreshMasks().catch(() => undefined);
    }
    if (this.host.alive()) this.host.set({ proposalsPending: false });
  }

  /** The conflict dialog's "accept / reject anyway": decide on the server's current version. */
  async decideAnyway(conflict: Conflict): Promise<void> {
    this.host.set({ conflict: null });
    await this.decide(conflict.theirs, conflict.action === 'accept', conflict.theirs.version);
  }

  private nothingSelected(): void {
    if (this.host.view().proposals.length) this.host.flash('Select a proposal first (Tab, or click it in the list).');
  }

  private async decide(mask: MaskRecord, accept: boolean, version: number): Promise<void> {
    if (this.host.view().deciding) return;
    this.host.set({ deciding: true, error: null });
    try {
      if (accept) await this.host.api.acceptMask(mask.id, version);
      else await this.host.api.rejectMask(mask.id, version);
      if (this.host.editingId() === mask.id) this.host.discardEdit();
      await this.host.refreshMasks();
      this.host.flash(accept ? `Proposal #${mask.id} accepted.` : `Proposal #${mask.id} rejected.`);
    } catch (error) {
      if (error instanceof VersionConflict) {
        if (error.current.status !== 'proposed') {
          // Someone else decided it meanwhile: nothing to choose, show their decision.
          await this.host.refreshMasks().catch(() => undefined);
          this.host.flash(`Proposal #${mask.id} was already ${error.current.status} by someone else.`);
        } else {
          this.host.set({
            conflict: { mine: { rle: mask.rle, category: mask.category }, theirs: error.current, action: accept ? 'accept' : 'reject' },
          });
        }
      } else {
        // A 400 (no longer a proposal) or 404 (deleted): the list is out of date.
        if (error instanceof ApiError) await this.host.refreshMasks().catch(() => undefined);
        this.host.set({ error: `Could not ${accept ? 'accept' : 'reject'} proposal #${mask.id}: ${this.host.describe(error)}` });
      }
    } finally {
      this.host.set({ deciding: false });
    }
  }
}
