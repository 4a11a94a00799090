// One keyboard map for the image annotator, the video annotator and the review queue: a key means the
// same thing on every page (where a page has no such action the key does nothing there), and this one
// table drives the key handler and the help overlay of each. Also: which focused elements keep which keys.

export type AnnotatorKind = 'image' | 'video' | 'review';

export type Command =
  | 'candidate1' | 'candidate2' | 'candidate3'
  | 'toolPrompt' | 'toolBrush' | 'toolEraser' | 'toolSelect' | 'brushSmaller' | 'brushLarger'
  | 'undo' | 'redo' | 'save' | 'saveAndNext' | 'discard' | 'newObject' | 'deleteSelected'
  | 'nextCategory' | 'previousCategory' | 'nextItem' | 'previousItem' | 'acceptProposal' | 'rejectProposal'
  | 'previousFrame' | 'nextFrame' | 'back10' | 'forward10' | 'firstFrame' | 'lastFrame' | 'playPause'
  | 'propagateForward' | 'propagateBackward' | 'propagateBoth'
  | 'fit' | 'zoomIn' | 'zoomOut' | 'panLeft' | 'panRight' | 'panUp' | 'panDown'
  | 'help';

/** One line of the help: the keys as shown, what they mean, on which pages, and the chords that run them. */
export interface KeyRow {
  keys: string;
  description: string;
  pages: readonly AnnotatorKind[];
  /** "Ctrl+Shift+z" style chords (Ctrl also matches Cmd); a letter matches either case. */
  bindings: readonly (readonly [chord: string, command: Command])[];
}

const BOTH = ['image', 'video'] as const;
const ALL = ['image', 'video', 'review'] as const;
const IMAGE = ['image'] as const;

