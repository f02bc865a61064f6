"""Read mmengine's json training logs (``<work_dir>/<timestamp>/vis_data/scalars.json``) and plot curves.

mmengine writes one JSON object per line: training lines carry ``lr`` and the losses at ``step``
(the iteration or epoch), validation lines the metrics (``mIoU``, ``coco/bbox_mAP``...) at the
step they were computed.
"""
import glob
import json
import os
from dataclasses import dataclass, field
from typing import Dict, List, Optional, Sequence, Tuple


@dataclass
class TrainingLog:
    """The rows of one json log, split into training and validation."""

    path: str
    train: List[Dict[str, float]] = field(default_factory=list)
    val: List[Dict[str, float]] = field(default_factory=list)

    def series(self, key: str) -> Tuple[List[float], List[float]]:
        """``(steps, values)`` of ``key`` from whichever part (train or val) has it."""
        rows = self.train if any(key in r for r in self.train) else self.val
        pairs = [(r['step'], r[key]) for r in rows if key in r]
        return [p[0] for p in pairs], [p[1] for p in pairs]

    @property
    def keys(self) -> List[str]:
        seen = {}
        for row in self.train + self.val:
            seen.update(dict.fromkeys(k for k in row if k not in ('step', 'iter', 'epoch')))
        return list(seen)


def find_json_log(work_dir_or_file: str) -> str:
    """The newest ``vis_data/scalars.json`` under a work dir, or the file itself."""
    if os.path.isfile(work_dir_or_file):
        return work_dir_or_file
    found = sorted(glob.glob(os.path.join(work_dir_or_file, '*', 'vis_data', 'scalars.json')))
    if not found:
        raise FileNotFoundError(f'No mmengine json log (*/vis_data/scalars.json) under {work_dir_or_file}; pass the '
                                f'work dir of a training run or its scalars.json')
    return found[-1]


def load_training_log(path: str) -> TrainingLog:
    """Parse a json log (or the newest one of a work dir); lines that are not JSON objects are skipped."""
    path = find_json_log(path)
    log = TrainingLog(path)
    with open(path) as f:
        for line in f:
            try:
                row = json.loads(line)
            except json.JSONDecodeError:
                continue
            if not isinstance(row, dict) or 'step' not in row:
                continue
            (log.train if 'lr' in row or any(k.startswith('loss') for k in row) else log.val).append(row)
    if not log.train and not log.val:
        raise ValueError(f'{path} holds no mmengine log lines (JSON objects with a "step")')
    return log


def default_metric(log: TrainingLog) -> Optional[str]:
    """The headline validation metric of a log: mIoU, COCO bbox mAP, else the first one."""
    keys = [k for k in log.keys if any(k in r for r in log.val)]
    for preferred in ('mIoU', 'coco/bbox_mAP', 'coco/segm_mAP'):
        if preferred in keys:
            return preferred
    rest = [k for k in keys if k not in ('time', 'data_time')]
    return rest[0] if rest else None


def plot_curves(logs: Sequence[TrainingLog], keys: Sequence[str], out: str, title: str = '',
                legends: Optional[Sequence[str]] = None) -> str:
    """One subplot per key, one line per log; saved to ``out`` (PNG, SVG, PDF...)."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    fig, axes = plt.subplots(1, len(keys), figsize=(5 * len(keys), 3.8), squeeze=False)
    for ax, key in zip(axes[0], keys):
        plotted = False
        for i, log in enumerate(logs):
            steps, values = log.series(key)
            if not steps:
                continue
            label = legends[i] if legends else os.path.basename(os.path.dirname(os.path.dirname(log.path)))
            marker = 'o' if len(steps) < 30 else None
            ax.plot(steps, values, marker=marker, markersize=4, label=label)
            if len(steps) < 30 and len(logs) == 1:
                ax.annotate(f'{values[-1]:.4g}', (steps[-1], values[-1]), textcoords='offset points',
                            xytext=(-10, 6), fontsize=8)
            plotted = True
        if not plotted:
            raise KeyError(f'No log has {key!r}; available: {sorted(set(k for log in logs for k in log.keys))}')
        ax.set_xlabel('iteration' if 'iter' in (logs[0].train[0] if logs[0].train else {}) else 'step')
        ax.set_ylabel(key)
        ax.set_title(key)
        ax.grid(alpha=0.3)
        if len(logs) > 1:
            ax.legend(fontsize=8)
    if title:
        fig.suptitle(title)
    fig.tight_layout()
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    fig.savefig(out, dpi=100)
    plt.close(fig)
    return out


def train_time(log: TrainingLog) -> Dict[str, float]:
    """Seconds per iteration (mean, slowest, fastest) over the logged training lines."""
    times = [r['time'] for r in log.train if 'time' in r]
    if not times:
        raise ValueError(f'{log.path} has no "time" entries in its training lines')
    return {'mean_s': sum(times) / len(times), 'slowest_s': max(times), 'fastest_s': min(times),
            'lines': len(times)}
