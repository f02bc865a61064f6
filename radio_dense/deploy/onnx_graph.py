"""Export a module to ONNX with torch's dynamo exporter, and check the graph with onnxruntime.

Why the dynamo exporter (``torch.onnx.export(..., dynamo=True)``): it traces with symbolic
shapes, so the sizes RADIO derives from the input (token grid, CPE crop side ``max(h, w)``,
ViTDet padding to whole windows) stay expressions of the input size inside the graph. The
TorchScript exporter records them as Python ints of the example input: the CPE interpolation
and the window padding would then be frozen at the example's size.
"""
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Dict, List, Optional, Sequence, Tuple

import numpy as np
import torch
from torch import nn

#: ONNX opset of every export (onnxruntime >= 1.16 runs it).
DEFAULT_OPSET = 18


def require_onnx() -> None:
    """Raise an ``ImportError`` with the install command when onnx / onnxruntime are missing."""
    missing = []
    for name in ('onnx', 'onnxruntime', 'onnxscript'):
        try:
            __import__(name)
        except ImportError:
            missing.append(name)
    if missing:
        raise ImportError(f'ONNX export needs {", ".join(missing)}: pip install -e .[deploy] '
                          f'(or pip install onnx onnxruntime onnxscript)')


def export_onnx(module: nn.Module, example_inputs: Tuple[torch.Tensor, ...], path: str,
                input_names: Sequence[str], output_names: Sequence[str],
                dynamic_shapes: Optional[Dict[str, Any]] = None, opset: int = DEFAULT_OPSET) -> str:
    """Export ``module`` (eval mode, no grad) to ``path`` with the dynamo exporter; returns the path.

    ``dynamic_shapes`` maps input names to ``{dim: torch.export.Dim}`` (see ``torch.export``).
    """
    require_onnx()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    module = module.eval()
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter('ignore')
        program = torch.onnx.export(module, example_inputs, dynamo=True, opset_version=opset,
                                    input_names=list(input_names), output_names=list(output_names),
                                    dynamic_shapes=dynamic_shapes, external_data=False, verbose=False)
        program.save(str(path))
    return str(path)


def export_onnx_traced(module: nn.Module, example_inputs: Tuple[torch.Tensor, ...], path: str,
                       input_names: Sequence[str], output_names: Sequence[str],
                       dynamic_axes: Optional[Dict[str, Dict[int, str]]] = None, opset: int = DEFAULT_OPSET) -> str:
    """Export with the TorchScript tracer (``dynamo=False``), for graphs whose output sizes are input *values*.

    ``torch.export`` cannot slice by a size read from a tensor (segment-anything's ``orig_im_size``);
    the tracer records such sizes as graph operations, so they stay dynamic in the ONNX file.
    ``dynamic_axes`` maps input names to ``{dim: name}``.
    """
    require_onnx()
    Path(path).parent.mkdir(parents=True, exist_ok=True)
    with torch.no_grad(), warnings.catch_warnings():
        warnings.simplefilter('ignore')
        torch.onnx.export(module.eval(), example_inputs, str(path), dynamo=False, opset_version=opset,
                          input_names=list(input_names), output_names=list(output_names),
                          dynamic_axes=dynamic_axes or {})
    return str(path)


def run_onnx(path: str, inputs: Dict[str, np.ndarray], threads: Optional[int] = None) -> Dict[str, np.ndarray]:
    """Run an ONNX file with onnxruntime (CPU): ``{input name: array}`` -> ``{output name: array}``."""
    require_onnx()
    import onnxruntime as ort
    options = ort.SessionOptions()
    if threads:
        options.intra_op_num_threads = threads
    session = ort.InferenceSession(str(path), options, providers=['CPUExecutionProvider'])
    names = [o.name for o in session.get_outputs()]
    return dict(zip(names, session.run(names, inputs)))


@dataclass
class OnnxCheck:
    """Largest absolute difference between onnxruntime and PyTorch, per output, for one input set."""

    shapes: Dict[str, Tuple[int, ...]]
    max_abs_diff: Dict[str, float] = field(default_factory=dict)

    @property
    def worst(self) -> float:
        return max(self.max_abs_diff.values(), default=0.0)


def validate_onnx(path: str, module: nn.Module, input_sets: Sequence[Dict[str, torch.Tensor]],
                  atol: float = 1e-4) -> List[OnnxCheck]:
    """Compare the ONNX graph with ``module`` on each input set; raise ``AssertionError`` above ``atol``.

    ``module`` takes the inputs as keyword arguments named like the graph's inputs and returns a
    tensor or a tuple of tensors in the graph's output order.
    """
    checks = []
    for inputs in input_sets:
        with torch.no_grad():
            expected = module.eval()(**inputs)
        if isinstance(expected, torch.Tensor):
            expected = (expected,)
        got = run_onnx(path, {k: v.detach().cpu().numpy() for k, v in inputs.items()})
        check = OnnxCheck({k: tuple(v.shape) for k, v in inputs.items()})
        for (name, value), ref in zip(got.items(), expected):
            if value.shape != tuple(ref.shape):
                raise AssertionError(f'{path}: output {name} has shape {value.shape}, PyTorch gives '
                                     f'{tuple(ref.shape)} (inputs {check.shapes})')
            check.max_abs_diff[name] = float(np.abs(value - ref.detach().cpu().numpy()).max()) if value.size else 0.0
        if check.worst > atol:
            raise AssertionError(f'{path}: onnxruntime differs from PyTorch by {check.worst:.2e} > {atol:g} '
                                 f'(inputs {check.shapes}; per output {check.max_abs_diff})')
        checks.append(check)
    return checks
