import { describe, expect, it } from 'vitest';
import type { AnnotationCanvas } from '../../canvas/AnnotationCanvas';
import { runToolCommand, runViewCommand } from './viewCommands';

describe('commands every annotator shares', () => {
  it('runs tools and brush sizes on the controller, and nothing else', () => {
    const calls: string[] = [];
    const target = { setTool: (t: string) => calls.push(`tool ${t}`), resizeBrush: (f: number) => calls.push(`brush ${f}`) };
    expect(runToolCommand(target, 'toolEraser')).toBe(true);
    expect(runToolCommand(target, 'brushLarger')).toBe(true);
    expect(runToolCommand(target, 'brushSmaller')).toBe(true);
    expect(runToolCommand(target, 'save')).toBe(false);
    expect(calls).toEqual(['tool eraser', 'brush 1.25', 'brush 0.8']);
  });

  it('runs fit, zoom and pan on the canvas (none yet: still handled)', () => {
    const calls: string[] = [];
    const canvas = {
      fit: () => calls.push('fit'), zoom: (f: number) => calls.push(`zoom ${f}`), pan: (x: number, y: number) => calls.push(`pan ${x} ${y}`),
    } as unknown as AnnotationCanvas;
    for (const command of ['fit', 'zoomOut', 'panLeft', 'panDown'] as const) expect(runViewCommand(canvas, command)).toBe(true);
    expect(runViewCommand(null, 'zoomIn')).toBe(true);
    expect(runViewCommand(canvas, 'undo')).toBe(false);
    expect(calls).toEqual(['fit', 'zoom 0.8', 'pan 80 0', 'pan 0 -80']);
  });
});
