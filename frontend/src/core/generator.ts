// The automatic-mask generator's settings as a manager edits them: each field's range (the server's
// AmgSettingsSerializer), SAM's defaults, presets, and validation in sentences.

export interface AmgSettings {
  points_per_side?: number; pred_iou_thresh?: number; stability_score_thresh?: number;
  box_nms_thresh?: number; crop_n_layers?: number; min_mask_region_area?: number;
}
export type AmgField = keyof AmgSettings;

export interface FieldInfo { field: AmgField; label: string; min: number; max: number; step: number; integer: boolean; help: string }

export const FIELDS: FieldInfo[] = [
  { field: 'points_per_side', label: 'Points per side', min: 1, max: 64, step: 1, integer: true, help: 'The grid of clicks over the image: more finds smaller objects, slower (n² prompts).' },
  { field: 'pred_iou_thresh', label: 'Predicted IoU threshold', min: 0, max: 1, step: 0.01, integer: false, help: 'Keep masks the model rates at least this good.' },
  { field: 'stability_score_thresh', label: 'Stability threshold', min: 0, max: 1, step: 0.01, integer: false, help: 'Keep masks that barely change when the cut-off moves.' },
  { field: 'box_nms_thresh', label: 'Box NMS threshold', min: 0, max: 1, step: 0.01, integer: false, help: 'Drop a mask whose box overlaps a better one by more than this.' },
  { field: 'crop_n_layers', label: 'Crop layers', min: 0, max: 3, step: 1, integer: true, help: 'Also run on zoomed crops (0: none); finds small objects, much slower.' },
  { field: 'min_mask_region_area', label: 'Minimum region area (px)', min: 0, max: 100000, step: 1, integer: true, help: 'Remove islands and holes smaller than this.' },
];

/** SAM's automatic mask generator defaults (segment_anything SamAutomaticMaskGenerator). */
export const SAM_DEFAULTS: Required<AmgSettings> = {
  points_per_side: 32, pred_iou_thresh: 0.88, stability_score_thresh: 0.95, box_nms_thresh: 0.7, crop_n_layers: 0, min_mask_region_area: 0,
};

export const PRESETS: { name: string; about: string; settings: Required<AmgSettings> }[] = [
  { name: 'Fast', about: 'a coarse grid, large objects only', settings: { ...SAM_DEFAULTS, points_per_side: 16, pred_iou_thresh: 0.9, min_mask_region_area: 100 } },
  { name: 'SAM defaults', about: 'as SAM ships', settings: SAM_DEFAULTS },
  { name: 'Thorough', about: 'small objects too (as SA-1B was made: crops, a dense grid)', settings: { ...SAM_DEFAULTS, points_per_side: 32, pred_iou_thresh: 0.86, stability_score_thresh: 0.92, crop_n_layers: 1, min_mask_region_area: 100 } },
];

/** The form's text values as settings, or the sentence that says what is wrong with each field. */
export function parseSettings(values: Record<AmgField, string>): { settings: AmgSettings; errors: Partial<Record<AmgField, string>> } {
  const settings: AmgSettings = {};
  const errors: Partial<Record<AmgField, string>> = {};
  for (const info of FIELDS) {
    const raw = values[info.field].trim();
    if (raw === '') continue;
    const value = Number(raw);
    if (!Number.isFinite(value)) errors[info.field] = `${info.label} must be a number.`;
    else if (info.integer && !Number.isInteger(value)) errors[info.field] = `${info.label} must be a whole number.`;
    else if (value < info.min || value > info.max) errors[info.field] = `${info.label} must be between ${info.min} and ${info.max}.`;
    else settings[info.field] = value;
  }
  return { settings, errors };
}

export function settingsText(settings: AmgSettings): Record<AmgField, string> {
  return Object.fromEntries(FIELDS.map((f) => [f.field, settings[f.field] === undefined ? '' : String(settings[f.field])])) as Record<AmgField, string>;
}
