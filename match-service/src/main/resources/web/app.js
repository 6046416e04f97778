// facestream page: plain JS, no build step. The API key is typed once, exchanged for a short-lived session (an
// HttpOnly cookie the script cannot read) and forgotten: images, the live stream and every call use the cookie, so
// the long-lived key is in no URL, no storage and no history.
'use strict';
const $ = (id) => document.getElementById(id);
let live = null;
let renew = null;
let cameraTimer = null;

async function api(path, options = {}) {
  // X-Facestream-Page: the server takes a change with the session cookie only with this header (no cross-site forms)
  const headers = Object.assign({'X-Facestream-Page': '1'}, options.headers || {});
  const res = await fetch(path, Object.assign({credentials: 'same-origin'}, options, {headers}));
  if (!res.ok) {
    let msg = res.status + ' ' + res.statusText;
    try { msg = (await res.json()).error || msg; } catch (e) { /* not JSON */ }
    if (res.status === 401 && !path.startsWith('/api/session')) loggedOut('Session ended: ' + msg);
    const err = new Error(msg);
    err.status = res.status;
    throw err;
  }
  return res.status === 204 ? null : res.json();
}

function show(tab) {
  for (const s of ['login', 'live', 'gallery', 'search', 'cameras']) $(s).hidden = s !== tab;
  $('nav').hidden = tab === 'login';
  if (tab === 'gallery') loadGalleries();
  // the cameras tab refreshes its list and snapshots every few seconds while it is shown
  if (cameraTimer) clearInterval(cameraTimer);
  cameraTimer = null;
  if (tab === 'cameras') {
    loadCameras();
    cameraTimer = setInterval(loadCameras, 3000);
  }
}

async function login(candidate) {
  try {
    await api('/api/session', {method: 'POST', headers: {'Authorization': 'Bearer ' + candidate}});
    $('key').value = '';
    loggedIn();
  } catch (e) {
    $('login-error').textContent = 'Login failed: ' + e.message;
    show('login');
  }
}

function loggedIn() {
  $('login-error').textContent = '';
  startLive();
  show('live');
  // the session is renewed while the page is open (it ends with the key, at logout or when the service restarts)
  if (renew) clearInterval(renew);
  renew = setInterval(() => api('/api/session').catch((e) => {
    if (e.status === 401) loggedOut('Session ended: ' + e.message);
  }), 4 * 60 * 1000);
}

function loggedOut(message) {
  if (live) live.close();
  live = null;
  if (renew) clearInterval(renew);
  renew = null;
  $('login-error').textContent = message || '';
  show('login');
}

function cell(tr, content) {
  const td = document.createElement('td');
  if (content instanceof Node) td.appendChild(content); else td.textContent = content;
  tr.appendChild(td);
}
function face(src) {
  const img = document.createElement('img');
  img.className = 'face';
  if (src) img.src = src;
  img.alt = '';
  return img;
}

function matchRow(m) {
  const tr = document.createElement('tr');
  tr.dataset.matchId = m.match_id;
  tr.className = 'match';
  const best = (m.candidates || [])[0];
  cell(tr, face(m.best_face ? '/api/' + m.best_face + '/crop' : null));
  const galleryFace = best && best.media_id && m.decision === 'HIT'
    ? '/api/galleries/' + encodeURIComponent(m.gallery) + '/subjects/' + best.media_id.split('/').map(encodeURIComponent).join('/media/') + '/crop'
    : null;
  cell(tr, face(galleryFace));
  const d = document.createElement('span');
  d.className = m.decision; d.textContent = m.decision;
  cell(tr, d);
  cell(tr, m.decision === 'HIT' && best ? best.subject_id : '');
  cell(tr, best ? best.score.toFixed(3) + ' / ' + m.threshold.toFixed(3) : '-');
  cell(tr, m.camera_id);
  cell(tr, new Date(m.end_ts_us / 1000).toLocaleTimeString());
  if (m.late) {
    // a decision of the embed service's catch-up pass: the track was seen during an outage or a backlog
    tr.classList.add('late');
    const s = document.createElement('span');
    s.className = 'late';
    s.textContent = m.stage + ' · late ' + Math.round((m.late_by_ms || 0) / 1000) + ' s';
    s.title = 'decided after the fact: its frames were embedded by the catch-up pass';
    cell(tr, s);
  } else {
    cell(tr, m.stage);
  }
  return tr;
}

function addMatch(m) {
  const old = document.querySelector('tr[data-match-id="' + CSS.escape(m.match_id) + '"]');
  const row = matchRow(m);
  if (old) old.replaceWith(row); else $('matches').prepend(row);
  while ($('matches').children.length > 200) $('matches').lastChild.remove();
}

async function startLive() {
  if (live) live.close();
  $('matches').textContent = '';
  const recent = await api('/api/matches?limit=50');
  recent.matches.slice().reverse().forEach(addMatch);
  live = new EventSource('/api/live');
  live.addEventListener('match', (e) => addMatch(JSON.parse(e.data)));
  live.onopen = () => { $('live-state').textContent = '(connected)'; };
  live.onerror = () => { $('live-state').textContent = '(reconnecting)'; };
}

async function loadGalleries() {
  const galleries = await api('/api/galleries');
  const sel = $('gallery-select');
  const current = sel.value;
  sel.textContent = '';
  for (const g of galleries) {
    const o = document.createElement('option');
    o.value = g.name; o.textContent = g.name + ' (' + g.kind + ')';
    sel.appendChild(o);
  }
  if (current && galleries.some((g) => g.name === current)) sel.value = current;
  await loadSubjects();
}

