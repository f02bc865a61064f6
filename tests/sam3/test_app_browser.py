"""The SAM3 concept box in a real headless browser (Debian chromium + playwright): type, see instances.

Uses the browser fixture of tests/apps/test_sam_web_browser.py (tools/setup_browser.sh installs what is
missing). The screenshot goes to ``$SAM3_APP_SCREENSHOT`` (default: the test's tmp folder).
"""
import os
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from radio_dense.apps.sam_web.server import SamAppServer

from ..apps.test_sam_web_browser import browser, open_app  # noqa: F401 (browser: a fixture)
from .conftest import scene_image

pytestmark = pytest.mark.slow


@pytest.fixture(scope='module')
def server(radio_sam3_app_state):
    srv = SamAppServer(radio_sam3_app_state, '127.0.0.1', 0)
    srv.start_in_thread()
    yield srv
    srv.shutdown()
    srv.server_close()


def test_type_a_concept_then_add_an_example_box(browser, server, tmp_path):  # noqa: F811
    image_path = tmp_path / 'scene.png'
    Image.fromarray(scene_image(200, 300, seed=3)).save(image_path)
    page, errors = open_app(browser, server.url)
    assert page.is_visible('#concept')  # only SAM3 models show the concept box
    assert page.is_visible('#names') and not page.is_disabled('#names-go')  # "Segment by name" beside it
    page.set_input_files('#file', str(image_path))
    page.wait_for_selector('#status[data-state="ready"]', timeout=120_000)
    embeds = server.state.embed_count

    page.fill('#concept', 'red disc')
    page.press('#concept', 'Enter')
    page.wait_for_selector('#status[data-state="mask"]', timeout=120_000)
    status = page.text_content('#status')
    assert '12 instance(s)' in status, status  # threshold 0: every query of the tiny SAM3
    assert int(page.get_attribute('#view', 'data-mask-area')) > 0
    drawn = page.evaluate("() => Array.from(document.getElementById('view').getContext('2d')"
                          ".getImageData(0, 0, 300, 200).data.filter((_, i) => i % 4 === 2))")
    assert np.abs(np.array(drawn).reshape(200, 300) - scene_image(200, 300, seed=3)[..., 2]).max() > 20

    # drag an exemplar box: the concept and the box go together, the embedding is reused
    shown = page.locator('#view').bounding_box()
    scale = shown['width'] / 300
    page.mouse.move(shown['x'] + 40 * scale, shown['y'] + 40 * scale)
    page.mouse.down()
    page.mouse.move(shown['x'] + 110 * scale, shown['y'] + 100 * scale, steps=5)
    page.mouse.up()
    page.wait_for_function("() => document.getElementById('status').textContent.includes('embedding cached')",
                           timeout=120_000)
    assert server.state.embed_count == embeds
    shot = Path(os.environ.get('SAM3_APP_SCREENSHOT', tmp_path / 'sam3_app.png'))
    shot.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shot), full_page=True)
    print(f'screenshot: {shot}')
    assert not errors, errors
    page.close()
