"""Config ablations: a grid of ``--cfg-options`` overrides, one work dir per point, resumable."""
import csv
import hashlib
import itertools
import json
import os
import re
from dataclasses import dataclass
from typing import Dict, List, Optional, Sequence, Tuple

DONE_FILE = 'metrics.json'
DIGEST_FILE = 'config.sha256'  # beside metrics.json: the resolved config the metrics belong to


@dataclass(frozen=True)
class AblationPoint:
    """One point of the grid: its overrides and where it runs."""

    overrides: Tuple[Tuple[str, object], ...]
    work_dir: str

    @property
    def name(self) -> str:
        return os.path.basename(self.work_dir)

    @property
    def done(self) -> bool:
        return os.path.isfile(os.path.join(self.work_dir, DONE_FILE))

    def stored_digest(self) -> Optional[str]:
        """The config digest saved with this point's metrics (``None`` when absent)."""
        path = os.path.join(self.work_dir, DIGEST_FILE)
        if not os.path.isfile(path):
            return None
        with open(path) as f:
            return f.read().strip()

    def cfg_options(self) -> List[str]:
        """The overrides in ``--cfg-options`` syntax."""
        return [f'{k}={format_value(v)}' for k, v in self.overrides]


def format_value(value: object) -> str:
    """A value as mmengine's DictAction parses it back (tuples/lists without spaces)."""
    if isinstance(value, (list, tuple)):
        inner = ','.join(format_value(v) for v in value)
        return f'({inner})' if isinstance(value, tuple) else f'[{inner}]'
    return str(value)


def _slug(key: str, value: object) -> str:
    short = key.split('.')[-1]
    return re.sub(r'[^A-Za-z0-9_.=-]+', '', f'{short}={format_value(value)}'.replace(',', 'x'))


def expand_grid(grid: Dict[str, Sequence], root: str) -> List[AblationPoint]:
    """Cartesian product of ``{key: [values]}`` (insertion order), one folder under ``root`` each."""
    if not grid:
        raise ValueError('The ablation grid is empty: pass at least one --grid key=[v1,v2]')
    for key, values in grid.items():
        if not isinstance(values, (list, tuple)) or not values:
            raise ValueError(f'--grid {key}: expected a non-empty list of values like {key}=[a,b], got {values!r}')
    keys = list(grid)
    points = []
    for i, combo in enumerate(itertools.product(*(grid[k] for k in keys))):
        name = f'{i:02d}_' + '_'.join(_slug(k, v) for k, v in zip(keys, combo))
        points.append(AblationPoint(tuple(zip(keys, combo)), os.path.join(root, name)))
    return points


def config_digest(config: str, options: Sequence[str], extra: Optional[Dict[str, object]] = None) -> str:
    """SHA-256 of the fully resolved config (base files, ``options`` applied) and ``extra`` facts."""
    from ..tool_args import cfg_options_dict
    from .runner import load_config
    cfg = load_config(config, cfg_options_dict(options))
    text = json.dumps({'config': cfg.to_dict(), 'extra': extra or {}}, sort_keys=True, default=repr)
    return hashlib.sha256(text.encode()).hexdigest()


def load_results(points: Sequence[AblationPoint]) -> List[Dict[str, object]]:
    """One row per finished point: its overrides, then its metrics."""
    rows = []
    for p in points:
        if not p.done:
            continue
        with open(os.path.join(p.work_dir, DONE_FILE)) as f:
            metrics = json.load(f)
        rows.append({'point': p.name, **{k: format_value(v) for k, v in p.overrides}, **metrics})
    return rows


def write_tables(rows: List[Dict[str, object]], out_prefix: str) -> Tuple[str, str]:
    """Write ``rows`` as CSV and as a markdown table; returns both paths."""
    columns = list(dict.fromkeys(k for row in rows for k in row))
    csv_path, md_path = out_prefix + '.csv', out_prefix + '.md'
    with open(csv_path, 'w', newline='') as f:
        writer = csv.DictWriter(f, fieldnames=columns)
        writer.writeheader()
        writer.writerows(rows)

    def cell(v):
        return f'{v:.4g}' if isinstance(v, float) else str(v)

    lines = ['| ' + ' | '.join(columns) + ' |', '|' + '---|' * len(columns)]
    lines += ['| ' + ' | '.join(cell(row.get(c, '')) for c in columns) + ' |' for row in rows]
    with open(md_path, 'w') as f:
        f.write('\n'.join(lines) + '\n')
    return csv_path, md_path


PREFERRED_METRICS = ('mIoU', 'coco/bbox_mAP', 'coco/segm_mAP')


def default_metric(row: Dict[str, object], exclude: Sequence[str] = ()) -> str:
    """The metric to plot: a headline metric when present, else the first numeric column."""
    for name in PREFERRED_METRICS:
        if name in row:
            return name
    return next((k for k, v in row.items() if k not in exclude and isinstance(v, (int, float))), None)


def plot_metric(rows: List[Dict[str, object]], metric: str, path: str) -> str:
    """Bar chart of ``metric`` per point (PNG)."""
    import matplotlib
    matplotlib.use('Agg')
    import matplotlib.pyplot as plt
    names = [str(r['point']) for r in rows]
    values = [float(r.get(metric, float('nan'))) for r in rows]
    fig, ax = plt.subplots(figsize=(max(4.0, 1.2 * len(rows) + 2), 4))
    bars = ax.bar(range(len(rows)), values, color='#4c72b0')
    ax.bar_label(bars, fmt='%.2f')
    ax.margins(y=0.15)
    ax.set_xticks(range(len(rows)), names, rotation=20, ha='right', fontsize=8)
    ax.set_ylabel(metric)
    ax.set_title(f'Ablation: {metric}')
    fig.tight_layout()
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path
