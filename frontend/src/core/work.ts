// Work items: each image's or video's state for the team, the filter of the list a person works
// from (remembered per project, so "next" hands out items of the same states), and the decisions
// an annotator takes on an item (complete, skip, flag) or undoes (reopen, unflag).
import type { WorkState } from './apiTypes';

export const STATE_LABELS: Record<WorkState, string> = {
  new: 'New', in_progress: 'In progress', complete: 'Complete', skipped: 'Skipped', flagged: 'Flagged',
  in_review: 'In review', accepted: 'Accepted', rejected: 'Rejected',
};

export const STATES = Object.keys(STATE_LABELS) as WorkState[];

/** The states an annotator works on by default: what is not done yet. */
export const TO_DO: WorkState[] = ['new', 'in_progress', 'rejected'];

export type WorkAction = 'complete' | 'skip' | 'flag' | 'unflag' | 'reopen';

/** Which decisions fit an item in `state` (a decided item is reopened or unflagged first). */
export function actionsFor(state: WorkState): WorkAction[] {
  if (state === 'flagged') return ['unflag'];
  if (state === 'skipped' || state === 'complete' || state === 'in_review' || state === 'accepted') return ['reopen'];
  return ['complete', 'skip', 'flag'];
}

const key = (projectId: number) => `segdata.work-filter.${projectId}`;

function storage(): Storage | null {
  return typeof window === 'undefined' ? null : window.localStorage;
}

export function rememberedStates(projectId: number, store: Pick<Storage, 'getItem'> | null = storage()): WorkState[] {
  const raw = store?.getItem(key(projectId));
  if (!raw) return [];
  return raw.split(',').filter((s): s is WorkState => (STATES as string[]).includes(s));
}

export function rememberStates(projectId: number, states: readonly WorkState[], store: Pick<Storage, 'setItem' | 'removeItem'> | null = storage()): void {
  if (!store) return;
  if (states.length) store.setItem(key(projectId), states.join(','));
  else store.removeItem(key(projectId));
}

/** Toggle one state in a filter (kept in the order of STATES). */
export function toggleState(states: readonly WorkState[], state: WorkState): WorkState[] {
  const next = states.includes(state) ? states.filter((s) => s !== state) : [...states, state];
  return STATES.filter((s) => next.includes(s));
}
