"""``--dtype`` of the SAM / SAM3 tools and apps, applied to the model their predictors use."""
import argparse

from radio_dense.radio.precision import enable_tf32, resolve_dtype


def with_inference_dtype(model, args: argparse.Namespace):
    """Set ``model.inference_dtype`` from ``--dtype`` (RadioSamPredictor and Sam3Predictor autocast to
    it unless given their own ``dtype``) and let fp32 matmuls use TF32 on GPUs. Returns ``model``."""
    enable_tf32()
    model.inference_dtype = resolve_dtype(getattr(args, 'dtype', None) or 'fp32', next(model.parameters()).device)
    return model
