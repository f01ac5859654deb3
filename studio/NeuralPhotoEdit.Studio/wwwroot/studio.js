// The studio's page: paints strokes on the photo, sends them to the engine over a WebSocket and shows
// the frames it sends back (previews while painting, the full result when a stroke ends).
"use strict";

const token = new URLSearchParams(location.search).get("token") || "";
const $ = (selector) => document.querySelector(selector);
const photo = $("#photo"), overlay = $("#overlay"), stage = $("#stage"), latents = $("#latents");
const context = photo.getContext("2d", { willReadFrequently: true });
const overlayContext = overlay.getContext("2d");
const latentContext = latents.getContext("2d");

const state = {
  tool: "colour", width: 1, height: 1, name: "photo",
  current: null,      // ImageData of the result shown
  original: null,     // ImageData of the photo before any stroke
  code: [],           // the code's entries, for the tiles
  zoom: 1, panX: 0, panY: 0,
  painting: false, last: null, queued: [], latentTouched: new Set(), viewing: false,
  undo: 0, redo: 0,
};

// ---- connection ----
const socket = new WebSocket(`ws://${location.host}/live?token=${encodeURIComponent(token)}`);
socket.binaryType = "arraybuffer";
function send(message) {
  if (socket.readyState !== WebSocket.OPEN) return;
  socket.send(JSON.stringify({ ...message, token }));
}
function sendWork(message) { setBusy(true); showMessage(""); send(message); }

socket.onmessage = (event) => {
  if (typeof event.data === "string") return onText(JSON.parse(event.data));
  const view = new DataView(event.data);
  const length = view.getInt32(0, true);
  const header = JSON.parse(new TextDecoder().decode(new Uint8Array(event.data, 4, length)));
  const payload = new Uint8Array(event.data, 4 + length);
  if (header.type === "frame") onFrame(header, payload);
  else if (header.type === "file") download(header, payload);
};
socket.onclose = () => { showMessage("The studio stopped (or this page's session ended): start it again and reload."); setBusy(false); };

function onText(message) {
  switch (message.type) {
    case "photo": openPhoto(message); break;
    case "status": $("#status-text").textContent = message.text; if (!message.busy) setBusy(false); else setBusy(true); break;
    case "error": showMessage(message.text); break;
    case "latents": state.code = message.values; drawLatents(); break;
    case "history": state.undo = message.undo; state.redo = message.redo; updateButtons(); break;
  }
}

function onFrame(header, payload) {
  const pixels = new ImageData(new Uint8ClampedArray(payload.buffer, payload.byteOffset, payload.byteLength), header.width, header.height);
  if (header.kind === "result") {
    context.putImageData(pixels, header.x, header.y);
    state.current = pixels;
    if (!state.original) state.original = pixels;
    state.viewing = false;
    if (!state.painting) clearOverlay();
    return;
  }
  if (header.kind === "preview") {
    if (state.viewing) return;
    document.body.dataset.previews = Number(document.body.dataset.previews || 0) + 1;   // for tools that watch the page
  }
  if (header.kind === "view") { restoreCurrent(); state.viewing = true; }
  if (header.width === header.w && header.height === header.h) { context.putImageData(pixels, header.x, header.y); return; }
  const scratch = new OffscreenCanvas(header.width, header.height);
  scratch.getContext("2d").putImageData(pixels, 0, 0);
  context.imageSmoothingEnabled = true;
  context.drawImage(scratch, header.x, header.y, header.w, header.h);
}

function openPhoto(message) {
  state.width = message.width; state.height = message.height; state.name = message.name;
  state.original = null; state.current = null;
  for (const canvas of [photo, overlay]) { canvas.width = message.width; canvas.height = message.height; }
  $("#photo-name").textContent = `${message.name} — ${message.width}×${message.height}`;
  fit();
}

function restoreCurrent() { if (state.current) context.putImageData(state.current, 0, 0); }