async function loadSubjects() {
  const g = $('gallery-select').value;
  $('subjects').textContent = '';
  if (!g) return;
  for (const s of await api('/api/galleries/' + encodeURIComponent(g) + '/subjects')) {
    const tr = document.createElement('tr');
    tr.className = 'subject';
    cell(tr, face('/api/galleries/' + encodeURIComponent(g) + '/subjects/' + encodeURIComponent(s.subject_id) + '/media/' + encodeURIComponent(s.media[0]) + '/crop'));
    cell(tr, s.subject_id);
    cell(tr, s.display_name || '');
    const del = document.createElement('button');
    del.textContent = 'Delete';
    del.onclick = async () => {
      if (!confirm('Delete ' + s.subject_id + ' with its vectors and crops?')) return;
      try { await api('/api/galleries/' + encodeURIComponent(g) + '/subjects/' + encodeURIComponent(s.subject_id), {method: 'DELETE'}); }
      catch (e) { $('gallery-msg').textContent = e.message; }
      loadSubjects();
    };
    cell(tr, del);
    $('subjects').appendChild(tr);
  }
}

$('login-form').onsubmit = (e) => { e.preventDefault(); login($('key').value.trim()); };
$('logout').onclick = async () => { try { await api('/api/session', {method: 'DELETE'}); } catch (e) { /* gone already */ } loggedOut(''); };
for (const b of document.querySelectorAll('nav button[data-tab]')) b.onclick = () => show(b.dataset.tab);
$('gallery-select').onchange = loadSubjects;
$('create-gallery').onsubmit = async (e) => {
  e.preventDefault();
  try {
    await api('/api/galleries', {method: 'POST', headers: {'Content-Type': 'application/json'},
      body: JSON.stringify({name: $('new-gallery').value.trim(), kind: $('new-kind').value})});
    $('gallery-msg').textContent = 'created ' + $('new-gallery').value;
    await loadGalleries();
  } catch (err) { $('gallery-msg').textContent = err.message; }
};
$('enrol').onsubmit = async (e) => {
  e.preventDefault();
  const form = new FormData();
  form.append('subject_id', $('subject-id').value.trim());
  form.append('display_name', $('display-name').value.trim());
  for (const f of $('enrol-image').files) form.append('image', f);
  $('gallery-msg').textContent = 'enrolling...';
  try {
    const r = await api('/api/galleries/' + encodeURIComponent($('gallery-select').value) + '/subjects', {method: 'POST', body: form});
    $('gallery-msg').textContent = 'enrolled ' + r.subject_id;
    await loadSubjects();
  } catch (err) { $('gallery-msg').textContent = err.message; }
};
$('search-form').onsubmit = async (e) => {
  e.preventDefault();
  const form = new FormData();
  form.append('image', $('search-image').files[0]);
  $('search-msg').textContent = 'searching...';
  $('search-results').textContent = '';
  try {
    const r = await api('/api/search', {method: 'POST', body: form});
    $('search-msg').textContent = r.faces_in_image + ' face(s) in the image; model ' + r.model;
    for (const g of r.results) {
      const h = document.createElement('h3');
      h.textContent = g.gallery + ': ' + g.decision + ' (threshold ' + g.threshold.toFixed(3) + ')';
      $('search-results').appendChild(h);
      const t = document.createElement('table');
      for (const c of g.candidates) {
        const tr = document.createElement('tr');
        tr.className = 'candidate';
        cell(tr, face(c.media_id ? '/api/galleries/' + encodeURIComponent(g.gallery) + '/subjects/' + c.media_id.split('/').map(encodeURIComponent).join('/media/') + '/crop' : null));
        cell(tr, c.subject_id);
        cell(tr, c.score.toFixed(3));
        t.appendChild(tr);
      }
      $('search-results').appendChild(t);
    }
  } catch (err) { $('search-msg').textContent = err.message; }
};

// a session from before a reload is still in its cookie
api('/api/session').then(loggedIn, () => show('login'));

// Cameras: spec and ingest status from GET /api/cameras, the latest frame, pause/resume (operators; a viewer's click
// is refused by the API with 403, shown below the table).
async function loadCameras() {
  let list;
  try {
    list = await api('/api/cameras');
  } catch (e) {
    $('cameras-msg').textContent = e.message;
    return;
  }
  const rows = $('camera-rows');
  rows.textContent = '';
  const now = Date.now();
  for (const c of list) {
    const st = c.status || {};
    const tr = document.createElement('tr');
    const img = face(st.state === 'RUNNING' || st.last_frame_ts_us
      ? '/api/cameras/' + encodeURIComponent(c.camera) + '/snapshot?t=' + now : null);
    img.className = 'snapshot';
    img.onerror = () => { img.removeAttribute('src'); };
    cell(tr, img);
    cell(tr, c.camera);
    cell(tr, (c.spec && c.spec.source) || st.source || '');
    cell(tr, st.state || (c.spec && c.spec.paused ? 'PAUSED' : '-'));
    cell(tr, st.fps !== undefined ? st.fps.toFixed(1) : '-');
    cell(tr, st.last_frame_ts_us ? new Date(st.last_frame_ts_us / 1000).toLocaleTimeString() : '-');
    cell(tr, st.reconnects !== undefined ? String(st.reconnects) : '-');
    cell(tr, st.last_error || '');
    const actions = document.createElement('span');
    if (c.spec) {
      const b = document.createElement('button');
      b.textContent = c.spec.paused ? 'Resume' : 'Pause';
      b.onclick = async () => {
        try {
          await api('/api/cameras/' + encodeURIComponent(c.camera) + (c.spec.paused ? '/resume' : '/pause'), {method: 'POST'});
          $('cameras-msg').textContent = '';
          loadCameras();
        } catch (e) {
          $('cameras-msg').textContent = e.message;
        }
      };
      actions.appendChild(b);
    }
    cell(tr, actions);
    rows.appendChild(tr);
  }
}
