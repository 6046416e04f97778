// facestream page: plain JS, no build step. The API key is typed once, exchanged for a short-lived session (an
// HttpOnly cookie the script cannot read) and forgotten: images, the live stream and every call use the cookie, so
// the long-lived key is in no URL, no storage and no history.
'use strict';
const $ = (id) => document.getElementById(id);
const TABS = ['login', 'cameras', 'live', 'review', 'history', 'gallery', 'search'];
const RECENT_PER_CAMERA = 5;
let live = null;
let renew = null;
let cameraTimer = null;
let current = 'login';
// the newest decisions of each camera, for the wall (filled from the list and the live stream)
const recentByCamera = new Map();
// verdicts given from this page, by match id: a row re-rendered by the live stream keeps showing them
const verdicts = new Map();
// the decisions shown, by match id: a row's buttons are drawn again after feedback with its track's actions
const shownMatches = new Map();

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

// Each list is rendered by the newest of its loads only: two refreshes in flight (a tab click during an enrolment's
// reload, a timer tick during a click) used to append their rows both, listing a subject twice. A load takes a
// ticket before it waits and renders only if no later load took one meanwhile; it clears the list only then.
const tickets = {};
function ticket(name) { tickets[name] = (tickets[name] || 0) + 1; return tickets[name]; }
function stale(name, t) { return tickets[name] !== t; }

