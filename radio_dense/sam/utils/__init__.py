"""Helpers around the model: COCO instance sets, prompts made from masks, mask pictures."""
