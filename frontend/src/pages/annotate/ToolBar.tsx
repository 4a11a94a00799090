// The annotators' tool switch (points and box, brush, eraser, select), the brush size, whatever the
// page adds (the video's save state), and the help button.
import type { ReactNode } from 'react';
import { keyHint, type Command } from '../../core/keymap';
import type { Tool } from '../../canvas/AnnotationCanvas';

const TOOLS: { tool: Tool; label: string; command: Command }[] = [
  { tool: 'prompt', label: 'Points / box', command: 'toolPrompt' },
  { tool: 'brush', label: 'Brush', command: 'toolBrush' },
  { tool: 'eraser', label: 'Eraser', command: 'toolEraser' },
  { tool: 'select', label: 'Select', command: 'toolSelect' },
];

export function ToolBar({ tool, brushRadius, onTool, onHelp, children }: {
  tool: Tool; brushRadius: number; onTool: (tool: Tool) => void; onHelp: () => void; children?: ReactNode;
}) {
  return (
    <>
      <div className="tool-group" role="radiogroup" aria-label="tool">
        {TOOLS.map((t) => (
          <button
            key={t.tool} type="button" role="radio" aria-checked={tool === t.tool}
            className={tool === t.tool ? 'tool active' : 'tool'} onClick={() => onTool(t.tool)}
          >
            {t.label} ({keyHint(t.command)})
          </button>
        ))}
      </div>
      {(tool === 'brush' || tool === 'eraser') && <span className="muted small">size {brushRadius}px ([ / ])</span>}
      {children}
      <button type="button" className="tool" onClick={onHelp} aria-label="keyboard shortcuts" title="?">?</button>
    </>
  );
}
