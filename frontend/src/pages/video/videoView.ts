// What the video annotator shows, as one immutable object (VideoController replaces it on every
// change; React reads it with useSyncExternalStore).
import type { FrameRecord, Project, VideoRecord, VideoSessionRecord } from '../../core/apiTypes';
import type { FramePrompts, VideoObject } from '../../core/video';
import type { Tool } from '../../canvas/AnnotationCanvas';
import type { PendingCategories } from './objects';
import type { PropagationView } from './Propagation';
import type { SaveState } from './PromptQueue';

export type { PropagationView } from './Propagation';

export interface VideoView {
  status: 'loading' | 'extracting' | 'ready' | 'error';
  loadError: string | null;
  video: VideoRecord | null;
  project: Project | null;
  session: VideoSessionRecord | null;
  frames: FrameRecord[];
  frame: number;
  /** The frame's picture is still being fetched. */
  frameLoading: boolean;
  playing: boolean;
  selectedObj: number | null;
  tool: Tool;
  brushRadius: number;
  /** Brush / eraser strokes on (selectedObj, frame) not sent yet. */
  brushDirty: boolean;
  canUndo: boolean;
  saveState: SaveState;
  saveMessage: string | null;
  /** Prompts applied by the server since the page opened. */
  savedOps: number;
  propagation: PropagationView | null;
  /** Categories chosen for objects the server knows, sent with their next prompt. */
  pendingCategory: PendingCategories;
  removing: number | null;
  error: string | null;
  notice: string | null;
  /** Changes whenever the masklets change (timeline, object list). */
  storeVersion: number;
  /** The objects, by id, as of `storeVersion`. */
  objects: VideoObject[];
  prompts: FramePrompts;
}

export const NO_PROMPTS: FramePrompts = { points: [], labels: [], box: null };

export function initialVideoView(): VideoView {
  return {
    status: 'loading', loadError: null, video: null, project: null, session: null, frames: [], frame: 0,
    frameLoading: true, playing: false, selectedObj: null, tool: 'prompt', brushRadius: 6, brushDirty: false,
    canUndo: false, saveState: 'idle', saveMessage: null, savedOps: 0, propagation: null, pendingCategory: {}, removing: null,
    error: null, notice: null, storeVersion: 0, objects: [], prompts: NO_PROMPTS,
  };
}
