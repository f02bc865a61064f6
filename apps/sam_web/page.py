"""The interactive app's single page: HTML, CSS and JavaScript, no external resources."""
import json
from typing import Dict

_PAGE = r"""<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>RADIO + SAM decoder</title>
<link rel="icon" type="image/svg+xml" href="/favicon.svg">
<style>
  body { font-family: system-ui, sans-serif; margin: 16px; background: #f4f5f7; color: #222; }
  h1 { font-size: 20px; margin: 0 0 8px; }
  .controls { display: flex; flex-wrap: wrap; gap: 12px; align-items: center; margin-bottom: 6px; }
  .help, #model { font-size: 13px; color: #555; margin: 4px 0; }
  #error { background: #fde2e1; color: #9b1c1c; border: 1px solid #f5a3a0; padding: 8px 10px; margin: 8px 0; border-radius: 4px; }
  #status { font-size: 14px; margin: 8px 0; min-height: 1.2em; }
  #status[data-state="busy"]::before { content: "\23F3  "; }
  #stage { display: inline-block; border: 1px solid #bbb; background: #fff; line-height: 0; }
  #workspace { display: flex; gap: 12px; align-items: flex-start; }
  #view { max-width: calc(100vw - 200px); max-height: calc(100vh - 300px); cursor: crosshair; }
  a.button, button { font: inherit; padding: 4px 10px; border: 1px solid #888; border-radius: 4px; background: #fff; color: #222; text-decoration: none; }
  a.button[aria-disabled="true"] { pointer-events: none; opacity: 0.4; }
  #candidates { display: flex; flex-direction: column; gap: 8px; margin: 0; min-height: 0; }
  #candidates button { display: flex; flex-direction: column; align-items: center; gap: 4px; padding: 4px; font-size: 12px; }
  #candidates button[aria-pressed="true"] { border: 2px solid #1e90ff; background: #e8f2ff; }
  #candidates canvas { width: 120px; height: auto; }
  #names-row { display: flex; gap: 8px; align-items: flex-start; margin-bottom: 6px; }
  #names { font: inherit; width: 28em; height: 2.6em; resize: vertical; }
  #names-off { font-size: 13px; color: #777; align-self: center; }
  #names-warning { background: #fff3cd; color: #7a4b00; border: 1px solid #f0c36d; padding: 6px 10px; margin: 6px 0; border-radius: 4px; font-weight: 600; }
  #legend { list-style: none; margin: 0; padding: 0; font-size: 13px; min-width: 0; }
  #legend li { display: flex; align-items: center; gap: 6px; margin: 0 0 4px; white-space: nowrap; }
  #legend .swatch { display: inline-block; width: 14px; height: 14px; border: 1px solid #555; border-radius: 2px; }
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
<div id="names-row">
  <label for="names">Segment by name</label>
  <textarea id="names" placeholder="cat, dog, sofa &#10;(or one class per line; commas on a line: its synonyms)"></textarea>
  <button id="names-go" type="button">Label by name</button>
  <span id="names-off" hidden></span>
</div>
<div id="names-warning" role="alert" hidden></div>
<p class="help">Click: object point &middot; Shift+click or right click: background point &middot; Drag: box.
  The image embedding is computed once per image and resolution; new prompts only run the decoder.</p>
<p id="model"></p>
<div id="error" hidden></div>
<div id="status" data-state="idle">Upload an image to start.</div>
<div id="workspace">
  <div id="stage"><canvas id="view" width="640" height="360" data-mask-area="0"></canvas></div>
  <div id="candidates" role="group" aria-label="candidate masks"></div>
  <ul id="legend" aria-label="class legend" hidden></ul>
</div>
<script>
const CONFIG = __CONFIG__;
const $ = (id) => document.getElementById(id);
const view = $('view'), ctx = view.getContext('2d');
const state = { imageId: null, image: null, points: [], box: null, overlay: null, drag: null, busy: false, again: false,
                candidates: [], chosen: 0, freshEmbedMs: null };

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
const NAMES = CONFIG.names || { enabled: false, reason: 'Segment by name is not available in this app.' };
if (!NAMES.enabled) {  // no language adaptor (or no text tower): the field says why instead
  $('names').disabled = true; $('names-go').disabled = true;
  $('names-off').textContent = NAMES.reason; $('names-off').hidden = false;
}

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

// the image fills the window below the controls (candidates sit beside it): no scrolling to see it
function fitView() {
  const top = $('stage').getBoundingClientRect().top + window.scrollY;
  view.style.maxHeight = Math.max(200, window.innerHeight - top - 16) + 'px';
}
window.addEventListener('resize', fitView);

function draw() {
  fitView();
  if (!state.image) return;
  ctx.drawImage(state.image, 0, 0);
  if (state.namesOverlay) ctx.drawImage(state.namesOverlay, 0, 0, view.width, view.height);
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
  // the next mask uses this embedding: its status reports the computation, not a cache hit
  state.freshEmbedMs = t.cached ? null : t.embed_ms;
  setStatus((t.cached ? 'Embedding cached' : 'Embedding computed in ' + t.embed_ms + ' ms') +
            ' (grid ' + t.grid.join('x') + '). Click the object or drag a box.', 'ready');
}

function loadImage(src) {
  return new Promise((ok, fail) => { const im = new Image(); im.onload = () => ok(im); im.onerror = fail; im.src = src; });
}

function clearMask(message) {
  state.overlay = null; state.candidates = []; state.chosen = 0;
  view.dataset.maskArea = '0'; $('candidates').replaceChildren();
  $('download').setAttribute('aria-disabled', 'true'); $('download').href = '#';
  draw();
  if (message) setStatus(message, 'ready');
}

function maskStatus(c, index, r) {
  if (r.instances !== null)  // SAM3: the union of every instance of the concept
    return r.instances + ' instance(s), ' + c.area + ' px, best score ' + c.score.toFixed(3) + '; decoder ' + r.decode_ms + ' ms' + r.embedText;
  const which = state.candidates.length > 1 ? 'Mask ' + (index + 1) + '/' + state.candidates.length + ': ' : 'Mask: ';
  return which + c.area + ' px, predicted IoU ' + c.score.toFixed(3) + '; decoder ' + r.decode_ms + ' ms' + r.embedText;
}

function choose(index) {
  const c = state.candidates[index];
  if (!c) return;
  state.chosen = index; state.overlay = c.overlay; draw();
  view.dataset.maskArea = String(c.area); view.dataset.chosen = String(index);
  const dl = $('download'); dl.href = 'data:image/png;base64,' + c.mask_png; dl.setAttribute('aria-disabled', 'false');
  for (const [i, b] of Array.from($('candidates').children).entries()) b.setAttribute('aria-pressed', String(i === index));
  setStatus(maskStatus(c, index, state.lastResult), 'mask');
}

function showCandidates() {
  const box = $('candidates'); box.replaceChildren();
  if (state.candidates.length < 2) return;  // one mask: nothing to pick
  state.candidates.forEach((c, i) => {
    const b = document.createElement('button'); b.type = 'button'; b.className = 'candidate'; b.dataset.index = i;
    b.dataset.area = c.area; b.dataset.score = c.score;
    const thumb = document.createElement('canvas'); thumb.width = view.width; thumb.height = view.height;
    const t = thumb.getContext('2d'); t.drawImage(state.image, 0, 0); t.drawImage(c.overlay, 0, 0);
    const label = document.createElement('span');
    label.textContent = '#' + (i + 1) + ' IoU ' + c.score.toFixed(3) + ' \u00b7 ' + c.area + ' px';
    b.append(thumb, label); b.addEventListener('click', () => choose(i)); box.appendChild(b);
  });
}

// one class per line (commas on a line: its synonyms, as tools/segment_by_name.py --names); one line: comma-separated classes
function typedNames() {
  const lines = $('names').value.split('\n').map((s) => s.trim()).filter(Boolean);
  return lines.length === 1 ? lines[0].split(',').map((s) => s.trim()).filter(Boolean) : lines;
}

function clearNames() {
  state.namesOverlay = null; $('legend').replaceChildren(); $('legend').hidden = true;
  $('names-warning').hidden = true; $('names-warning').textContent = '';
}

function showLegend(r) {
  const list = $('legend'); list.replaceChildren();
  for (const e of r.legend) {
    const li = document.createElement('li'); li.dataset.name = e.name; li.dataset.share = e.share; li.dataset.color = e.color;
    const sw = document.createElement('span'); sw.className = 'swatch'; sw.style.background = e.color;
    const label = document.createElement('span'); label.textContent = e.name + ' \u00b7 ' + (100 * e.share).toFixed(1) + '%';
    li.append(sw, label); list.appendChild(li);
  }
  list.hidden = false;
  $('names-warning').textContent = r.warning || ''; $('names-warning').hidden = !r.warning;
}

async function segmentByName() {
  if (!NAMES.enabled) return;
  if (!state.imageId) { showError('Upload an image first, then type class names.'); return; }
  const names = typedNames();
  if (!names.length) { clearNames(); draw(); return; }
  setStatus('Labelling the image by name...', 'busy');
  try {
    const r = await api('/api/names', { image_id: state.imageId, names });
    state.namesOverlay = await loadImage('data:image/png;base64,' + r.overlay_png);
    showError(''); showLegend(r); draw();
    setStatus('Labelled by name: ' + r.legend.length + ' of ' + r.names.length + ' classes present (' + r.names_ms + ' ms)' +
              (r.warning ? ' \u2014 RANDOM WEIGHTS (see the warning above)' : '') + '.', 'names');
  } catch (err) { showError(err.message); }
}

async function predict() {
  if (!state.imageId) return;
  if (!state.points.length && !state.box && !concept()) {
    clearMask('No prompts. Click the object (Shift+click: background) or drag a box.'); return;
  }
  if (state.busy) { state.again = true; return; }
  state.busy = true;
  try {
    do {
      state.again = false;
      setStatus('Decoding...', 'busy');
      const r = await api('/api/predict', Object.assign(view_params(), { points: state.points, box: state.box, text: concept() || null }));
      if (!state.points.length && !state.box && !concept()) break;  // cleared while decoding
      for (const c of r.candidates) c.overlay = await loadImage('data:image/png;base64,' + c.overlay_png);
      showError('');
      if (state.freshEmbedMs !== null) r.embedText = ', embedding computed in ' + state.freshEmbedMs + ' ms';
      else r.embedText = r.cached_embedding ? ' (embedding cached)' : ', embedding ' + r.embed_ms + ' ms';
      state.candidates = r.candidates; state.lastResult = r;
      showCandidates();
      choose(r.best);
      state.freshEmbedMs = null;
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
    Object.assign(state, { imageId: info.image_id, image: img, points: [], box: null, overlay: null, candidates: [] });
    clearNames();
    $('candidates').replaceChildren();
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
$('clear').addEventListener('click', () => {
  state.points = []; state.box = null; state.again = false; showError('');
  if (CONFIG.concept_prompts) $('concept').value = '';
  clearNames();
  clearMask(state.image ? 'Prompts cleared. Click the object (Shift+click: background) or drag a box.' : 'Upload an image to start.');
});
$('names-go').addEventListener('click', () => segmentByName());
$('names').addEventListener('keydown', (e) => { if (e.key === 'Enter' && (e.ctrlKey || e.metaKey)) { e.preventDefault(); segmentByName(); } });
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
  if (d.box) {  // a drag that leaves the picture ends at its edge
    const [x0, y0, x1, y1] = d.box.map(Math.round);
    state.box = [Math.max(0, x0), Math.max(0, y0), Math.min(view.width, x1), Math.min(view.height, y1)];
  } else {
    const [x, y] = d.start.map(Math.round);
    if (x < 0 || y < 0 || x > view.width || y > view.height) {
      showError('The point (' + x + ', ' + y + ') lies outside the ' + view.width + 'x' + view.height + ' image; click inside it.');
      return;
    }
    state.points.push([x, y, d.negative ? 0 : 1]);
  }
  draw(); predict();
});
</script>
</body>
</html>
"""


#: The tab icon: a mask outline with a positive click, as the page draws them.
FAVICON_SVG = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32">'
               '<rect width="32" height="32" rx="6" fill="#1e90ff"/>'
               '<path d="M7 22 C6 12 14 6 21 9 C28 12 27 24 18 25 C13 26 8 26 7 22 Z" fill="#fff" fill-opacity="0.85"/>'
               '<circle cx="17" cy="17" r="4" fill="#28dc28" stroke="#fff" stroke-width="1.5"/></svg>')


def render_page(config: Dict) -> str:
    """The page with the server's ``config`` (resolutions, limits, model) embedded."""
    blob = json.dumps(config).replace('<', '\\u003c').replace('>', '\\u003e').replace('&', '\\u0026')
    return _PAGE.replace('__CONFIG__', blob)