function show(tab) {
  current = tab;
  for (const s of TABS) $(s).hidden = s !== tab;
  $('nav').hidden = tab === 'login';
  for (const b of document.querySelectorAll('nav button[data-tab]')) {
    if (b.dataset.tab === tab) b.setAttribute('aria-current', 'page'); else b.removeAttribute('aria-current');
  }
  if (cameraTimer) clearInterval(cameraTimer);
  cameraTimer = null;
  if (tab === 'gallery') loadGalleries();
  if (tab === 'review') loadReview();
  if (tab === 'history' && !$('history-rows').children.length) loadHistory(false);
  // the wall refreshes its list and snapshots every few seconds while it is shown
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

// ---- building blocks

function el(tag, className, text) {
  const e = document.createElement(tag);
  if (className) e.className = className;
  if (text !== undefined) e.textContent = text;
  return e;
}
function cell(tr, content, label) {
  const td = document.createElement('td');
  if (label) td.dataset.label = label; // the column's name, shown beside the value when rows become cards
  if (content instanceof Node) td.appendChild(content); else td.textContent = content;
  tr.appendChild(td);
  return td;
}
function face(src, alt) {
  if (!src) return el('span', 'face none', '–');
  const img = document.createElement('img');
  img.className = 'face';
  img.src = src;
  img.alt = alt || '';
  img.width = 72;
  img.height = 72;
  return img;
}
function segments(id) { return id.split('/').map(encodeURIComponent); }
function galleryCrop(gallery, mediaId) {
  // a candidate's media_id is <subject>/<media>
  return '/api/galleries/' + encodeURIComponent(gallery) + '/subjects/' + segments(mediaId).join('/media/') + '/crop';
}
function apiPath(p) { return typeof p === 'string' && p.startsWith('/api/') ? p : null; }
function time(us) { return us ? new Date(us / 1000).toLocaleTimeString() : '-'; }
function notAvailable(e) { return e.status === 404 || e.status === 405 || e.status === 501; }

// ---- decisions (Live, Review, History)

function matchRow(m, withFeedback) {
  shownMatches.set(m.match_id, m);
  if (shownMatches.size > 2000) shownMatches.delete(shownMatches.keys().next().value);
  const tr = document.createElement('tr');
  tr.dataset.matchId = m.match_id;
  tr.className = 'match';
  const best = (m.candidates || [])[0];
  const trackFaces = bestFaces(m);
  const galleryFace = apiPath(m.gallery_face)
    || (best && best.media_id && m.decision === 'HIT' ? galleryCrop(m.gallery, best.media_id) : null);
  const faces = el('span', 'track-faces');
  if (!trackFaces.length) faces.appendChild(face(null));
  trackFaces.forEach((src, i) => {
    const f = face(src, 'track face ' + (i + 1) + ' of ' + trackFaces.length + ', camera ' + m.camera_id);
    if (i > 0) { f.width = 48; f.height = 48; f.classList.add('more'); }
    faces.appendChild(f);
  });
  cell(tr, faces, 'track face');
  cell(tr, face(galleryFace, best ? 'gallery face of ' + best.subject_id : ''), 'gallery face');
  cell(tr, el('span', 'decision ' + m.decision, m.decision), 'decision');
  // a close call in the review queue names its nearest subject even when it was not a HIT
  cell(tr, best && (m.decision === 'HIT' || typeof m.margin === 'number')
    ? (m.decision === 'HIT' ? best.subject_id : 'nearest: ' + best.subject_id) : '', 'subject');
  cell(tr, best && typeof best.score === 'number' && typeof m.threshold === 'number'
    ? best.score.toFixed(3) + ' / ' + m.threshold.toFixed(3) : '-', 'score');
  cell(tr, m.camera_id, 'camera');
  cell(tr, time(m.end_ts_us), 'time');
  if (m.late) {
    // a decision of the embed service's catch-up pass: the track was seen during an outage or a backlog
    tr.classList.add('late');
    const s = el('span', 'late', m.stage + ' · late ' + Math.round((m.late_by_ms || 0) / 1000) + ' s');
    s.title = 'decided after the fact: its frames were embedded by the catch-up pass';
    cell(tr, s, 'stage');
  } else {
    cell(tr, m.stage, 'stage');
  }
  if (withFeedback) cell(tr, feedbackButtons(m), 'feedback');
  return tr;
}

// the track's best faces, highest norm first (at most 3): a decision names them as references (best_faces), a
// review item as crops, the history its first one's crop (best_face_crop)
function bestFaces(m) {
  const out = [];
  const add = (src) => { if (src && !out.includes(src)) out.push(src); };
  add(apiPath(m.best_face_crop) || (m.best_face ? '/api/' + m.best_face + '/crop' : null));
  for (const f of (m.best_faces || [])) {
    add(typeof f === 'string' ? (f.startsWith('faces/') ? '/api/' + f + '/crop' : null) : apiPath(f && f.crop));
  }
  return out.slice(0, 3);
}

function feedbackButtons(m) {
  const span = el('span', 'feedback');
  const given = verdicts.get(m.match_id);
  if (given) {
    span.appendChild(el('span', 'verdict ' + given, given === 'confirm' ? 'confirmed' : 'rejected'));
  } else {
    for (const verdict of ['confirm', 'reject']) {
      const b = el('button', 'small ' + verdict, verdict === 'confirm' ? 'Confirm' : 'Reject');
      b.type = 'button';
      b.dataset.verdict = verdict;
      b.setAttribute('aria-label', (verdict === 'confirm' ? 'Confirm ' : 'Reject ') + m.match_id);
      b.onclick = () => feedback(m.match_id, verdict, $(current + '-msg'));
      span.appendChild(b);
    }
  }
  if (m.camera_id && m.track_id) span.appendChild(trackActions(m));
  return span;
}

// a track's own actions: enrol it as a subject (from its best aligned crops), and search every camera for it
function trackActions(m) {
  const span = el('span', 'track-actions');
  const track = m.camera_id + '/' + m.track_id;
  const path = '/api/tracks/' + encodeURIComponent(m.camera_id) + '/' + encodeURIComponent(m.track_id);
  const enrol = el('button', 'small enrol-track', 'Enrol…');
  enrol.type = 'button';
  enrol.setAttribute('aria-label', 'Enrol track ' + track + ' as a subject');
  enrol.onclick = () => {
    const form = el('form', 'enrol-track-form');
    const input = el('input', 'enrol-id');
    input.required = true;
    input.setAttribute('aria-label', 'subject id for track ' + track);
    input.placeholder = 'subject id';
    const go = el('button', 'small', 'Enrol');
    go.type = 'submit';
    form.append(input, go);
    form.onsubmit = async (e) => {
      e.preventDefault();
      const msg = $(current + '-msg');
      try {
        await api(path + '/enrol', {method: 'POST', headers: {'Content-Type': 'application/json'},
          body: JSON.stringify({subject_id: input.value})});
        if (msg) msg.textContent = 'enrolled track ' + track + ' as ' + input.value;
        form.remove();
      } catch (err) {
        if (msg) msg.textContent = 'Track not enrolled: ' + err.message;
      }
    };
    span.appendChild(form);
    input.focus();
  };
  const elsewhere = el('button', 'small elsewhere', 'Elsewhere');
  elsewhere.type = 'button';
  elsewhere.setAttribute('aria-label', 'Elsewhere: tracks like ' + track + ' on every camera');
  elsewhere.onclick = () => seenElsewhere(m, path, track);
  span.append(enrol, elsewhere);
  return span;
}

// "seen elsewhere": the closed tracks of every camera in the last hour closest to this one, in the panel below
async function seenElsewhere(m, path, track) {
  const t = ticket('elsewhere');
  $('elsewhere').hidden = false;
  $('elsewhere-msg').textContent = 'searching for ' + track + '...';
  $('elsewhere-rows').textContent = '';
  let r;
  try {
    r = await api(path + '/elsewhere');
  } catch (e) {
    if (stale('elsewhere', t)) return;
    $('elsewhere-msg').textContent = notAvailable(e) && e.status !== 404
      ? 'Seen elsewhere is not available on this server.' : 'Not searched: ' + e.message;
    return;
  }
  if (stale('elsewhere', t)) return;
  for (const s of r.sightings) {
    const tr = document.createElement('tr');
    tr.className = 'sighting';
    tr.dataset.track = s.camera_id + '/' + s.track_id;
    cell(tr, face(apiPath(s.best_face_crop), 'track face, camera ' + s.camera_id), 'track face');
    cell(tr, s.camera_id, 'camera');
    cell(tr, s.track_id, 'track');
    cell(tr, s.score.toFixed(3), 'score');
    cell(tr, time(s.end_ts_us), 'time');
    cell(tr, s.decision && s.decision.decision === 'HIT' ? s.decision.candidates[0].subject_id : '', 'subject');
    $('elsewhere-rows').appendChild(tr);
  }
  $('elsewhere-msg').textContent = r.sightings.length + ' track(s) like ' + track;
}

async function feedback(matchId, verdict, msg) {
  try {
    await api('/api/feedback', {method: 'POST', headers: {'Content-Type': 'application/json'},
      body: JSON.stringify({match_id: matchId, verdict: verdict})});
    verdicts.set(matchId, verdict);
    if (msg) msg.textContent = (verdict === 'confirm' ? 'confirmed ' : 'rejected ') + matchId;
    for (const tr of document.querySelectorAll('tr[data-match-id="' + CSS.escape(matchId) + '"]')) {
      const td = tr.querySelector('td[data-label=feedback]');
      if (td) { td.textContent = ''; td.appendChild(feedbackButtons(shownMatches.get(matchId) || {match_id: matchId})); }
    }
  } catch (e) {
    // a viewer's key may not give feedback (403): said here, next to the table
    if (msg) msg.textContent = 'Feedback not recorded: ' + e.message;
  }
}

function remember(m) {
  const list = (recentByCamera.get(m.camera_id) || []).filter((x) => x.match_id !== m.match_id);
  list.unshift(m);
  list.sort((a, b) => b.end_ts_us - a.end_ts_us);
  recentByCamera.set(m.camera_id, list.slice(0, RECENT_PER_CAMERA));
}

function addMatch(m) {
  remember(m);
  const rows = $('matches');
  const old = rows.querySelector('tr[data-match-id="' + CSS.escape(m.match_id) + '"]');
  const row = matchRow(m, true);
  if (old) {
    if (old.classList.contains('selected')) select(row, false);
    old.replaceWith(row);
  } else {
    rows.prepend(row);
  }
  while (rows.children.length > 200) rows.lastChild.remove();
}

// The stream is opened before the recent decisions are read, and what it sends meanwhile waits until they are drawn:
// a decision made between the two reads is in one of them (a row for the same decision replaces its twin).
async function startLive() {
  if (live) live.close();
  const t = ticket('live');
  const early = [];
  let drawn = false;
  const stream = new EventSource('/api/live');
  live = stream;
  stream.addEventListener('match', (e) => {
    const m = JSON.parse(e.data);
    if (drawn) addMatch(m); else early.push(m);
  });
  stream.onerror = () => { $('live-state').textContent = '(reconnecting)'; };
  await new Promise((resolve) => {
    stream.onopen = () => { $('live-state').textContent = '(connected)'; resolve(); };
    setTimeout(resolve, 5000); // a stream that cannot open (reconnecting) does not hold the table back
  });
  stream.onopen = () => { $('live-state').textContent = '(connected)'; };
  const recent = await api('/api/matches?limit=50');
  if (stale('live', t)) { stream.close(); return; }
  $('matches').textContent = '';
  recent.matches.slice().reverse().forEach(addMatch);
  early.forEach(addMatch);
  drawn = true;
}

// keyboard: j/k move the selection in the shown table of decisions, c confirms, r rejects
function select(tr, focus = true) {
  for (const s of document.querySelectorAll('tr.match.selected')) s.classList.remove('selected');
  if (!tr) return;
  tr.classList.add('selected');
  tr.tabIndex = -1;
  if (focus) { tr.focus(); tr.scrollIntoView({block: 'nearest'}); }
}
document.addEventListener('keydown', (e) => {
  if (e.ctrlKey || e.metaKey || e.altKey) return;
  const t = e.target;
  if (t && (t.tagName === 'INPUT' || t.tagName === 'SELECT' || t.tagName === 'TEXTAREA' || t.isContentEditable)) return;
  const body = current === 'live' ? $('matches') : current === 'review' ? $('review-rows') : null;
  if (!body) return;
  const rows = Array.from(body.querySelectorAll('tr.match'));
  if (!rows.length) return;
  const at = rows.findIndex((r) => r.classList.contains('selected'));
  if (e.key === 'j' || e.key === 'k') {
    const next = at < 0 ? 0 : Math.min(rows.length - 1, Math.max(0, at + (e.key === 'j' ? 1 : -1)));
    select(rows[next]);
    e.preventDefault();
  } else if ((e.key === 'c' || e.key === 'r') && at >= 0) {
    feedback(rows[at].dataset.matchId, e.key === 'c' ? 'confirm' : 'reject', $(current + '-msg'));
    e.preventDefault();
  }
});

// Review: GET /api/review, the decisions waiting for an operator. Servers without the route answer 404.
async function loadReview() {
  const t = ticket('review');
  $('review-msg').textContent = 'loading...';
  let r;
  try {
    r = await api('/api/review');
  } catch (e) {
    if (stale('review', t)) return;
    $('review-rows').textContent = '';
    $('review-msg').textContent = notAvailable(e) ? 'The review queue is not available on this server.' : e.message;
    return;
  }
  if (stale('review', t)) return;
  const items = listOf(r);
  $('review-rows').textContent = '';
  for (const item of items) $('review-rows').appendChild(matchRow(reviewItem(item.match || item), true));
  $('review-msg').textContent = items.length ? items.length + ' decision(s) to review' : 'Nothing to review.';
}
// a review item names its subject, score and faces directly; drawn like a decision
function reviewItem(it) {
  if (Array.isArray(it.candidates)) return it;
  const first = (it.best_faces || [])[0] || {};
  return Object.assign({}, it, {
    candidates: it.subject_id ? [{subject_id: it.subject_id, score: it.score}] : [],
    best_face_crop: first.crop,
    best_face: typeof first.ref === 'string' && first.ref.startsWith('faces/') ? first.ref : null,
  });
}
function listOf(r) {
  if (Array.isArray(r)) return r;
  for (const k of ['items', 'queue', 'matches', 'decisions']) if (r && Array.isArray(r[k])) return r[k];
  return [];
}

// History: GET /api/history with filters, a page at a time (next_cursor). Servers without the route answer 404.
let historyCursor = null;
async function loadHistory(more) {
  const t = ticket('history');
  const q = new URLSearchParams();
  for (const k of ['camera', 'subject', 'gallery', 'decision', 'stage']) {
    const v = $('h-' + k).value.trim();
    if (v) q.set(k, v);
  }
  for (const k of ['from', 'to']) {
    const v = $('h-' + k).value;
    if (v) q.set(k, new Date(v).toISOString());
  }
  q.set('limit', $('h-limit').value || '50');
  if (more && historyCursor) q.set('cursor', historyCursor);
  $('history-msg').textContent = 'loading...';
  let r;
  try {
    r = await api('/api/history?' + q);
  } catch (e) {
    if (stale('history', t)) return;
    if (!more) $('history-rows').textContent = '';
    $('history-more').hidden = true;
    $('history-msg').textContent = notAvailable(e) ? 'History is not available on this server.' : e.message;
    return;
  }
  if (stale('history', t)) return;
  if (!more) $('history-rows').textContent = '';
  const items = listOf(r);
  for (const m of items) $('history-rows').appendChild(matchRow(m.match || m, false));
  historyCursor = r && r.next_cursor ? r.next_cursor : null;
  $('history-more').hidden = !historyCursor;
  $('history-msg').textContent = $('history-rows').children.length + ' decision(s)' + (historyCursor ? ', more below' : '');
}

// ---- cameras: a tile per camera, updated in place so that focus and images survive the refresh

async function loadCameras() {
  const t = ticket('cameras');
  let list;
  try {
    list = await api('/api/cameras');
  } catch (e) {
    if (!stale('cameras', t)) $('cameras-msg').textContent = e.message;
    return;
  }
  if (stale('cameras', t)) return;
  if (!$('cameras-msg').dataset.sticky) $('cameras-msg').textContent = list.length ? '' : 'No camera yet.';
  const wall = $('camera-wall');
  const seen = new Set();
  const now = Date.now();
  for (const c of list) {
    seen.add(c.camera);
    let tile = wall.querySelector('article[data-camera="' + CSS.escape(c.camera) + '"]');
    if (!tile) { tile = cameraTile(c.camera); wall.appendChild(tile); }
    updateTile(tile, c, now);
  }
  for (const tile of Array.from(wall.children)) if (!seen.has(tile.dataset.camera)) tile.remove();
  // a camera whose decisions are older than the page's first list: its last few, asked for once
  for (const c of list) {
    if (c.matches && !recentByCamera.has(c.camera) && !askedFor.has(c.camera)) {
      askedFor.add(c.camera);
      api('/api/matches?limit=' + RECENT_PER_CAMERA + '&camera=' + encodeURIComponent(c.camera))
        .then((r) => r.matches.forEach(remember), () => askedFor.delete(c.camera));
    }
  }
}
const askedFor = new Set();

function cameraTile(id) {
  const tile = el('article', 'tile');
  tile.dataset.camera = id;
  const titleId = 'cam-title-' + id;
  tile.setAttribute('aria-labelledby', titleId);
  const h = el('h3', null, id);
  h.id = titleId;
  const head = el('div', 'tile-head');
  head.append(h, el('span', 'state'));
  const frame = el('div', 'frame');
  const img = document.createElement('img');
  img.className = 'snapshot';
  img.alt = 'latest frame of camera ' + id;
  img.hidden = true;
  img.onload = () => { img.hidden = false; frame.querySelector('.no-frame').hidden = true; };
  img.onerror = () => { img.hidden = true; frame.querySelector('.no-frame').hidden = false; };
  frame.append(img, el('span', 'no-frame', 'no frame yet'));
  const facts = el('dl', 'facts');
  for (const [k, label] of [['fps', 'fps'], ['last', 'last frame'], ['matches', 'decisions'], ['source', 'source']]) {
    const d = el('div');
    const dd = el('dd');
    dd.dataset.fact = k;
    d.append(el('dt', null, label), dd);
    facts.appendChild(d);
  }
  const faces = el('ul', 'recent');
  faces.setAttribute('aria-label', 'last decisions of camera ' + id);
  const actions = el('div', 'actions');
  const error = el('p', 'error cam-error');
  tile.append(head, frame, facts, error, faces, actions);
  return tile;
}

function updateTile(tile, c, now) {
  const st = c.status || {};
  const state = st.state || (c.spec && c.spec.paused ? 'PAUSED' : '-');
  const badge = tile.querySelector('.state');
  badge.textContent = state;
  badge.className = 'state ' + state;
  const fact = (k, v) => { tile.querySelector('dd[data-fact="' + k + '"]').textContent = v; };
  fact('fps', typeof st.fps === 'number' ? st.fps.toFixed(1) : '-');
  fact('last', time(st.last_frame_ts_us || c.last_ts_us));
  fact('matches', (c.matches || 0) + ' (' + (c.hits || 0) + ' hits)');
  fact('source', (c.spec && c.spec.source) || st.source || '-');
  tile.querySelector('.cam-error').textContent = st.last_error || '';
  const img = tile.querySelector('img.snapshot');
  if (st.last_frame_ts_us || st.state === 'RUNNING' || c.last_ts_us) {
    img.src = '/api/cameras/' + encodeURIComponent(c.camera) + '/snapshot?t=' + now;
  }
  const faces = tile.querySelector('ul.recent');
  const recent = recentByCamera.get(c.camera) || [];
  const key = recent.map((m) => m.match_id + m.decision).join(',');
  if (faces.dataset.key !== key) {
    faces.dataset.key = key;
    faces.textContent = '';
    for (const m of recent) {
      const best = (m.candidates || [])[0];
      const who = m.decision === 'HIT' && best ? best.subject_id : 'unknown';
      const li = el('li', 'decision-chip ' + m.decision);
      li.append(face(m.best_face ? '/api/' + m.best_face + '/crop' : null, who + ' at ' + time(m.end_ts_us)),
        el('span', null, who));
      faces.appendChild(li);
    }
  }
  const actions = tile.querySelector('.actions');
  const paused = !!(c.spec && c.spec.paused);
  const wanted = c.spec ? (paused ? 'Resume' : 'Pause') : '';
  if (actions.dataset.wanted !== wanted) {
    actions.dataset.wanted = wanted;
    actions.textContent = '';
    if (c.spec) {
      const b = el('button', 'small', wanted);
      b.type = 'button';
      b.setAttribute('aria-label', wanted + ' camera ' + c.camera);
      b.onclick = async () => {
        try {
          await api('/api/cameras/' + encodeURIComponent(c.camera) + (paused ? '/resume' : '/pause'), {method: 'POST'});
          delete $('cameras-msg').dataset.sticky;
          $('cameras-msg').textContent = (paused ? 'resumed ' : 'paused ') + c.camera;
          $('cameras-msg').dataset.sticky = '1';
          loadCameras();
        } catch (e) {
          // a viewer's click is refused by the API with 403
          $('cameras-msg').textContent = e.message;
          $('cameras-msg').dataset.sticky = '1';
        }
      };
      actions.appendChild(b);
    }
  }
}

// ---- gallery

async function loadGalleries() {
  const t = ticket('galleries');
  let galleries;
  try {
    galleries = await api('/api/galleries');
  } catch (e) {
    if (!stale('galleries', t)) $('gallery-msg').textContent = e.message;
    return;
  }
  if (stale('galleries', t)) return;
  const sel = $('gallery-select');
  const was = sel.value;
  sel.textContent = '';
  for (const g of galleries) {
    const o = document.createElement('option');
    o.value = g.name; o.textContent = g.name + ' (' + g.kind + ')';
    sel.appendChild(o);
  }
  if (was && galleries.some((g) => g.name === was)) sel.value = was;
  await loadSubjects();
}

async function loadSubjects() {
  const t = ticket('subjects');
  const g = $('gallery-select').value;
  if (!g) { $('subjects').textContent = ''; return; }
  let list;
  try {
    list = await api('/api/galleries/' + encodeURIComponent(g) + '/subjects');
  } catch (e) {
    if (!stale('subjects', t)) $('gallery-msg').textContent = e.message;
    return;
  }
  if (stale('subjects', t)) return;
  const body = $('subjects');
  body.textContent = '';
  for (const s of list) body.appendChild(subjectRow(g, s));
  filterSubjects();
}

function subjectRow(g, s) {
  const tr = document.createElement('tr');
  tr.className = 'subject';
  tr.dataset.subject = s.subject_id;
  tr.dataset.search = (s.subject_id + ' ' + (s.display_name || '')).toLowerCase();
  const thumbs = el('span', 'thumbs');
  for (const media of (s.media || []).slice(0, 6)) {
    thumbs.appendChild(face('/api/galleries/' + encodeURIComponent(g) + '/subjects/' + encodeURIComponent(s.subject_id)
      + '/media/' + encodeURIComponent(media) + '/crop', 'enrolled face of ' + s.subject_id));
  }
  cell(tr, thumbs, 'faces');
  cell(tr, s.subject_id, 'subject');
  cell(tr, s.display_name || '', 'name');
  const del = el('button', 'small reject', 'Delete');
  del.type = 'button';
  del.setAttribute('aria-label', 'Delete ' + s.subject_id);
  del.onclick = async () => {
    if (!confirm('Delete ' + s.subject_id + ' with its vectors and crops?')) return;
    try {
      await api('/api/galleries/' + encodeURIComponent(g) + '/subjects/' + encodeURIComponent(s.subject_id), {method: 'DELETE'});
      $('gallery-msg').textContent = 'deleted ' + s.subject_id;
    } catch (e) { $('gallery-msg').textContent = e.message; }
    loadSubjects();
  };
  cell(tr, del, 'actions');
  return tr;
}

function filterSubjects() {
  const q = $('subject-filter').value.trim().toLowerCase();
  for (const tr of $('subjects').children) tr.hidden = q !== '' && !tr.dataset.search.includes(q);
}

// ---- wiring

$('login-form').onsubmit = (e) => { e.preventDefault(); login($('key').value.trim()); };
$('logout').onclick = async () => { try { await api('/api/session', {method: 'DELETE'}); } catch (e) { /* gone already */ } loggedOut(''); };
for (const b of document.querySelectorAll('nav button[data-tab]')) b.onclick = () => show(b.dataset.tab);
$('gallery-select').onchange = loadSubjects;
$('gallery-refresh').onclick = loadGalleries;
$('subject-filter').oninput = filterSubjects;
$('history-form').onsubmit = (e) => { e.preventDefault(); loadHistory(false); };
$('history-more').onclick = () => loadHistory(true);
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
      $('search-results').appendChild(el('h3', null, g.gallery + ': ' + g.decision + ' (threshold ' + g.threshold.toFixed(3) + ')'));
      const t = el('table');
      const body = el('tbody');
      for (const c of g.candidates) {
        const tr = el('tr', 'candidate');
        cell(tr, face(c.media_id ? galleryCrop(g.gallery, c.media_id) : null, 'gallery face of ' + c.subject_id), 'face');
        cell(tr, c.subject_id, 'subject');
        cell(tr, c.score.toFixed(3), 'score');
        body.appendChild(tr);
      }
      t.appendChild(body);
      $('search-results').appendChild(t);
    }
  } catch (err) { $('search-msg').textContent = err.message; }
};

// a session from before a reload is still in its cookie
api('/api/session').then(loggedIn, () => show('login'));