/** The annotators' keys, in the order the help shows them. */
export const KEYMAP: readonly KeyRow[] = [
  { keys: 'P / V', description: 'Tool: points and box / select', pages: BOTH, bindings: [['p', 'toolPrompt'], ['v', 'toolSelect']] },
  { keys: 'B / E', description: 'Tool: brush (add to the mask) / eraser (review: fix the mask with it)', pages: ALL,
    bindings: [['b', 'toolBrush'], ['e', 'toolEraser']] },
  { keys: '[ / ]', description: 'Brush / eraser smaller / larger', pages: ALL, bindings: [['[', 'brushSmaller'], [']', 'brushLarger']] },
  { keys: '1 / 2 / 3', description: 'Choose candidate mask 1, 2 or 3', pages: IMAGE,
    bindings: [['1', 'candidate1'], ['2', 'candidate2'], ['3', 'candidate3']] },
  { keys: 'Ctrl+Z', description: 'Undo (video and review: the last brush stroke not saved; video without one: the last click on this frame)', pages: ALL,
    bindings: [['Ctrl+z', 'undo']] },
  { keys: 'Ctrl+Shift+Z / Ctrl+Y', description: 'Redo', pages: IMAGE, bindings: [['Ctrl+Shift+z', 'redo'], ['Ctrl+y', 'redo']] },
  { keys: 'S or Enter', description: 'Save what is in progress (image: the mask; video: the brushed mask; review: the fix)', pages: ALL,
    bindings: [['s', 'save'], ['Enter', 'save']] },
  { keys: 'Shift+Enter', description: 'Save and go to the next image that needs work', pages: IMAGE, bindings: [['Shift+Enter', 'saveAndNext']] },
  { keys: 'Esc', description: 'Discard what is in progress (image: the mask, undoable; video: strokes not sent; review: the fix)', pages: ALL,
    bindings: [['Escape', 'discard']] },
  { keys: 'N', description: 'New object: keep the one in progress (image: saved; video: strokes sent) and start another', pages: BOTH,
    bindings: [['n', 'newObject']] },
  { keys: 'Delete', description: 'Delete the selected mask or object (video: asks first)', pages: BOTH,
    bindings: [['Delete', 'deleteSelected'], ['Backspace', 'deleteSelected']] },
  { keys: 'Tab / Shift+Tab', description: 'Select the next / previous item (image: proposal; video: object)', pages: BOTH,
    bindings: [['Tab', 'nextItem'], ['Shift+Tab', 'previousItem']] },
  { keys: 'C / Shift+C', description: 'Next / previous category (of the mask, or of the selected object)', pages: BOTH,
    bindings: [['c', 'nextCategory'], ['Shift+c', 'previousCategory']] },
  { keys: 'A', description: 'Accept the selected proposal (with your fix, if you edited it) or the item under review', pages: ['image', 'review'],
    bindings: [['a', 'acceptProposal']] },
  { keys: 'X or R', description: 'Reject the selected proposal or the item under review (review: with a reason)', pages: ['image', 'review'],
    bindings: [['x', 'rejectProposal'], ['r', 'rejectProposal']] },
  { keys: '← / →', description: 'Previous / next frame', pages: ['video', 'review'], bindings: [['ArrowLeft', 'previousFrame'], ['ArrowRight', 'nextFrame']] },
  { keys: 'Shift+← / Shift+→', description: '10 frames back / forward', pages: ['video'],
    bindings: [['Shift+ArrowLeft', 'back10'], ['Shift+ArrowRight', 'forward10']] },
  { keys: 'Home / End', description: 'First / last frame', pages: ['video'], bindings: [['Home', 'firstFrame'], ['End', 'lastFrame']] },
  { keys: 'Space', description: 'Play / pause (hold Space and drag to pan)', pages: ['video'], bindings: [[' ', 'playPause']] },
  { keys: 'Ctrl+→ / Ctrl+← / Ctrl+Shift+→', description: 'Propagate forward / backward / both ways', pages: ['video'],
    bindings: [['Ctrl+ArrowRight', 'propagateForward'], ['Ctrl+ArrowLeft', 'propagateBackward'], ['Ctrl+Shift+ArrowRight', 'propagateBoth']] },
  { keys: 'F', description: 'Fit the picture to the window', pages: ALL, bindings: [['f', 'fit']] },
  { keys: '+ / -', description: 'Zoom in / out', pages: ALL, bindings: [['+', 'zoomIn'], ['=', 'zoomIn'], ['-', 'zoomOut'], ['_', 'zoomOut']] },
  { keys: 'Alt+Arrows', description: 'Pan', pages: ALL,
    bindings: [['Alt+ArrowLeft', 'panLeft'], ['Alt+ArrowRight', 'panRight'], ['Alt+ArrowUp', 'panUp'], ['Alt+ArrowDown', 'panDown']] },
  { keys: '?', description: 'Show / hide this help', pages: ALL, bindings: [['?', 'help']] },
];

export const MOUSE_HELP: readonly (readonly [string, string])[] = [
  ['Left click', 'Positive point (object)'],
  ['Right click or Shift+click', 'Negative point (background)'],
  ['Drag', 'Box around the object'],
  ['Wheel', 'Zoom at the pointer'],
  ['Space+drag or middle drag', 'Pan'],
];

/** The rows a page shows in its help. */
export function keymapFor(page: AnnotatorKind): KeyRow[] {
  return KEYMAP.filter((row) => row.pages.includes(page));
}

/** The first key of a command as the help writes it (for button titles: "Save (S)"). */
export function keyHint(command: Command): string {
  const chord = KEYMAP.flatMap((row) => row.bindings).find(([, c]) => c === command)?.[0] ?? '';
  if (chord === ' ') return 'Space';
  return chord.replace(/(^|\+)([a-z])$/, (_, sep: string, letter: string) => `${sep}${letter.toUpperCase()}`);
}

// --- matching key events

export interface KeyLike { key: string; ctrlKey?: boolean; metaKey?: boolean; shiftKey?: boolean; altKey?: boolean }

