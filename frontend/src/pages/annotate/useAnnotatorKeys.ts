// The annotators' keyboard: one window listener that asks the one keymap what a key means on this
// page and runs it. A text field keeps its keys, and Escape or Enter there hands the keyboard back
// (to the canvas) so the shortcuts work again without a click; buttons, selects and sliders keep
// only their own keys. Also the help overlay's open state (? and Escape).
import { useEffect, useEffectEvent, useState } from 'react';
import { commandForKey, keyDecision, type AnnotatorKind, type Command } from '../../core/keymap';

export interface AnnotatorKeys {
  /** Runs a command; false: not now (the key keeps its usual job, e.g. Tab moves the focus). */
  run: (command: Command, event: KeyboardEvent) => boolean | void;
  /** Where the keyboard goes after leaving a text field (the canvas). */
  home: () => HTMLElement | null;
  /** Every key press, before anything else (the image annotator counts it as time on the mask). */
  onAnyKey?: () => void;
}

export function useAnnotatorKeys(page: AnnotatorKind, keys: AnnotatorKeys): { helpOpen: boolean; setHelpOpen: (open: boolean) => void } {
  const [helpOpen, setHelpOpen] = useState(false);

  const onKey = useEffectEvent((e: KeyboardEvent) => {
    keys.onAnyKey?.();
    const decision = keyDecision(e, e.target);
    if (decision === 'native') return;
    if (decision === 'release-focus') {
      e.preventDefault();
      (e.target as HTMLElement).blur();
      keys.home()?.focus({ preventScroll: true });
      return;
    }
    if (e.key === 'Escape' && helpOpen) {
      e.preventDefault();
      setHelpOpen(false);
      return;
    }
    const command = commandForKey(e, page);
    if (!command) return;
    if (command === 'help') {
      e.preventDefault();
      setHelpOpen(!helpOpen);
      return;
    }
    if (keys.run(command, e) !== false) e.preventDefault();
  });

  useEffect(() => {
    const listener = (e: KeyboardEvent) => onKey(e);
    window.addEventListener('keydown', listener);
    return () => window.removeEventListener('keydown', listener);
  }, []);

  return { helpOpen, setHelpOpen };
}
