import { describe, expect, it } from 'vitest';
import { parseSettings, PRESETS, SAM_DEFAULTS, settingsText } from './generator';

describe('generator settings', () => {
  it('round-trips a preset through the form', () => {
    for (const preset of PRESETS) expect(parseSettings(settingsText(preset.settings))).toEqual({ settings: preset.settings, errors: {} });
  });

  it('says what is wrong with each field', () => {
    const text = { ...settingsText(SAM_DEFAULTS), points_per_side: '100', pred_iou_thresh: 'high', crop_n_layers: '1.5', min_mask_region_area: '' };
    const { settings, errors } = parseSettings(text);
    expect(errors).toEqual({
      points_per_side: 'Points per side must be between 1 and 64.',
      pred_iou_thresh: 'Predicted IoU threshold must be a number.',
      crop_n_layers: 'Crop layers must be a whole number.',
    });
    expect(settings).toEqual({ stability_score_thresh: 0.95, box_nms_thresh: 0.7 });
  });
});
