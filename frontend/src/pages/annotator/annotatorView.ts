// What the image annotator shows, as one immutable object (AnnotatorController replaces it on every
// change; React reads it with useSyncExternalStore), and the 409 conflict it may ask about.
import type { ImageRecord, MaskRecord, ModelInfo, Project } from '../../core/apiTypes';
import { emptyEditState, type EditState } from '../../core/editState';
import type { CompressedRle } from '../../core/rle';
import type { Tool } from '../../canvas/AnnotationCanvas';

export interface Conflict {
  /** What we tried to write, and the row the server has now. */
  mine: { rle: CompressedRle | null; category: number | null };
  theirs: MaskRecord;
  action: 'save' | 'delete' | 'accept' | 'reject';
}

export interface AnnotatorView {
  status: 'loading' | 'ready' | 'error';
  loadError: string | null;
  image: ImageRecord | null;
  project: Project | null;
  bitmap: ImageBitmap | null;
  edit: EditState;
  canUndo: boolean;
  canRedo: boolean;
  tool: Tool;
  brushRadius: number;
  /** Submitted or accepted masks (the image's annotation). */
  savedMasks: MaskRecord[];
  selectedMaskId: number | null;
  /** Automatic proposals waiting for a decision (ProposalReview), and how many were rejected. */
  proposals: MaskRecord[];
  selectedProposalId: number | null;
  rejectedCount: number;
  deciding: boolean;
  /** Semi-automatic stage, nothing on the image yet: its proposals may still be computed. */
  proposalsPending: boolean;
  /** The image's embedding as last seen; 'pending' shows a small "preparing" chip. */
  embeddingStatus: ImageRecord['embedding_status'] | null;
  /** Set while a predict waits on the embedding job (answered 202): the big overlay with progress. */
  preparing: { progress: number; state: string } | null;
  predicting: boolean;
  model: ModelInfo | null;
  saving: boolean;
  error: string | null;
  notice: string | null;
  conflict: Conflict | null;
  draftRestored: boolean;
  draftKept: boolean;
  clicks: number;
}

export function initialAnnotatorView(): AnnotatorView {
  return {
    status: 'loading', loadError: null, image: null, project: null, bitmap: null, edit: emptyEditState(),
    canUndo: false, canRedo: false, tool: 'prompt', brushRadius: 8, savedMasks: [], selectedMaskId: null,
    proposals: [], selectedProposalId: null, rejectedCount: 0, deciding: false, proposalsPending: false,
    embeddingStatus: null, preparing: null, predicting: false, model: null, saving: false, error: null, notice: null, conflict: null,
    draftRestored: false, draftKept: true, clicks: 0,
  };
}
