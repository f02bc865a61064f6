"""Keypoint correspondence (Probe3D recall) on synthetic shifted pairs, and the pair folder's checks."""
import json

import numpy as np
import pytest
import torch

from radio_dense.analysis.correspondence import load_pairs, match, score_pairs, write_shifted_pairs
from radio_dense.analysis.features import build_model


def test_match_recovers_a_known_shift_of_distinct_features():
    g = torch.Generator().manual_seed(0)
    big = torch.nn.functional.normalize(torch.randn(8, 40, 40, generator=g), dim=0)
    f1, f2 = big[:, :32, :32], big[:, 5:37, 3:35]  # image 2 = image 1 shifted by (dx, dy) = (3, 5)
    k1 = np.array([[10.0, 12.0], [20.0, 25.0], [30.0, 31.0]])
    pred = match(f1, f2, k1, (32, 32), (32, 32))
    assert np.allclose(pred, k1 - [3, 5])


def test_radio_tiny_recall_on_shifted_pairs_beats_chance_and_wrong_pairs(tmp_path, hub_checkpoint):
    write_shifted_pairs(str(tmp_path), num_pairs=3, size=128, crop=96, keypoints=24, seed=0)
    pairs = load_pairs(str(tmp_path))
    model = build_model(hub_checkpoint)
    recall = score_pairs(model, pairs, 96, thresholds=(10,)).recall[10]
    for p in pairs:  # the same keypoints with their partners shuffled: matches no longer count
        p.keypoints2 = p.keypoints2[np.random.default_rng(0).permutation(len(p.keypoints2))]
    wrong = score_pairs(model, pairs, 96, thresholds=(10,)).recall[10]
    # chance of landing within 10 px in a 96x96 image: ~3.4 %; measured: 47 % right, 6 % with shuffled partners
    assert recall > 0.35 and wrong < 0.15, (recall, wrong)


def test_pair_folder_errors_name_the_problem(tmp_path):
    with pytest.raises(FileNotFoundError, match='pairs.json'):
        load_pairs(str(tmp_path))
    write_shifted_pairs(str(tmp_path), num_pairs=1, size=64, crop=48, keypoints=4)
    data = json.loads((tmp_path / 'pairs.json').read_text())
    data['pairs'][0]['keypoints2'] = data['pairs'][0]['keypoints2'][:3]
    (tmp_path / 'pairs.json').write_text(json.dumps(data))
    with pytest.raises(ValueError, match='4 keypoints1 but 3 keypoints2'):
        load_pairs(str(tmp_path))
    data['pairs'][0]['keypoints2'] = [[100.0, 1.0]] * 4
    (tmp_path / 'pairs.json').write_text(json.dumps(data))
    with pytest.raises(ValueError, match='outside its 48x48 image'):
        load_pairs(str(tmp_path))
