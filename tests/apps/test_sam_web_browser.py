"""End to end in a real headless browser (Debian chromium driven by playwright): upload, click, see a mask.

tools/setup_browser.sh installs chromium and playwright when they are missing. The screenshot is
written to ``$SAM_APP_SCREENSHOT`` (default: the test's tmp folder).
"""
import os
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
from PIL import Image

from radio_dense.sam import build_radio_sam
from radio_dense.apps.sam_web.server import SamAppServer
from radio_dense.apps.sam_web.state import SamAppState

from ..sam.conftest import shapes_image

pytestmark = pytest.mark.slow
REPO = Path(__file__).resolve().parents[2]
CHROMIUM = '/usr/bin/chromium'
CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking',
                 '--disable-component-update', '--disable-sync', '--no-first-run']


@pytest.fixture(scope='module')
def browser():
    setup = subprocess.run(['bash', str(REPO / 'tools' / 'setup_browser.sh')], capture_output=True, text=True,
                           env=dict(os.environ, PYTHON=sys.executable))
    if setup.returncode:
        pytest.fail(f'tools/setup_browser.sh failed:\n{setup.stdout}\n{setup.stderr}', pytrace=False)
    from playwright.sync_api import sync_playwright
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield instance
        instance.close()


#: keeps the canvas' pixels in the page; returns how far (max over RGB) they moved since the last call
CANVAS_CHANGE = ("() => { const c = document.getElementById('view'); const now = c.getContext('2d')"
                 ".getImageData(0, 0, c.width, c.height).data; const was = window.__pixels || now; let most = 0;"
                 " for (let i = 0; i < now.length; i++) if (i % 4 !== 3) most = Math.max(most, Math.abs(now[i] - was[i]));"
                 " window.__pixels = now; return most; }")


def open_app(browser, url: str, height: int = 700):
    """A new page on the app at ``url``, its JavaScript errors collected: ``(page, errors)``."""
    page = browser.new_page(viewport={'width': 900, 'height': height})
    errors = []
    page.on('pageerror', lambda e: errors.append(str(e)))
    page.goto(url)
    return page, errors


@pytest.fixture(scope='module')
def server(hub_checkpoint, name_segmenter):
    from radio_dense.apps.sam_web.names import NamesField
    model = build_radio_sam(dict(source=hub_checkpoint), resolution=256, seed=0)
    state = SamAppState(model, 'radio_tiny test fixture + random SAM decoder', resolutions=[256, 512],
                        max_bytes=1_000_000, names=NamesField(name_segmenter))
    srv = SamAppServer(state, '127.0.0.1', 0)
    srv.start_in_thread()
    yield srv
    srv.shutdown()
    srv.server_close()


