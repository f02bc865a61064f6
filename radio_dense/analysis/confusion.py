"""Confusion matrices of semantic segmentation label maps, their IoUs, and a picture of them."""
from typing import Optional, Sequence

import numpy as np


def confusion_matrix(ground_truth: np.ndarray, prediction: np.ndarray, num_classes: int,
                     ignore_index: int = 255) -> np.ndarray:
    """``(num_classes, num_classes)`` int64 counts: row = true class, column = predicted class.

    Pixels labelled ``ignore_index`` in the ground truth are left out; predictions outside
    ``[0, num_classes)`` are an error (they come from a model with another class count).
    """
    if ground_truth.shape != prediction.shape:
        raise ValueError(f'ground truth {ground_truth.shape} and prediction {prediction.shape} differ in size')
    keep = ground_truth != ignore_index
    gt, pred = ground_truth[keep].astype(np.int64), prediction[keep].astype(np.int64)
    if gt.size and (pred.min() < 0 or pred.max() >= num_classes):
        raise ValueError(f'predicted labels span {pred.min()}..{pred.max()}, outside the {num_classes} classes')
    if gt.size and gt.max() >= num_classes:
        raise ValueError(f'ground-truth label {gt.max()} is outside the {num_classes} classes')
    return np.bincount(gt * num_classes + pred, minlength=num_classes ** 2).reshape(num_classes, num_classes)


def iou_per_class(matrix: np.ndarray) -> np.ndarray:
    """Intersection over union of every class (NaN for classes absent from both truth and prediction)."""
    tp = np.diag(matrix).astype(np.float64)
    union = matrix.sum(0) + matrix.sum(1) - tp
    with np.errstate(divide='ignore', invalid='ignore'):
        return np.where(union > 0, tp / union, np.nan)


def plot_confusion_matrix(matrix: np.ndarray, classes: Sequence[str], out: str, title: Optional[str] = None) -> str:
    """Row-normalised matrix (percent of each true class) as a heat map with the numbers written in."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    rows = matrix.sum(1, keepdims=True)
    with np.errstate(divide='ignore', invalid='ignore'):
        percent = np.where(rows > 0, 100 * matrix / rows, 0.0)
    n = len(classes)
    fig, ax = plt.subplots(figsize=(1.0 + 0.7 * n, 0.8 + 0.6 * n))
    image = ax.imshow(percent, cmap='Blues', vmin=0, vmax=100)
    fig.colorbar(image, ax=ax, fraction=0.046, pad=0.04, label='% of the true class')
    ax.set_xticks(range(n), classes, rotation=45, ha='right')
    ax.set_yticks(range(n), classes)
    ax.set_xlabel('predicted')
    ax.set_ylabel('ground truth')
    for i in range(n):
        for j in range(n):
            if percent[i, j] >= 0.05:
                ax.text(j, i, f'{percent[i, j]:.1f}', ha='center', va='center', fontsize=7,
                        color='white' if percent[i, j] > 60 else 'black')
    ax.set_title(title or 'Confusion matrix')
    fig.tight_layout()
    fig.savefig(out, dpi=100)
    plt.close(fig)
    return out
