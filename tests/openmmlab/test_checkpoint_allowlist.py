"""mmengine checkpoints load with torch's weights_only=True; nothing beyond them is allowed."""
import pickle

import numpy as np
import pytest
import torch
from mmengine.logging import HistoryBuffer, MessageHub

import radio_dense.openmmlab  # noqa: F401  (installs the allow-list)


def test_message_hub_round_trip(tmp_path):
    hub = MessageHub.get_instance('compat_test')
    hub.update_scalar('train/loss', 0.5)
    hub.update_scalar('train/loss', np.float64(0.25))
    path = tmp_path / 'ckpt.pth'
    torch.save({'message_hub': hub.state_dict(), 'meta': {'seed': np.int64(3), 'arr': np.arange(3)}}, path)
    loaded = torch.load(path)  # weights_only=True is torch's default here
    buf = loaded['message_hub']['log_scalars']['train/loss']
    assert isinstance(buf, HistoryBuffer) and buf.mean() == pytest.approx(0.375)
    assert loaded['meta']['arr'].tolist() == [0, 1, 2]


class _SneakyGetattr:
    def __reduce__(self):
        return getattr, (HistoryBuffer, 'update')


def test_other_getattr_is_refused(tmp_path):
    path = tmp_path / 'evil.pth'
    torch.save({'x': _SneakyGetattr()}, path)
    with pytest.raises(pickle.UnpicklingError, match=r"Refusing getattr.*'update'"):
        torch.load(path)


def test_arbitrary_classes_stay_refused(tmp_path):
    path = tmp_path / 'evil2.pth'
    torch.save({'x': torch.nn.ReLU()}, path)
    with pytest.raises(pickle.UnpicklingError, match='Unsupported global'):
        torch.load(path)
