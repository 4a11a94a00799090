// The data engine's three stages (SAM paper §4), as the settings page explains them, and the small
// parsing the project form needs.
import type { ProjectStage } from './apiTypes';

export interface StageInfo { stage: ProjectStage; label: string; summary: string; details: string }

export const STAGES: StageInfo[] = [
  {
    stage: 'assisted',
    label: 'Assisted-manual',
    summary: 'Annotators click; the model proposes a mask for every click.',
    details: 'Every mask is made by a person with points, boxes, brush and eraser. Use it to start a project and to '
      + 'collect the masks the first retraining rounds learn from.',
  },
  {
    stage: 'semi',
    label: 'Semi-automatic',
    summary: 'The model proposes masks; annotators accept, fix or reject them, then add what is missing.',
    details: 'Switching to this stage proposes automatic masks on every image that has no mask yet (a job per image '
      + 'on the GPU queue). In the annotator, proposals are drawn dashed and listed apart: A accepts, X rejects, '
      + 'Tab goes to the next one.',
  },
  {
    stage: 'auto',
    label: 'Fully automatic',
    summary: 'The model annotates every image with no person in the loop.',
    details: 'Run automatic annotation below: one job goes over every image of the project and stores its masks as '
      + 'submitted. Use it once the model is good enough that people mostly accept its proposals unchanged.',
  },
];

export function stageLabel(stage: string | null | undefined): string {
  return STAGES.find((s) => s.stage === stage)?.label ?? (stage ? stage : 'unknown stage');
}

/** Category names typed one per line or separated by commas: trimmed, blanks dropped, first spelling kept. */
export function parseCategories(text: string): string[] {
  const seen = new Set<string>();
  const names: string[] = [];
  for (const raw of text.split(/[\n,]/)) {
    const name = raw.trim();
    const key = name.toLowerCase();
    if (!name || seen.has(key)) continue;
    seen.add(key);
    names.push(name);
  }
  return names;
}
