"""Keep a config's parameter schedulers consistent with the length of its training loop.

A schedule written for 80k iterations and cut to 1k with ``--cfg-options train_cfg.max_iters=1000``
ends training in the middle of its decay (or before the warm-up is over) without a word.
:func:`rescale_schedule` stretches every scheduler by the same factor as the loop when the loop
length was changed from the command line; :func:`schedule_warnings` names what is still off.
"""
from typing import Iterable, List, Optional

#: Scheduler fields measured in iterations (or epochs) that scale with the loop length.
_POSITION_KEYS = ('begin', 'end', 'T_max')
_LIST_KEYS = ('milestones',)
#: A schedule that stops before this fraction of the loop leaves the rest at a constant rate.
SHORT_FRACTION = 0.5


def _schedulers(cfg) -> List[dict]:
    schedulers = cfg.get('param_scheduler') or []
    return [schedulers] if isinstance(schedulers, dict) else list(schedulers)


def loop_length(cfg, by_epoch: bool) -> Optional[int]:
    """``train_cfg.max_epochs`` (``by_epoch``) or ``max_iters``; None when the loop has no such bound."""
    train_cfg = cfg.get('train_cfg') or {}
    value = train_cfg.get('max_epochs' if by_epoch else 'max_iters')
    return int(value) if value is not None else None


def _is_finite(value) -> bool:
    return isinstance(value, (int, float)) and value < 1e9  # mmengine's "until the end" is INF (~1e9+)


def _scheduler_end(scheduler: dict) -> Optional[float]:
    """Where a scheduler stops changing the rate (its ``end``, else its last milestone / T_max)."""
    ends = [scheduler[k] for k in ('end',) if _is_finite(scheduler.get(k))]
    ends += [max(scheduler['milestones'])] if scheduler.get('milestones') else []
    if not ends and _is_finite(scheduler.get('T_max')):
        ends.append(scheduler.get('begin', 0) + scheduler['T_max'])
    return max(ends) if ends else None


def rescale_schedule(cfg, old_length: int, by_epoch: bool = False) -> List[str]:
    """Scale ``begin``/``end``/``T_max``/``milestones`` of the schedulers counted in the loop's unit.

    Called when the loop length changed from ``old_length`` to the config's current one; returns
    one line per scheduler saying what changed (empty when nothing did).
    """
    new_length = loop_length(cfg, by_epoch)
    if not new_length or not old_length or new_length == old_length:
        return []
    factor = new_length / old_length
    lines = []
    for scheduler in _schedulers(cfg):
        if bool(scheduler.get('by_epoch', True)) != by_epoch:
            continue
        before = {k: scheduler[k] for k in _POSITION_KEYS + _LIST_KEYS if k in scheduler}
        for key in _POSITION_KEYS:
            if _is_finite(scheduler.get(key)):
                scheduler[key] = max(int(round(scheduler[key] * factor)), 1 if key != 'begin' else 0)
        for key in _LIST_KEYS:
            if scheduler.get(key):
                scheduler[key] = [max(int(round(m * factor)), 1) for m in scheduler[key]]
        after = {k: scheduler[k] for k in before}
        if after != before:
            lines.append(f"{scheduler.get('type')}: {before} -> {after}")
    return lines


def schedule_warnings(cfg) -> List[str]:
    """What is inconsistent between the schedulers and the loop length (empty when all is well)."""
    warnings = []
    for by_epoch in (False, True):
        length = loop_length(cfg, by_epoch)
        if not length:
            continue
        unit = 'epoch' if by_epoch else 'iteration'
        ends = []
        for scheduler in _schedulers(cfg):
            if bool(scheduler.get('by_epoch', True)) != by_epoch:
                continue
            end = _scheduler_end(scheduler)
            if end is None:
                continue
            ends.append(end)
            if end > length:
                warnings.append(f"{scheduler.get('type')} runs to {unit} {end:g} but training stops at {length}: "
                                f"the schedule is cut short (the learning rate never reaches its final value).")
        if ends and max(ends) < SHORT_FRACTION * length:
            warnings.append(f'The schedulers stop at {unit} {max(ends):g} but training runs to {length}: the last '
                            f'{length - max(ends):g} {unit}s keep a constant learning rate.')
    return warnings


def changes_loop_length(cfg_options: Optional[dict]) -> Iterable[bool]:
    """Which units (``by_epoch`` False / True) ``--cfg-options`` sets the loop length of, unless they
    also set ``param_scheduler`` themselves (then the user's schedule is taken as given)."""
    options = cfg_options or {}
    if any(k.split('.')[0] == 'param_scheduler' for k in options):
        return []
    units = []
    if 'train_cfg.max_iters' in options:
        units.append(False)
    if 'train_cfg.max_epochs' in options:
        units.append(True)
    return units
