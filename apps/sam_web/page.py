"""The interactive app's single page: HTML, CSS and JavaScript, no external resources."""
import json
from typing import Dict

_PAGE = r"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>RADIO + SAM decoder</title>
<style>
  body { font-family: system-ui, sans-serif; margin: 16px; background: #f4f5f7; color: #222; }
  h1 { font-size: 20px; margin: 0 0 8px; }
  .controls { display: flex; flex-wrap: wrap; gap: 12px; align-items: center; margin-bottom: 6px; }
  .help, #model { font-size: 13px; color: #555; margin: 4px 0; }
  #error { background: #fde2e1; color: #9b1c1c; border: 1px solid #f5a3a0; padding: 8px 10px; margin: 8px 0; border-radius: 4px; }
  #status { font-size: 14px; margin: 8px 0; min-height: 1.2em; }
  #status[data-state="busy"]::before { content: "\23F3  "; }
  #stage { display: inline-block; border: 1px solid #bbb; background: #fff; line-height: 0; }
  #view { max-width: calc(100vw - 40px); max-height: 75vh; cursor: crosshair; }
  a.button, button { font: inherit; padding: 4px 10px; border: 1px solid #888; border-radius: 4px; background: #fff; color: #222; text-decoration: none; }
  a.button[aria-disabled="true"] { pointer-events: none; opacity: 0.4; }
</style>
</head>
<body>
<h1>RADIO + SAM decoder: interactive segmentation</h1>
<div class="controls">
  <label>Image <input type="file" id="file" accept="image/*"></label>
  <label>Resolution <select id="resolution"></select></label>
  <label><input type="checkbox" id="pad"> pad to square</label>
  <label id="concept-box" hidden>Concept <input type="text" id="concept" placeholder="e.g. red disc" maxlength="200"></label>
  <button id="undo" type="button">Undo</button>
  <button id="clear" type="button">Clear prompts</button>
  <a id="download" class="button" download="mask.png" aria-disabled="true" href="#">Download mask PNG</a>
</div>
<p class="help">Click: object point &middot; Shift+click or right click: background point &middot; Drag: box.
  The image embedding is computed once per image and resolution; new prompts only run the decoder.</p>
<p id="model"></p>
<div id="error" hidden></div>
<div id="status" data-state="idle">Upload an image to start.</div>
<div id="stage"><canvas id="view" width="640" height="360" data-mask-area="0"></canvas></div>
<script>
const CONFIG = __CONFIG__;
const $ = (id) => document.getElementById(id);
const view = $('view'), ctx = view.getContext('2d');
const state = { imageId: null, image: null, points: [], box: null, overlay: null, drag: null, busy: false, again: false };

for (const r of CONFIG.resolutions) {
  const o = document.createElement('option'); o.value = r; o.textContent = r + ' px';
  if (r === CONFIG.default_resolution) o.selected = true;
  $('resolution').appendChild(o);
}
$('pad').checked = CONFIG.pad_to_square;
$('model').textContent = 'Model: ' + CONFIG.model;
if (CONFIG.concept_prompts) {  // SAM3: every instance of a typed concept and/or a dragged example box
  $('concept-box').hidden = false;
  $('concept').addEventListener('change', () => predict());
}
const concept = () => (CONFIG.concept_prompts ? $('concept').value.trim() : '');

function setStatus(text, st) { $('status').textContent = text; $('status').dataset.state = st; }
function showError(text) { $('error').textContent = text; $('error').hidden = !text; if (text) setStatus('Error.', 'error'); }
function view_params() { return { image_id: state.imageId, resolution: +$('resolution').value, pad: $('pad').checked }; }

async function api(path, body, raw) {
  const res = await fetch(path, { method: 'POST', body: raw ? body : JSON.stringify(body),
    headers: raw ? { 'Content-Type': 'application/octet-stream' } : { 'Content-Type': 'application/json' } });
  let data;
  try { data = await res.json(); } catch (e) { throw new Error('Server answered ' + res.status + ' without JSON'); }
  if (!res.ok) throw new Error(data.error || ('HTTP ' + res.status));
  return data;
}

function draw() {
  if (!state.image) return;
  ctx.drawImage(state.image, 0, 0);
  if (state.overlay) ctx.drawImage(state.overlay, 0, 0);
  const s = Math.max(3, Math.round(Math.max(view.width, view.height) / 150));
  ctx.lineWidth = Math.max(2, s / 2);
  const b = state.drag && state.drag.box ? state.drag.box : state.box;
  if (b) { ctx.strokeStyle = '#ffc800'; ctx.strokeRect(b[0], b[1], b[2] - b[0], b[3] - b[1]); }
  for (const [x, y, l] of state.points) {
    ctx.beginPath(); ctx.arc(x, y, s * 2, 0, 2 * Math.PI); ctx.fillStyle = '#fff'; ctx.fill();
    ctx.beginPath(); ctx.arc(x, y, s * 1.5, 0, 2 * Math.PI); ctx.fillStyle = l ? '#28dc28' : '#e62828'; ctx.fill();
  }
}

function toImage(e) {
  const r = view.getBoundingClientRect();
  return [(e.clientX - r.left) * view.width / r.width, (e.clientY - r.top) * view.height / r.height];
}

async function embed() {
  if (!state.imageId) return;
  setStatus('Computing the image embedding at ' + $('resolution').value + ' px...', 'busy');
  const t = await api('/api/embed', view_params());
  setStatus((t.cached ? 'Embedding cached' : 'Embedding computed in ' + t.embed_ms + ' ms') +
            ' (grid ' + t.grid.join('x') + '). Click the object or drag a box.', 'ready');
}

async function predict() {
  if (!state.imageId) return;
  if (!state.points.length && !state.box && !concept()) {
    state.overlay = null; view.dataset.maskArea = '0'; draw();
    $('download').setAttribute('aria-disabled', 'true'); return;
  }
  if (state.busy) { state.again = true; return; }
  state.busy = true;
  try {
    do {
      state.again = false;
      setStatus('Decoding...', 'busy');
      const r = await api('/api/predict', Object.assign(view_params(), { points: state.points, box: state.box, text: concept() || null }));
      const overlay = new Image();
      await new Promise((ok, fail) => { overlay.onload = ok; overlay.onerror = fail; overlay.src = 'data:image/png;base64,' + r.overlay_png; });
      state.overlay = overlay; draw();
      view.dataset.maskArea = String(r.area);
      const dl = $('download'); dl.href = 'data:image/png;base64,' + r.mask_png; dl.setAttribute('aria-disabled', 'false');
      showError('');
      setStatus((r.instances === null ? 'Mask: ' + r.area + ' px, predicted IoU ' + r.score.toFixed(3)
                 : r.instances + ' instance(s), ' + r.area + ' px, best score ' + r.score.toFixed(3)) + '; decoder ' + r.decode_ms + ' ms' +
                (r.cached_embedding ? ' (embedding cached)' : ', embedding ' + r.embed_ms + ' ms'), 'mask');
    } while (state.again);
  } catch (err) { showError(err.message); }
  finally { state.busy = false; }
}

$('file').addEventListener('change', async () => {
  const file = $('file').files[0];
  if (!file) return;
  showError('');
  if (file.size > CONFIG.max_bytes) {
    showError('The file is ' + (file.size / 1048576).toFixed(1) + ' MiB; the limit is ' + (CONFIG.max_bytes / 1048576) + ' MiB.');
    return;
  }
  setStatus('Uploading...', 'busy');
  try {
    const info = await api('/api/image', file, true);
    const img = new Image();
    await new Promise((ok, fail) => { img.onload = ok; img.onerror = () => fail(new Error('The browser cannot display this image')); img.src = URL.createObjectURL(file); });
    Object.assign(state, { imageId: info.image_id, image: img, points: [], box: null, overlay: null });
    view.width = info.width; view.height = info.height; view.dataset.maskArea = '0';
    view.style.width = Math.max(info.width, Math.min(640, 4 * info.width)) + 'px';  // small images shown larger
    $('download').setAttribute('aria-disabled', 'true');
    draw();
    await embed();
  } catch (err) { showError(err.message); }
});

for (const id of ['resolution', 'pad']) {
  $(id).addEventListener('change', async () => { try { await embed(); await predict(); } catch (err) { showError(err.message); } });
}
$('undo').addEventListener('click', () => { if (state.box && !state.points.length) state.box = null; else state.points.pop(); predict(); draw(); });
$('clear').addEventListener('click', () => { state.points = []; state.box = null; predict(); draw(); });
view.addEventListener('contextmenu', (e) => e.preventDefault());
view.addEventListener('mousedown', (e) => { if (state.image) state.drag = { start: toImage(e), negative: e.shiftKey || e.button === 2, box: null }; });
view.addEventListener('mousemove', (e) => {
  if (!state.drag) return;
  const [x, y] = toImage(e), [x0, y0] = state.drag.start;
  if (Math.hypot(x - x0, y - y0) > Math.max(view.width, view.height) / 100)
    { state.drag.box = [Math.min(x0, x), Math.min(y0, y), Math.max(x0, x), Math.max(y0, y)]; draw(); }
});
window.addEventListener('mouseup', (e) => {
  const d = state.drag; state.drag = null;
  if (!d) return;
  if (d.box) state.box = d.box.map(Math.round);
  else state.points.push([Math.round(d.start[0]), Math.round(d.start[1]), d.negative ? 0 : 1]);
  draw(); predict();
});
</script>
</body>
</html>
"""


def render_page(config: Dict) -> str:
    """The page with the server's ``config`` (resolutions, limits, model) embedded."""
    blob = json.dumps(config).replace('<', '\\u003c').replace('>', '\\u003e').replace('&', '\\u0026')
    return _PAGE.replace('__CONFIG__', blob)
