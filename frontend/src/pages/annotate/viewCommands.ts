// The keymap's view commands (fit, zoom, pan) on an annotation canvas, the same on every page.
import type { Command } from '../../core/keymap';
import type { AnnotationCanvas } from '../../canvas/AnnotationCanvas';

const PAN_STEP_PX = 80;

/** Runs `command` when it is a view command; false when it is not one. */
export function runViewCommand(canvas: AnnotationCanvas | null, command: Command): boolean {
  switch (command) {
    case 'fit': canvas?.fit(); return true;
    case 'zoomIn': canvas?.zoom(1.25); return true;
    case 'zoomOut': canvas?.zoom(0.8); return true;
    case 'panLeft': canvas?.pan(PAN_STEP_PX, 0); return true;
    case 'panRight': canvas?.pan(-PAN_STEP_PX, 0); return true;
    case 'panUp': canvas?.pan(0, PAN_STEP_PX); return true;
    case 'panDown': canvas?.pan(0, -PAN_STEP_PX); return true;
    default: return false;
  }
}