function setBusy(busy) { document.body.dataset.state = busy ? "busy" : "idle"; }
function showMessage(text) { $("#message").textContent = text; }

function updateButtons() {
  document.querySelector('[data-action="undo"]').disabled = state.undo === 0;
  document.querySelector('[data-action="redo"]').disabled = state.redo === 0;
}

// ---- view: fit, zoom, pan ----
function applyView() {
  const transform = `translate(${state.panX}px, ${state.panY}px) scale(${state.zoom})`;
  photo.style.transform = overlay.style.transform = transform;
}
function fit() {
  const box = stage.getBoundingClientRect();
  state.zoom = Math.min(box.width / state.width, box.height / state.height);
  state.panX = (box.width - state.width * state.zoom) / 2;
  state.panY = (box.height - state.height * state.zoom) / 2;
  applyView();
}
window.addEventListener("resize", fit);
stage.addEventListener("wheel", (event) => {
  event.preventDefault();
  const box = stage.getBoundingClientRect();
  const x = event.clientX - box.left, y = event.clientY - box.top;
  const factor = Math.exp(-event.deltaY * 0.0015);
  const zoom = Math.min(32, Math.max(0.02, state.zoom * factor));
  state.panX = x - (x - state.panX) * zoom / state.zoom;
  state.panY = y - (y - state.panY) * zoom / state.zoom;
  state.zoom = zoom;
  applyView();
}, { passive: false });

function photoPoint(event) {
  const box = photo.getBoundingClientRect();
  const x = (event.clientX - box.left) * state.width / box.width;
  const y = (event.clientY - box.top) * state.height / box.height;
  return [Math.min(state.width, Math.max(0, x)), Math.min(state.height, Math.max(0, y))];
}
const brushSize = () => Math.max(1, Number($("#brush-size").value) / state.zoom);

// ---- painting on the photo ----
let panning = null, spaceDown = false;
stage.addEventListener("pointerdown", (event) => {
  if (event.button === 1 || spaceDown) {
    panning = { x: event.clientX - state.panX, y: event.clientY - state.panY };
    stage.setPointerCapture(event.pointerId);
    return;
  }
  if (event.button !== 0) return;
  const [x, y] = photoPoint(event);
  if (state.tool === "eyedropper") return pickColour(x, y);
  if (!["colour", "lighten", "darken", "erase"].includes(state.tool)) return;
  if (state.viewing) restoreCurrent();
  state.viewing = false;
  stage.setPointerCapture(event.pointerId);
  state.painting = true; state.last = [x, y]; state.queued = [];
  const colour = state.tool === "colour" ? $("#colour").value : state.tool === "lighten" ? "#ffffff" : "#000000";
  sendWork({ type: "begin", tool: state.tool, colour, size: brushSize(), x, y });
  drawOverlay([x, y], [x, y]);
});
stage.addEventListener("pointermove", (event) => {
  if (panning) { state.panX = event.clientX - panning.x; state.panY = event.clientY - panning.y; applyView(); return; }
  if (!state.painting) return;
  const events = event.getCoalescedEvents ? event.getCoalescedEvents() : [event];
  for (const e of events.length ? events : [event]) {
    const point = photoPoint(e);
    drawOverlay(state.last, point);
    state.queued.push(point[0], point[1]);
    state.last = point;
  }
  flushPoints();
});
function endStroke(event) {
  if (panning) { panning = null; return; }
  if (!state.painting) return;
  state.painting = false;
  flushPoints(true);
  sendWork({ type: "end" });
}
stage.addEventListener("pointerup", endStroke);
stage.addEventListener("pointercancel", endStroke);

let flushTimer = 0;
function flushPoints(now) {
  // Points go out at most every 30 ms: the engine renders from the newest strokes, never from a queue.
  if (!now && flushTimer) return;
  const send_ = () => {
    flushTimer = 0;
    if (state.queued.length) { send({ type: "move", points: state.queued.map((v) => Math.round(v * 100) / 100) }); state.queued = []; }
  };
  if (now) { clearTimeout(flushTimer); send_(); } else flushTimer = setTimeout(send_, 30);
}