/** A chord in one canonical spelling: "ctrl+alt+shift+key", the key lower-cased when it is one letter. */
export function chordId(ctrl: boolean, alt: boolean, shift: boolean, key: string): string {
  const name = key === 'Spacebar' ? ' ' : key.length === 1 ? key.toLowerCase() : key;
  return `${ctrl ? 'ctrl+' : ''}${alt ? 'alt+' : ''}${shift ? 'shift+' : ''}${name}`;
}

export function parseChord(chord: string): string {
  const parts = chord === '+' ? ['+'] : chord.split(/\+(?!$)/);
  const key = parts[parts.length - 1];
  const mods = new Set(parts.slice(0, -1).map((m) => m.toLowerCase()));
  return chordId(mods.has('ctrl'), mods.has('alt'), mods.has('shift'), key);
}

function isLetter(key: string): boolean {
  return key.length === 1 && key.toLowerCase() !== key.toUpperCase();
}

const BY_CHORD = new Map<string, { command: Command; pages: readonly AnnotatorKind[] }>();
for (const row of KEYMAP) {
  for (const [chord, command] of row.bindings) BY_CHORD.set(parseChord(chord), { command, pages: row.pages });
}

/**
 * The command a key press means on `page`, or null. Shift is part of the chord for letters and named
 * keys (Shift+C, Shift+Tab); a letter whose Shift chord is not in the map means what the plain letter
 * means (Caps Lock, Shift+X). For other printed characters Shift is already in the character (? +).
 */
export function commandForKey(e: KeyLike, page: AnnotatorKind): Command | null {
  const ctrl = Boolean(e.ctrlKey || e.metaKey);
  const alt = Boolean(e.altKey);
  const printed = e.key.length === 1 && !isLetter(e.key) && e.key !== ' ';
  const shift = Boolean(e.shiftKey) && !printed;
  let entry = BY_CHORD.get(chordId(ctrl, alt, shift, e.key));
  if (!entry && shift && isLetter(e.key)) entry = BY_CHORD.get(chordId(ctrl, alt, false, e.key));
  return entry && entry.pages.includes(page) ? entry.command : null;
}

// --- focus: which element keeps which keys

/** Element-like: what the focus rules read of an event target (tests pass plain objects). */
export interface FocusTarget { tagName?: string; type?: string; isContentEditable?: boolean }

const NOT_TEXT_INPUTS = new Set(['range', 'checkbox', 'radio', 'button', 'submit', 'reset', 'color', 'file', 'image']);

/** A field the person types into: shortcuts are off while it has the focus. */
export function isTextField(target: EventTarget | FocusTarget | null): boolean {
  const element = target as FocusTarget | null;
  if (!element?.tagName) return false;
  if (element.tagName === 'INPUT') return !NOT_TEXT_INPUTS.has((element.type ?? 'text').toLowerCase());
  return element.tagName === 'TEXTAREA' || !!element.isContentEditable;
}

export type KeyDecision = 'shortcut' | 'native' | 'release-focus';

/**
 * What a key press on `target` should do. In a text field: Escape and Enter hand the keyboard back
 * (the field keeps its value) and every other key types. Buttons keep Enter and Space, a select or a
 * slider keeps its arrows; everything else is a shortcut.
 */
export function keyDecision(e: KeyLike, target: EventTarget | FocusTarget | null): KeyDecision {
  if (isTextField(target)) {
    return (e.key === 'Escape' || e.key === 'Enter') && !e.ctrlKey && !e.metaKey && !e.altKey ? 'release-focus' : 'native';
  }
  const element = target as FocusTarget | null;
  const tag = element?.tagName;
  if (tag === 'BUTTON' && (e.key === 'Enter' || e.key === ' ')) return 'native';
  const arrow = e.key.startsWith('Arrow') && !e.ctrlKey && !e.metaKey && !e.altKey;
  if (arrow && (tag === 'SELECT' || (tag === 'INPUT' && element?.type === 'range'))) return 'native';
  return 'shortcut';
}
