// Proposed automatic masks (semi-automatic stage) kept apart from the masks people saved or accepted.
import type { MaskRecord } from './apiTypes';

export interface SplitMasks {
  /** Submitted or accepted: the image's annotation. */
  kept: MaskRecord[];
  /** Waiting for a person: accept, fix then accept, or reject. */
  proposals: MaskRecord[];
  /** Rejected automatic masks: kept on the server for the metrics, not drawn. (A person's mask a
   * reviewer rejected stays in `kept`, so its annotator sees it and can fix it.) */
  rejected: number;
}

export function splitMasks(masks: MaskRecord[]): SplitMasks {
  const kept: MaskRecord[] = [];
  const proposals: MaskRecord[] = [];
  let rejected = 0;
  for (const mask of masks) {
    if (mask.status === 'proposed') proposals.push(mask);
    else if (mask.status === 'rejected' && mask.source === 'auto') rejected++;
    else kept.push(mask);
  }
  // Review the most confident first; ties (or no score) by id, as the server stored them.
  proposals.sort((a, b) => (b.predicted_iou ?? -1) - (a.predicted_iou ?? -1) || a.id - b.id);
  return { kept, proposals, rejected };
}

/** The proposal after (step 1) or before (step -1) `currentId`, wrapping; the first when none is current. */
export function stepProposal(proposals: Pick<MaskRecord, 'id'>[], currentId: number | null, step: 1 | -1): number | null {
  if (proposals.length === 0) return null;
  const index = currentId === null ? -1 : proposals.findIndex((p) => p.id === currentId);
  if (index < 0) return step === 1 ? proposals[0].id : proposals[proposals.length - 1].id;
  return proposals[(index + step + proposals.length) % proposals.length].id;
}

/** After `decidedId` left the list: the next remaining one in review order (wrapping), null when none is left. */
export function proposalAfterDecision(before: Pick<MaskRecord, 'id'>[], after: Pick<MaskRecord, 'id'>[], decidedId: number): number | null {
  if (after.length === 0) return null;
  const remaining = new Set(after.map((p) => p.id));
  const index = before.findIndex((p) => p.id === decidedId);
  for (let k = 1; k <= before.length; k++) {
    const candidate = before[(index + k + before.length) % before.length];
    if (candidate && remaining.has(candidate.id)) return candidate.id;
  }
  return after[0].id;
}
