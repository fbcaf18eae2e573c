// The door: reads check-in codes (camera, USB scanner or typing) and checks people in through the
// public API. The session's roster (names and keyed hashes of the codes, never the codes) is kept
// on the phone so that it answers offline; offline scans wait in a queue that survives a reload
// and go to POST /attendance/batch/ when the network returns.

const root = document.getElementById("door");
const api = root.dataset.api;
const token = root.dataset.token;
let eventId = root.dataset.event;
const $ = (id) => document.getElementById(id);

const state = { session: "", roster: null, byHash: new Map(), byNumber: new Map(), stopped: false };

function store(key) {
  return `door:${eventId}:${key}`;
}

function load(key, fallback) {
  try {
    return JSON.parse(localStorage.getItem(store(key))) ?? fallback;
  } catch {
    return fallback;
  }
}

function save(key, value) {
  localStorage.setItem(store(key), JSON.stringify(value));
}

function headers(json) {
  const given = { Accept: "application/json" };
  if (json) given["Content-Type"] = "application/json";
  if (token) {
    given.Authorization = `Scanner ${token}`;
  } else {
    const csrf = document.cookie.split("; ").find((c) => c.startsWith("csrftoken="));
    if (csrf) given["X-CSRFToken"] = csrf.split("=")[1];
  }
  return given;
}

async function call(method, path, body) {
  const response = await fetch(api + path, {
    method,
    headers: headers(body !== undefined),
    body: body === undefined ? undefined : JSON.stringify(body),
    credentials: token ? "omit" : "same-origin",
  });
  const data = await response.json().catch(() => ({}));
  return { status: response.status, data };
}

function normalize(raw) {
  return raw.trim().toUpperCase().replace(/[\s-]/g, "");
}

