// The annotator's keyboard map, in one table that drives both the handler and the help overlay.

export type Command =
  | 'candidate1' | 'candidate2' | 'candidate3'
  | 'toolPrompt' | 'toolBrush' | 'toolEraser' | 'toolSelect'
  | 'brushSmaller' | 'brushLarger'
  | 'undo' | 'redo'
  | 'save' | 'saveNext' | 'clear' | 'deleteSelected'
  | 'nextCategory' | 'previousCategory'
  | 'acceptProposal' | 'rejectProposal' | 'nextProposal' | 'previousProposal'
  | 'fit' | 'zoomIn' | 'zoomOut' | 'panLeft' | 'panRight' | 'panUp' | 'panDown'
  | 'help';

export interface KeyLike { key: string; ctrlKey?: boolean; metaKey?: boolean; shiftKey?: boolean; altKey?: boolean }

export interface Shortcut { keys: string; command: Command; description: string }

/** Shown in the help overlay, in this order. Mouse actions are listed separately. */
export const SHORTCUTS: Shortcut[] = [
  { keys: '1 / 2 / 3', command: 'candidate1', description: 'Choose candidate mask 1, 2 or 3' },
  { keys: 'P', command: 'toolPrompt', description: 'Points and box tool' },
  { keys: 'B', command: 'toolBrush', description: 'Brush: add to the mask' },
  { keys: 'E', command: 'toolEraser', description: 'Eraser: remove from the mask' },
  { keys: 'V', command: 'toolSelect', description: 'Select a saved mask (to edit) or a proposal' },
  { keys: '[ / ]', command: 'brushSmaller', description: 'Brush / eraser smaller / larger' },
  { keys: 'Ctrl+Z', command: 'undo', description: 'Undo' },
  { keys: 'Ctrl+Shift+Z / Ctrl+Y', command: 'redo', description: 'Redo' },
  { keys: 'C / Shift+C', command: 'nextCategory', description: 'Next / previous category' },
  { keys: 'S or Enter', command: 'save', description: 'Save the mask' },
  { keys: 'N', command: 'saveNext', description: 'Save and go to the next image that needs work' },
  { keys: 'Esc', command: 'clear', description: 'Discard the mask in progress (undoable)' },
  { keys: 'Delete', command: 'deleteSelected', description: 'Delete the selected saved mask' },
  { keys: 'Tab / Shift+Tab', command: 'nextProposal', description: 'Next / previous automatic proposal' },
  { keys: 'A', command: 'acceptProposal', description: 'Accept the selected proposal (with your fix, if you edited it)' },
  { keys: 'X', command: 'rejectProposal', description: 'Reject the selected proposal' },
  { keys: 'F', command: 'fit', description: 'Fit the image to the window' },
  { keys: '+ / -', command: 'zoomIn', description: 'Zoom in / out' },
  { keys: 'Arrows', command: 'panLeft', description: 'Pan' },
  { keys: '?', command: 'help', description: 'Show / hide this help' },
];

export const MOUSE_HELP: [string, string][] = [
  ['Left click', 'Positive point (object)'],
  ['Right click or Shift+click', 'Negative point (background)'],
  ['Drag', 'Box around the object'],
  ['Wheel', 'Zoom at the pointer'],
  ['Space+drag or middle drag', 'Pan'],
];

export function commandForKey(e: KeyLike): Command | null {
  const ctrl = Boolean(e.ctrlKey || e.metaKey);
  const key = e.key.length === 1 ? e.key.toLowerCase() : e.key;
  if (ctrl) {
    if (key === 'z') return e.shiftKey ? 'redo' : 'undo';
    if (key === 'y') return 'redo';
    return null;
  }
  if (e.altKey) return null;
  switch (key) {
    case '1': return 'candidate1';
    case '2': return 'candidate2';
    case '3': return 'candidate3';
    case 'p': return 'toolPrompt';
    case 'b': return 'toolBrush';
    case 'e': return 'toolEraser';
    case 'v': return 'toolSelect';
    case '[': return 'brushSmaller';
    case ']': return 'brushLarger';
    case 's': case 'Enter': return 'save';
    case 'n': return 'saveNext';
    case 'c': return e.shiftKey ? 'previousCategory' : 'nextCategory';
    case 'Escape': return 'clear';
    case 'Delete': case 'Backspace': return 'deleteSelected';
    case 'a': return 'acceptProposal';
    case 'x': return 'rejectProposal';
    case 'Tab': return e.shiftKey ? 'previousProposal' : 'nextProposal';
    case 'f': return 'fit';
    case '+': case '=': return 'zoomIn';
    case '-': case '_': return 'zoomOut';
    case 'ArrowLeft': return 'panLeft';
    case 'ArrowRight': return 'panRight';
    case 'ArrowUp': return 'panUp';
    case 'ArrowDown': return 'panDown';
    case '?': return 'help';
    default: return null;
  }
}