function drawOverlay(from, to) {
  if (state.tool === "erase") return;
  overlayContext.strokeStyle = state.tool === "colour" ? $("#colour").value : state.tool === "lighten" ? "#ffffff" : "#000000";
  overlayContext.lineWidth = brushSize();
  overlayContext.lineCap = overlayContext.lineJoin = "round";
  overlayContext.beginPath();
  overlayContext.moveTo(from[0], from[1]);
  overlayContext.lineTo(to[0], to[1]);
  overlayContext.stroke();
}
function clearOverlay() { overlayContext.clearRect(0, 0, overlay.width, overlay.height); }

function pickColour(x, y) {
  const pixel = context.getImageData(Math.min(state.width - 1, Math.floor(x)), Math.min(state.height - 1, Math.floor(y)), 1, 1).data;
  $("#colour").value = "#" + [pixel[0], pixel[1], pixel[2]].map((v) => v.toString(16).padStart(2, "0")).join("");
  selectTool("colour");
}

// ---- the latent brush: painting on the code's tiles ----
const columns = () => Math.ceil(Math.sqrt(Math.max(1, state.code.length)));
function drawLatents() {
  const n = state.code.length, cols = columns(), rows = Math.ceil(n / cols);
  const size = latents.width / cols;
  const height = Math.max(1, rows) * size;
  if (latents.height !== height) latents.height = height;   // (resizing clears the canvas: before drawing)
  latentContext.clearRect(0, 0, latents.width, latents.height);
  for (let i = 0; i < n; i++) {
    const v = Math.max(-1, Math.min(1, state.code[i] / 3));   // the prior's ±3σ
    // Grey at the prior's mean, orange above it, blue below.
    const a = Math.abs(v), [r, g, b] = v > 0 ? [240, 138, 60] : [60, 110, 240];
    latentContext.fillStyle = `rgb(${Math.round(72 + (r - 72) * a)}, ${Math.round(72 + (g - 72) * a)}, ${Math.round(72 + (b - 72) * a)})`;
    latentContext.fillRect((i % cols) * size + 0.5, Math.floor(i / cols) * size + 0.5, size - 1, size - 1);
  }
}
let latentTarget = 0;
latents.addEventListener("contextmenu", (event) => event.preventDefault());
latents.addEventListener("pointerdown", (event) => {
  if (!state.code.length) return showMessage("Paint a stroke first: the code shows once the model has encoded an area.");
  selectTool("latent");
  latents.setPointerCapture(event.pointerId);
  latentTarget = event.button === 2 || event.shiftKey ? -1 : 1;
  state.latentTouched = new Set();
  state.painting = true;
  touchLatent(event);
});
latents.addEventListener("pointermove", (event) => { if (state.painting && state.tool === "latent") touchLatent(event); });
latents.addEventListener("pointerup", () => {
  if (!state.painting || state.tool !== "latent") return;
  state.painting = false;
  sendWork({ type: "end" });
});
function touchLatent(event) {
  const box = latents.getBoundingClientRect();
  const cols = columns(), size = box.width / cols;
  const column = Math.floor((event.clientX - box.left) / size), row = Math.floor((event.clientY - box.top) / size);
  const index = row * cols + column;
  if (column < 0 || column >= cols || index < 0 || index >= state.code.length || state.latentTouched.has(index)) return;
  state.latentTouched.add(index);
  sendWork({ type: "latent", indices: [index], target: latentTarget, strength: 0.5 });
}

// ---- tools, controls, actions ----
function selectTool(tool) {
  state.tool = tool;
  for (const button of document.querySelectorAll("[data-tool]")) button.classList.toggle("active", button.dataset.tool === tool);
  stage.className = tool === "latent" ? "latent-tool" : "paint";
}
for (const button of document.querySelectorAll("[data-tool]")) button.addEventListener("click", () => selectTool(button.dataset.tool));