async function codeHash(key, code) {
  const bytes = new TextEncoder();
  const cryptoKey = await crypto.subtle.importKey("raw", bytes.encode(key), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const signature = new Uint8Array(await crypto.subtle.sign("HMAC", cryptoKey, bytes.encode(normalize(code))));
  return Array.from(signature, (b) => b.toString(16).padStart(2, "0")).join("").slice(0, 32);
}

// Feedback: the whole screen, a beep, a vibration; ready for the next person within a second.

let audio;
function beep(kind) {
  try {
    audio = audio || new AudioContext();
    const tone = audio.createOscillator();
    const gain = audio.createGain();
    tone.frequency.value = kind === "ok" ? 880 : kind === "warn" ? 560 : 220;
    gain.gain.value = 0.2;
    tone.connect(gain).connect(audio.destination);
    tone.start();
    tone.stop(audio.currentTime + (kind === "ok" ? 0.15 : 0.4));
  } catch {
    // No sound on this device; the colour still answers.
  }
}

let hideTimer;
function answer(kind, headline, name, detail) {
  $("door-headline").textContent = headline;
  $("door-name").textContent = name || "";
  $("door-detail").textContent = detail || "";
  const box = $("door-answer");
  box.className = `answer ${kind}`;
  box.dataset.kind = kind;
  box.hidden = false;
  beep(kind);
  if (navigator.vibrate) navigator.vibrate(kind === "ok" ? 120 : [200, 100, 200]);
  clearTimeout(hideTimer);
  hideTimer = setTimeout(() => {
    box.hidden = true;
    $("door-code").focus();
  }, kind === "ok" ? 900 : 1800);
}

// The kept roster and the queue.

function index(roster) {
  state.roster = roster;
  state.byHash = new Map(roster.registrants.map((row) => [row.code_hash, row]));
  state.byNumber = new Map(roster.registrants.map((row) => [row.enrollment_no, row]));
  counts();
}

function queue() {
  return load("queue", []);
}

function counts() {
  const roster = state.roster;
  const waiting = queue();
  $("door-waiting").textContent = String(waiting.length);
  if (!roster) return;
  $("door-in").textContent = String(roster.registrants.filter((row) => row.marked).length);
  $("door-expected").textContent = String(roster.expected);
}

function sessionChooser(roster) {
  const select = $("door-session");
  if (select.options.length) return;
  for (const session of roster.sessions) {
    const option = new Option(session.title || session.code, session.code);
    select.add(option);
  }
  select.value = roster.session.code;
}

async function loadRoster(session) {
  const code = session || load("session", "");
  const kept = code ? load(`roster:${code}`, null) : null;
  if (kept) {
    state.session = kept.session.code;
    index(kept);
    sessionChooser(kept);
  }
  try {
    const { status, data } = await call("GET", `/events/${eventId}/checkin-roster${session ? `?session=${encodeURIComponent(session)}` : ""}`);
    if (status === 401) return stop(data);
    if (status !== 200) return;
    // Scans still waiting on this phone are in, whatever the server knows yet.
    const waiting = new Set(queue().filter((scan) => scan.session === data.session.code).map((scan) => scan.enrollment_hint));
    for (const row of data.registrants) if (waiting.has(row.enrollment_no)) row.marked = true;
    save(`roster:${data.session.code}`, data);
    save("session", data.session.code);
    state.session = data.session.code;
    index(data);
    sessionChooser(data);
  } catch {
    // Offline: the kept roster answers.
  }
}

function stop(data) {
  state.stopped = true;
  answer("bad", "This link no longer works", "", (data.error && data.error.message) || "Ask the organizer for a new one.");
  $("door-answer").onclick = null;
}

async function offline(code) {
  const roster = state.roster;
  if (!roster) return answer("bad", "No list on this phone", "", "Open this page once with the network.");
  const typedNumber = state.byNumber.get(normalize(code));
  const row = typedNumber || state.byHash.get(await codeHash(roster.hash_key, code));
  if (!row) return answer("bad", "Not on the list", "", "No confirmed registration has this code.");
  if (row.marked) return answer("warn", "Already in", row.full_name, row.team_name);
  row.marked = true;
  save(`roster:${roster.session.code}`, roster);
  const scan = {
    scan_id: crypto.randomUUID(),
    session: roster.session.code,
    scanned_at: new Date().toISOString(),
    enrollment_hint: row.enrollment_no,
  };
  if (typedNumber) scan.enrollment_no = row.enrollment_no;
  else scan.checkin_code = normalize(code);
  save("queue", [...queue(), scan]);
  counts();
  answer("ok", "Checked in", row.full_name, [row.team_name, `${roster.session.title || roster.session.code} · offline`].filter(Boolean).join(" · "));
}

async function check(code) {
  if (state.stopped || !normalize(code)) return;
  if (!navigator.onLine) return offline(code);
  const looksLikeNumber = state.byNumber.has(normalize(code));
  const body = looksLikeNumber ? { enrollment_no: normalize(code) } : { checkin_code: code };
  if (state.session) body.session = state.session;
  let reply;
  try {
    reply = await call("POST", `/attendance/mark/${eventId}`, body);
  } catch {
    return offline(code);
  }
  const { status, data } = reply;
  if (status === 401 && data.error && data.error.code === "LINK_REVOKED") return stop(data);
  const row = state.byNumber.get(data.enrollment_no);
  if (status === 201 || status === 200) {
    if (row) row.marked = true;
    counts();
    const session = state.roster ? state.roster.session.title || state.roster.session.code : data.session;
    const name = row ? row.full_name : data.enrollment_no;
    if (status === 201) return answer("ok", "Checked in", name, [row && row.team_name, session].filter(Boolean).join(" · "));
    return answer("warn", "Already in", name, `since ${new Date(data.marked_at).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit" })}`);
  }
  const error = data.error || {};
  answer("bad", error.code === "NOT_FOUND" ? "Unknown code" : "Not checked in", "", error.message || `Error ${status}`);
}

let flushing = false;
async function flush() {
  const waiting = queue();
  if (flushing || !waiting.length || !navigator.onLine || state.stopped) return counts();
  flushing = true;
  try {
    const scans = waiting.map(({ enrollment_hint, ...scan }) => scan);
    const { status, data } = await call("POST", `/attendance/batch/${eventId}`, { scans });
    if (status === 401) return stop(data);
    if (status === 200) {
      const sent = new Set(data.results.map((result) => result.scan_id));
      save("queue", queue().filter((scan) => !sent.has(scan.scan_id)));
      await loadRoster(state.session);
    }
  } catch {
    // Still offline; the queue stays on the phone.
  } finally {
    flushing = false;
    counts();
  }
}

// Camera: jsQR (static/vendor/jsqr/) reads frames from getUserMedia.

let lastCode = "";
let lastAt = 0;
async function camera() {
  const video = $("door-video");
  const canvas = $("door-canvas");
  const context = canvas.getContext("2d", { willReadFrequently: true });
  try {
    video.srcObject = await navigator.mediaDevices.getUserMedia({ video: { facingMode: "environment" }, audio: false });
  } catch {
    video.hidden = true;
    const button = $("door-camera");
    button.textContent = "No camera here: type the code or use a USB scanner.";
    button.className = "note";
    button.disabled = true;
    return;
  }
  $("door-camera").hidden = true;
  await video.play();
  const tick = async () => {
    if (video.readyState >= 2 && $("door-answer").hidden) {
      canvas.width = video.videoWidth;
      canvas.height = video.videoHeight;
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      const image = context.getImageData(0, 0, canvas.width, canvas.height);
      const found = globalThis.jsQR(image.data, image.width, image.height, { inversionAttempts: "dontInvert" });
      const now = Date.now();
      if (found && found.data && (found.data !== lastCode || now - lastAt > 3000)) {
        lastCode = found.data;
        lastAt = now;
        await check(found.data);
      }
    }
    setTimeout(() => requestAnimationFrame(tick), 120);
  };
  tick();
}

async function start() {
  if (!eventId) return;
  $("door-form").addEventListener("submit", async (submitted) => {
    submitted.preventDefault();
    const input = $("door-code");
    const code = input.value;
    input.value = "";
    await check(code);
  });
  $("door-session").addEventListener("change", (changed) => loadRoster(changed.target.value));
  $("door-camera").addEventListener("click", camera);
  $("door-answer").addEventListener("click", () => {
    $("door-answer").hidden = true;
  });
  const network = () => {
    $("door-network").textContent = navigator.onLine ? "online" : "offline";
    if (navigator.onLine) flush();
  };
  window.addEventListener("online", network);
  window.addEventListener("offline", network);
  network();
  await loadRoster("");
  counts();
  await flush();
  setInterval(flush, 10000);
  if (navigator.serviceWorker) {
    navigator.serviceWorker.register(root.dataset.sw, { scope: "/" }).catch(() => {});
    // This very page, kept for a reload without the network.
    caches.open("door-v1").then((cache) => cache.add(location.href)).catch(() => {});
  }
  camera();
}

start();