def test_upload_click_mask_and_segment_by_name(browser, server, tmp_path):
    image_path = tmp_path / 'shapes.png'
    Image.fromarray(shapes_image(240, 320, seed=5)).save(image_path)
    page, errors = open_app(browser, server.url)
    assert page.locator('#resolution option').count() == 2
    page.set_input_files('#file', str(image_path))
    page.wait_for_selector('#status[data-state="ready"]', timeout=60_000)
    assert page.eval_on_selector('#view', 'c => [c.width, c.height]') == [320, 240]

    shown = page.locator('#view').bounding_box()
    scale = shown['width'] / 320  # small images are displayed enlarged; clicks are in displayed pixels

    def at(x, y):
        return {'x': x * scale, 'y': y * scale}

    assert scale > 1
    page.click('#view', position=at(96, 108))  # the red disc
    page.wait_for_selector('#status[data-state="mask"]', timeout=60_000)
    area = int(page.get_attribute('#view', 'data-mask-area'))
    assert 0 < area <= 320 * 240
    assert page.get_attribute('#download', 'aria-disabled') == 'false'
    assert page.get_attribute('#download', 'href').startswith('data:image/png;base64,')
    # the overlay is drawn: some pixels of the canvas differ from the uploaded image
    drawn = page.evaluate("() => Array.from(document.getElementById('view').getContext('2d')"
                          ".getImageData(0, 0, 320, 240).data.filter((_, i) => i % 4 === 0))")
    assert np.abs(np.array(drawn).reshape(240, 320) - shapes_image(240, 320, seed=5)[..., 0]).max() > 20

    # a second (background) click only runs the decoder: still one embedding on the server
    page.click('#view', position=at(250, 100), modifiers=['Shift'])
    page.wait_for_function("() => document.getElementById('status').textContent.includes('embedding cached')",
                           timeout=60_000)
    assert server.state.embed_count == 1

    # "Segment by name": one class per line (synonyms after commas) -> the labelled overlay, its legend, the warning
    assert page.is_visible('#names') and not page.is_disabled('#names-go') and page.is_hidden('#names-off')
    page.evaluate(CANVAS_CHANGE)
    page.fill('#names', 'red disc\nblue bar, road\nbackground')
    page.click('#names-go')
    page.wait_for_selector('#status[data-state="names"]', timeout=60_000)
    entries = page.locator('#legend li')
    names = [entries.nth(i).get_attribute('data-name') for i in range(entries.count())]
    shares = [float(entries.nth(i).get_attribute('data-share')) for i in range(entries.count())]
    assert names and set(names) <= {'red disc', 'blue bar, road', 'background'} and abs(sum(shares) - 1) < 0.01
    assert page.is_visible('#legend') and page.is_visible('#names-warning')
    assert 'RANDOM WEIGHTS' in page.text_content('#names-warning')
    assert page.evaluate(CANVAS_CHANGE) > 20  # the labelled overlay is drawn
    shot = Path(os.environ.get('SAM_APP_SCREENSHOT', tmp_path / 'sam_app.png'))
    shot.parent.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shot), full_page=True)
    assert shot.stat().st_size > 10_000
    print(f'screenshot: {shot}')

    # a non-image upload gives a clear error on the page
    bad = tmp_path / 'notes.png'
    bad.write_bytes(b'this is text, not a PNG')
    page.set_input_files('#file', str(bad))
    page.wait_for_selector('#error:not([hidden])', timeout=30_000)
    assert 'not an image' in page.text_content('#error')
    # one comma-separated line: one class each; a name the embeddings file lacks: its error on the page
    page.fill('#names', 'red disc, zebra')
    page.press('#names', 'Control+Enter')
    page.wait_for_function("() => document.getElementById('error').textContent.includes('zebra')", timeout=30_000)
    assert "no embedding for ['zebra']" in page.text_content('#error')
    page.click('#clear')
    assert page.locator('#legend li').count() == 0 and page.is_hidden('#names-warning')
    assert not errors, errors
    page.close()


