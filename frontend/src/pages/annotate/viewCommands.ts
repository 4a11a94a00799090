// The keymap's commands that mean the same to every annotator: the view (fit, zoom, pan) on the
// canvas, and the tool and brush size on the page's controller.
import type { Command } from '../../core/keymap';
import type { AnnotationCanvas, Tool } from '../../canvas/AnnotationCanvas';

/** What both annotator controllers offer for tools. */
export interface ToolTarget { setTool(tool: Tool): void; resizeBrush(factor: number): void }

const TOOL_OF: Partial<Record<Command, Tool>> = {
  toolPrompt: 'prompt', toolBrush: 'brush', toolEraser: 'eraser', toolSelect: 'select',
};

/** Runs `command` when it picks a tool or sizes the brush; false when it does neither. */
export function runToolCommand(target: ToolTarget, command: Command): boolean {
  const tool = TOOL_OF[command];
  if (tool) target.setTool(tool);
  else if (command === 'brushSmaller') target.resizeBrush(1 / 1.25);
  else if (command === 'brushLarger') target.resizeBrush(1.25);
  else return false;
  return true;
}

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
