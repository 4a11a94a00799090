// The video annotator's keyboard map: one table for the handler and the help list.
import type { KeyLike } from './shortcuts';

export type VideoCommand =
  | 'previousFrame' | 'nextFrame' | 'back10' | 'forward10' | 'firstFrame' | 'lastFrame' | 'playPause'
  | 'toolPrompt' | 'toolBrush' | 'toolEraser' | 'toolSelect' | 'brushSmaller' | 'brushLarger'
  | 'undo' | 'applyBrush' | 'discardBrush' | 'newObject' | 'nextObject' | 'previousObject' | 'removeObject'
  | 'propagateForward' | 'propagateBackward' | 'propagateBoth'
  | 'fit' | 'zoomIn' | 'zoomOut';

export interface VideoShortcut { keys: string; command: VideoCommand; description: string }

export const VIDEO_SHORTCUTS: VideoShortcut[] = [
  { keys: '← / →', command: 'previousFrame', description: 'Previous / next frame' },
  { keys: 'Shift+← / Shift+→', command: 'back10', description: '10 frames back / forward' },
  { keys: 'Home / End', command: 'firstFrame', description: 'First / last frame' },
  { keys: 'Space', command: 'playPause', description: 'Play / pause' },
  { keys: 'P / B / E / V', command: 'toolPrompt', description: 'Points and box / brush / eraser / select tool' },
  { keys: '[ / ]', command: 'brushSmaller', description: 'Brush smaller / larger' },
  { keys: 'Enter', command: 'applyBrush', description: 'Send the brushed mask' },
  { keys: 'Esc', command: 'discardBrush', description: 'Drop brush strokes not sent' },
  { keys: 'Ctrl+Z', command: 'undo', description: 'Undo a brush stroke (or the last click on this frame)' },
  { keys: 'N', command: 'newObject', description: 'New object' },
  { keys: 'Tab / Shift+Tab', command: 'nextObject', description: 'Next / previous object' },
  { keys: 'Delete', command: 'removeObject', description: 'Remove the selected object (asks first)' },
  { keys: 'Ctrl+→ / Ctrl+← / Ctrl+↔', command: 'propagateForward', description: 'Propagate forward / backward (Ctrl+Shift+→: both)' },
  { keys: 'F / + / -', command: 'fit', description: 'Fit / zoom in / zoom out' },
];

export function videoCommandForKey(e: KeyLike): VideoCommand | null {
  const ctrl = Boolean(e.ctrlKey || e.metaKey);
  const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
  if (e.altKey) return null;
  if (ctrl) {
    if (key === 'z') return 'undo';
    if (key === 'ArrowRight') return e.shiftKey ? 'propagateBoth' : 'propagateForward';
    if (key === 'ArrowLeft') return 'propagateBackward';
    return null;
  }
  switch (key) {
    case 'ArrowLeft': return e.shiftKey ? 'back10' : 'previousFrame';
    case 'ArrowRight': return e.shiftKey ? 'forward10' : 'nextFrame';
    case 'Home': return 'firstFrame';
    case 'End': return 'lastFrame';
    case ' ': case 'Spacebar': return 'playPause';
    case 'p': return 'toolPrompt';
    case 'b': return 'toolBrush';
    case 'e': return 'toolEraser';
    case 'v': return 'toolSelect';
    case '[': return 'brushSmaller';
    case ']': return 'brushLarger';
    case 'Enter': return 'applyBrush';
    case 'Escape': return 'discardBrush';
    case 'n': return 'newObject';
    case 'Tab': return e.shiftKey ? 'previousObject' : 'nextObject';
    case 'Delete': case 'Backspace': return 'removeObject';
    case 'f': return 'fit';
    case '+': case '=': return 'zoomIn';
    case '-': case '_': return 'zoomOut';
    default: return null;
  }
}
