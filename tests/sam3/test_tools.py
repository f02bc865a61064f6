"""tools/sam3_predict.py end to end on a synthetic image with random models."""
import json
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from radio_dense.analysis.panels import TITLE_HEIGHT

from .conftest import scene_image

REPO = Path(__file__).resolve().parents[2]
TOOL = str(REPO / 'tools' / 'sam3_predict.py')


@pytest.mark.slow
def test_sam3_predict_cli_random_weights(tmp_path):
    image = tmp_path / 'scene.png'
    Image.fromarray(scene_image(200, 300)).save(image)
    out = tmp_path / 'out'
    run = subprocess.run([sys.executable, TOOL, str(image), '--text', 'red disc', '--box', '40,40,110,100',
                          '--box', '230,30,275,170,0', '--threshold', '0', '--resolution', '320', '--mode', 'fit',
                          '--vitdet', '4', '--out-dir', str(out)],
                         capture_output=True, text=True, cwd=REPO, timeout=600)
    assert run.returncode == 0, run.stderr[-2000:]
    assert 'WEIGHTS ARE RANDOM' in run.stdout and 'RANDOM sam3 adaptor' in run.stdout
    assert 'canvas 320x224 (fit), feature grid 20x14' in run.stdout
    result = json.loads((out / 'result.json').read_text())
    assert result['random_weights'] is True and result['feature_grid'] == [20, 14]
    assert result['boxes'][1] == {'box': [230.0, 30.0, 275.0, 170.0], 'label': 0}
    assert len(result['instances']) == 12  # SAM3_TINY's queries, all kept at threshold 0
    scores = [r['score'] for r in result['instances']]
    assert scores == sorted(scores, reverse=True)
    mask = np.asarray(Image.open(out / result['instances'][0]['mask']))
    assert mask.shape == (200, 300) and set(np.unique(mask)) <= {0, 255}
    assert int((mask > 0).sum()) == result['instances'][0]['area']
    overlay = Image.open(out / 'overlay.png')
    assert np.asarray(overlay).shape == (TITLE_HEIGHT + 200, 300, 3) and overlay.text['Title'] == \
        f'RANDOM WEIGHTS: SAM3 on {image.name}'


def test_sam3_predict_cli_refuses_bad_prompts(tmp_path):
    image = tmp_path / 'scene.png'
    Image.fromarray(scene_image(60, 80)).save(image)
    none = subprocess.run([sys.executable, TOOL, str(image)], capture_output=True, text=True, cwd=REPO, timeout=120)
    assert none.returncode == 2 and 'give a concept' in none.stderr
    bad = subprocess.run([sys.executable, TOOL, str(image), '--box', '10,10,5,20'], capture_output=True, text=True,
                         cwd=REPO, timeout=120)
    assert bad.returncode == 2 and 'x1 > x0' in bad.stderr
