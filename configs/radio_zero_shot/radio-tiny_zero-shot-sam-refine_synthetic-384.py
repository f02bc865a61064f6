# The RADSeg+ path (SAM-decoder refinement) on the tiny test RADIO: tests/openmmlab/test_zero_shot_seg.py.
# RANDOM WEIGHTS: a random SAM decoder, whose predicted IoUs are noise, so every mask is kept
# (iou_thresh far below any) and small regions prompt too; a pipeline check, not a segmentation.
_base_ = ['./radio-tiny_zero-shot_synthetic-384.py']
model = dict(sam_refinement=dict(decoder=None, resolution=256, min_area=16, iou_thresh=-1e9))
