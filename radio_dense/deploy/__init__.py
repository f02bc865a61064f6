"""Deployment: ONNX export of the RADIO backbone and of SAM's prompt decoder, checked with onnxruntime.

Needs the ``deploy`` extra (``pip install -e .[deploy]``: onnx, onnxruntime, onnxscript).
SAM's prompt decoder: :mod:`radio_dense.deploy.sam_decoder` (needs segment-anything); a whole
mmseg model: :mod:`radio_dense.openmmlab.export.segmentor_onnx` (OpenMMLab layer).
"""
from .backbone import RadioForExport, export_radio_onnx
from .onnx_graph import DEFAULT_OPSET, OnnxCheck, export_onnx, run_onnx, validate_onnx

__all__ = ['DEFAULT_OPSET', 'OnnxCheck', 'RadioForExport', 'export_onnx', 'export_radio_onnx', 'run_onnx',
           'validate_onnx']