def test_candidate_picker_clear_and_reembed_status(browser, server, tmp_path):
    image_path = tmp_path / 'shapes.png'
    Image.fromarray(shapes_image(240, 320, seed=7)).save(image_path)
    page, errors = open_app(browser, server.url, height=900)
    assert page.get_attribute('link[rel="icon"]', 'href') == '/favicon.svg'
    assert page.request.get(server.url + 'favicon.svg').headers['content-type'] == 'image/svg+xml'
    page.set_input_files('#file', str(image_path))
    page.wait_for_selector('#status[data-state="ready"]', timeout=60_000)
    scale = page.locator('#view').bounding_box()['width'] / 320
    page.click('#view', position={'x': 96 * scale, 'y': 108 * scale})
    page.wait_for_selector('#status[data-state="mask"]', timeout=60_000)

    # one click: SAM's three candidates, the best-scored one chosen
    buttons = page.locator('#candidates button.candidate')
    assert buttons.count() == 3
    scores = [float(buttons.nth(i).get_attribute('data-score')) for i in range(3)]
    chosen = int(page.get_attribute('#view', 'data-chosen'))
    assert scores[chosen] == max(scores)
    assert buttons.nth(chosen).get_attribute('aria-pressed') == 'true'
    assert page.text_content('#status').startswith(f'Mask {chosen + 1}/3:')
    other = (chosen + 1) % 3
    before = page.get_attribute('#download', 'href')
    buttons.nth(other).click()
    assert buttons.nth(other).get_attribute('aria-pressed') == 'true'
    assert buttons.nth(chosen).get_attribute('aria-pressed') == 'false'
    assert page.get_attribute('#view', 'data-mask-area') == buttons.nth(other).get_attribute('data-area')
    assert page.text_content('#status').startswith(f'Mask {other + 1}/3:')
    assert page.get_attribute('#download', 'href') != before or scores[other] == scores[chosen]

    # "Clear prompts": no mask, no candidates, and the status says so (not the old mask)
    page.click('#clear')
    status = page.text_content('#status')
    assert 'Prompts cleared' in status and 'Mask' not in status
    assert page.get_attribute('#status', 'data-state') == 'ready'
    assert page.get_attribute('#view', 'data-mask-area') == '0'
    assert page.locator('#candidates button').count() == 0
    assert page.get_attribute('#download', 'aria-disabled') == 'true'

    # a click on the cached embedding says "cached"; after a re-embed at another resolution it must not
    page.click('#view', position={'x': 96 * scale, 'y': 108 * scale})
    page.wait_for_function("() => document.getElementById('status').textContent.includes('(embedding cached)')",
                           timeout=60_000)
    computed = server.state.embed_count
    page.select_option('#resolution', '512')
    page.wait_for_function("() => document.getElementById('status').textContent.includes('embedding computed in')",
                           timeout=120_000)
    assert 'embedding cached' not in page.text_content('#status')
    assert server.state.embed_count == computed + 1
    assert not errors, errors
    page.close()


def test_image_stays_above_the_fold_at_1280x900(browser, server, tmp_path):
    """A laptop screen: after a click the image and its 3 candidates show without scrolling."""
    image_path = tmp_path / 'landscape.png'
    Image.fromarray(shapes_image(800, 600, seed=3)).save(image_path)  # portrait: taller than 900 - the controls
    page = browser.new_page(viewport={'width': 1280, 'height': 900})
    page.goto(server.url)
    page.set_input_files('#file', str(image_path))
    page.wait_for_selector('#status[data-state="ready"]', timeout=60_000)
    view = page.locator('#view').bounding_box()
    page.click('#view', position={'x': view['width'] * 0.3, 'y': view['height'] * 0.45})
    page.wait_for_selector('#status[data-state="mask"]', timeout=60_000)
    assert page.locator('#candidates button.candidate').count() == 3
    view = page.locator('#view').bounding_box()
    print(f"image box at 1280x900: top {view['y']:.0f}, bottom {view['y'] + view['height']:.0f} px")
    assert view['y'] >= 0 and view['y'] + view['height'] <= 900, view
    assert view['height'] >= 400  # not shrunk to a thumbnail to fit
    page.close()



def test_names_field_off_shows_the_reason(browser, server):
    """An app whose RADIO has no language adaptor: the field is disabled and says why."""
    from radio_dense.apps.sam_web.names import NamesField
    reason = "Segment by name is off: no language adaptor 'siglip' (teachers: ['sam'])"
    state = SamAppState(server.state.model, resolutions=[256], names=NamesField(reason=reason))
    srv = SamAppServer(state, '127.0.0.1', 0)
    srv.start_in_thread()
    try:
        page, errors = open_app(browser, srv.url)
        assert page.is_disabled('#names') and page.is_disabled('#names-go')
        assert page.is_visible('#names-off') and page.text_content('#names-off') == reason
        assert not errors, errors
        page.close()
    finally:
        srv.shutdown()
        srv.server_close()
