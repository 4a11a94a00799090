import { describe, expect, it } from 'vitest';
import {
  commandForKey, KEYMAP, keyDecision, keyHint, keymapFor, parseChord, type AnnotatorKind, type Command, type KeyLike,
} from './keymap';

const PAGES: AnnotatorKind[] = ['image', 'video', 'review'];

describe('one keymap', () => {
  it('binds every chord once: a key never means two things', () => {
    const seen = new Map<string, Command>();
    for (const row of KEYMAP) {
      for (const [chord, command] of row.bindings) {
        const id = parseChord(chord);
        expect(seen.has(id), `${chord} is bound twice`).toBe(false);
        seen.set(id, command);
      }
    }
  });

  it('lists each command in one row of the help, so both pages describe it alike', () => {
    const rowOf = new Map<Command, string>();
    for (const row of KEYMAP) {
      for (const [, command] of row.bindings) {
        expect(rowOf.get(command) ?? row.keys, `${command} in two rows`).toBe(row.keys);
        rowOf.set(command, row.keys);
      }
    }
  });

  it('every chord in the table runs its command on the pages its row names, and nothing elsewhere', () => {
    for (const row of KEYMAP) {
      for (const [chord, command] of row.bindings) {
        const parts = chord === '+' ? ['+'] : chord.split(/\+(?!$)/);
        const key = parts[parts.length - 1];
        const e: KeyLike = { key, ctrlKey: parts.includes('Ctrl'), shiftKey: parts.includes('Shift'), altKey: parts.includes('Alt') };
        for (const page of PAGES) expect(commandForKey(e, page), `${chord} on ${page}`).toBe(row.pages.includes(page) ? command : null);
      }
    }
  });

  it('gives N one meaning on both pages (new object), and save-and-next its own key', () => {
    expect(commandForKey({ key: 'n' }, 'image')).toBe('newObject');
    expect(commandForKey({ key: 'n' }, 'video')).toBe('newObject');
    expect(commandForKey({ key: 'Enter', shiftKey: true }, 'image')).toBe('saveAndNext');
    expect(commandForKey({ key: 'Enter', shiftKey: true }, 'video')).toBeNull();
    expect(commandForKey({ key: 'Enter' }, 'video')).toBe('save');
    expect(commandForKey({ key: 'Escape' }, 'image')).toBe('discard');
    expect(commandForKey({ key: 'Tab' }, 'video')).toBe('nextItem');
  });

  it('keeps the video keys people know: frames, play, propagate', () => {
    expect(commandForKey({ key: 'ArrowLeft' }, 'video')).toBe('previousFrame');
    expect(commandForKey({ key: 'ArrowRight' }, 'video')).toBe('nextFrame');
    expect(commandForKey({ key: ' ' }, 'video')).toBe('playPause');
    expect(commandForKey({ key: 'E' }, 'video')).toBe('toolEraser');
    expect(commandForKey({ key: 'ArrowRight', ctrlKey: true }, 'video')).toBe('propagateForward');
    expect(commandForKey({ key: 'n', altKey: true }, 'video')).toBeNull();
    expect(commandForKey({ key: 'q' }, 'video')).toBeNull();
  });

  it('reads modifiers the way people type them', () => {
    expect(commandForKey({ key: 'Z', ctrlKey: true, shiftKey: true }, 'image')).toBe('redo');
    expect(commandForKey({ key: 'z', metaKey: true }, 'video')).toBe('undo');
    expect(commandForKey({ key: 'C', shiftKey: true }, 'image')).toBe('previousCategory');
    expect(commandForKey({ key: 'X', shiftKey: true }, 'image')).toBe('rejectProposal'); // no Shift+X: the letter's meaning
    expect(commandForKey({ key: 'B' }, 'video')).toBe('toolBrush'); // Caps Lock
    expect(commandForKey({ key: '?', shiftKey: true }, 'video')).toBe('help'); // Shift is in the character
    expect(commandForKey({ key: '+', shiftKey: true }, 'image')).toBe('zoomIn');
    expect(commandForKey({ key: 'ArrowRight', shiftKey: true }, 'video')).toBe('forward10');
    expect(commandForKey({ key: 'ArrowRight', ctrlKey: true, shiftKey: true }, 'video')).toBe('propagateBoth');
    expect(commandForKey({ key: 'ArrowLeft', altKey: true }, 'image')).toBe('panLeft');
    expect(commandForKey({ key: 'ArrowLeft' }, 'image')).toBeNull();
    expect(commandForKey({ key: 's', ctrlKey: true }, 'image')).toBeNull();
    expect(commandForKey({ key: 'q' }, 'image')).toBeNull();
  });

  it('shows each page the rows it has, and hints keys for buttons', () => {
    expect(keymapFor('image').some((r) => r.keys === 'Home / End')).toBe(false);
    expect(keymapFor('video').some((r) => r.keys === '1 / 2 / 3')).toBe(false);
    expect(keymapFor('video').some((r) => r.keys === 'N')).toBe(true);
    expect(keyHint('save')).toBe('S');
    expect(keyHint('saveAndNext')).toBe('Shift+Enter');
    expect(keyHint('undo')).toBe('Ctrl+Z');
    expect(keyHint('playPause')).toBe('Space');
    expect(keymapFor('review').map((r) => r.keys)).toEqual(
      ['B / E', '[ / ]', 'Ctrl+Z', 'S or Enter', 'Esc', 'A', 'X or R', '← / →', 'F', '+ / -', 'Alt+Arrows', '?']);
  });
});

describe('focus never traps the shortcuts', () => {
  const number = { tagName: 'INPUT', type: 'number' };
  const text = { tagName: 'INPUT', type: 'text' };
  const range = { tagName: 'INPUT', type: 'range' };
  it('a text or number field types, and Escape or Enter hands the keyboard back', () => {
    expect(keyDecision({ key: '7' }, number)).toBe('native');
    expect(keyDecision({ key: 'n' }, text)).toBe('native');
    expect(keyDecision({ key: 'Enter' }, number)).toBe('release-focus');
    expect(keyDecision({ key: 'Escape' }, { tagName: 'TEXTAREA' })).toBe('release-focus');
    expect(keyDecision({ key: 'Enter', ctrlKey: true }, { tagName: 'TEXTAREA' })).toBe('native');
    expect(keyDecision({ key: 'a' }, { tagName: 'DIV', isContentEditable: true })).toBe('native');
  });
  it('other controls keep only their own keys', () => {
    expect(keyDecision({ key: 'ArrowLeft' }, range)).toBe('native');
    expect(keyDecision({ key: 'n' }, range)).toBe('shortcut');
    expect(keyDecision({ key: 'ArrowDown' }, { tagName: 'SELECT' })).toBe('native');
    expect(keyDecision({ key: 'c' }, { tagName: 'SELECT' })).toBe('shortcut');
    expect(keyDecision({ key: 'Enter' }, { tagName: 'BUTTON' })).toBe('native');
    expect(keyDecision({ key: 'e' }, { tagName: 'BUTTON' })).toBe('shortcut');
    expect(keyDecision({ key: 'n' }, { tagName: 'INPUT', type: 'checkbox' })).toBe('shortcut');
    expect(keyDecision({ key: 'ArrowRight' }, { tagName: 'CANVAS' })).toBe('shortcut');
    expect(keyDecision({ key: 'ArrowRight' }, null)).toBe('shortcut');
  });
});