let settingsTimer = 0;
for (const id of ["step-size", "steps", "colour-match", "spread"]) {
  const input = $("#" + id);
  input.addEventListener("input", () => {
    $("#" + id + "-value").textContent = input.value;
    clearTimeout(settingsTimer);
    settingsTimer = setTimeout(sendSettings, 150);
  });
}
function sendSettings() {
  sendWork({ type: "settings", stepSize: Number($("#step-size").value), steps: Number($("#steps").value),
             colourMatch: Number($("#colour-match").value), spread: Number($("#spread").value) });
}

const actions = {
  undo: () => sendWork({ type: "undo" }),
  redo: () => sendWork({ type: "redo" }),
  reset: () => sendWork({ type: "reset" }),
  commit: () => sendWork({ type: "commit" }),
  mask: () => sendWork({ type: "view", view: "mask" }),
  reconstruct: () => sendWork({ type: "view", view: "reconstruct" }),
  sample: () => sendWork({ type: "view", view: "sample" }),
  save: () => sendWork({ type: "save" }),
  "save-strokes": () => sendWork({ type: "save-strokes" }),
  open: () => $("#file").click(),
};
for (const button of document.querySelectorAll("[data-action]")) {
  const action = button.dataset.action;
  if (action === "compare") {
    button.addEventListener("pointerdown", () => showBefore(true));
    for (const end of ["pointerup", "pointerleave"]) button.addEventListener(end, () => showBefore(false));
  } else button.addEventListener("click", actions[action]);
}
function showBefore(before) {
  if (before && state.original) context.putImageData(state.original, 0, 0);
  else if (!before) { restoreCurrent(); state.viewing = false; }
}

document.addEventListener("keydown", (event) => {
  if (event.target instanceof HTMLInputElement && event.target.type !== "range") return;
  const key = event.key.toLowerCase();
  if ((event.ctrlKey || event.metaKey) && key === "z") { event.preventDefault(); (event.shiftKey ? actions.redo : actions.undo)(); }
  else if ((event.ctrlKey || event.metaKey) && key === "y") { event.preventDefault(); actions.redo(); }
  else if (key === " ") { spaceDown = true; stage.className = "pan"; }
  else if (key === "b" && !event.repeat) showBefore(true);
  else if (key === "[" || key === "]") { const size = $("#brush-size"); size.value = Number(size.value) * (key === "]" ? 1.25 : 0.8); }
  else if (!event.ctrlKey && !event.metaKey) {
    const tool = { c: "colour", i: "eyedropper", l: "lighten", d: "darken", t: "latent", e: "erase" }[key];
    if (tool) selectTool(tool);
  }
});
document.addEventListener("keyup", (event) => {
  if (event.key === " ") { spaceDown = false; selectTool(state.tool); }
  if (event.key.toLowerCase() === "b") showBefore(false);
});

// ---- files: open (picker or drop) and save ----
$("#file").addEventListener("change", () => { const file = $("#file").files[0]; if (file) upload(file); $("#file").value = ""; });
stage.addEventListener("dragover", (event) => event.preventDefault());
stage.addEventListener("drop", (event) => {
  event.preventDefault();
  const file = event.dataTransfer.files[0];
  if (file) upload(file);
});
async function upload(file) {
  if (file.size > 64 * 1024 * 1024) return showMessage(`'${file.name}' is larger than the 64 MB the studio opens.`);
  setBusy(true);
  $("#status-text").textContent = `Opening ${file.name}…`;
  send({ type: "open", name: file.name });
  socket.send(await file.arrayBuffer());
}
function download(header, payload) {
  const url = URL.createObjectURL(new Blob([payload], { type: header.mime }));
  const link = document.createElement("a");
  link.href = url; link.download = header.name;
  document.body.appendChild(link); link.click(); link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10000);
  setBusy(false);
}

selectTool("colour");
updateButtons();
