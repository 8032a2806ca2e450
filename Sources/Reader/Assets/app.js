// NeoICH reader page: upload, progress, axial viewer with overlays, results. Plain JS, no build step.
"use strict";

const $ = (id) => document.getElementById(id);
const state = { job: null, report: null, ct: null, labels: null, heat: null, shape: null, slice: 0,
  center: 40, width: 80, opacity: 0.45, showICH: true, showPHE: true, flipX: false, flipY: false };

// ---- API --------------------------------------------------------------------------------------------
// A reader reachable from the network prints its address with #token=…; the token is kept for this tab,
// taken out of the address bar, and sent with every API request. Every request also carries the header
// that the server requires on state-changing requests (a cross-site form cannot send it).
const token = (() => {
  const match = /(?:^#|&)token=([^&]*)/.exec(window.location.hash);
  if (match) {
    sessionStorage.setItem("neoich-token", decodeURIComponent(match[1]));
    history.replaceState(null, "", window.location.pathname + window.location.search);
  }
  return sessionStorage.getItem("neoich-token");
})();

function requestHeaders() {
  const headers = { "X-NeoICH-Request": "1" };
  if (token) headers["Authorization"] = `Bearer ${token}`;
  return headers;
}

async function api(path, options = {}) {
  const response = await fetch(path, { ...options, headers: { ...(options.headers || {}), ...requestHeaders() } });
  if (!response.ok) {
    let message = `${response.status} ${response.statusText}`;
    try { const body = await response.json(); if (body.error) message = `${body.error.status}: ${body.error.message}`; } catch (_) {}
    throw new Error(message);
  }
  return response;
}

// With a token, a plain link cannot authenticate: download through fetch instead.
async function download(link) {
  try {
    const blob = await (await api(link.getAttribute("href"))).blob();
    const url = URL.createObjectURL(blob), anchor = document.createElement("a");
    anchor.href = url; anchor.download = link.getAttribute("href").split("/").pop();
    document.body.appendChild(anchor); anchor.click(); anchor.remove();
    setTimeout(() => URL.revokeObjectURL(url), 10000);
  } catch (error) { showError(error.message); }
}

function showError(message) { const box = $("error"); box.textContent = message; box.hidden = !message; }

function setProgress(text, stage) {
  $("progress").hidden = false;
  $("progress-text").textContent = text;
  const order = ["upload", "queued", "segment", "measure", "classify", "write"];
  const index = order.indexOf(stage);
  document.querySelectorAll("#stages li").forEach((li, i) => {
    li.classList.toggle("done", stage === "done" || (index >= 0 && i < index));
    li.classList.toggle("active", i === index);
  });
}

// ---- Upload and polling -----------------------------------------------------------------------------
async function upload(file) {
  showError("");
  setProgress(`Uploading ${file.name}…`, "upload");
  try {
    const response = await api(`/api/cases?name=${encodeURIComponent(file.name)}`, { method: "POST", body: file });
    await follow(await response.json());
  } catch (error) { failed(error); }
}

async function runExample(name) {
  showError("");
  setProgress(`Starting example ${name}…`, "upload");
  try {
    const response = await api(`/api/examples/${encodeURIComponent(name)}`, { method: "POST" });
    await follow(await response.json());
  } catch (error) { failed(error); }
}

function failed(error) {
  $("progress").hidden = true;
  showError(error.message || String(error));
}

async function follow(job) {
  state.job = job;
  while (job.state === "queued" || job.state === "running") {
    if (job.state === "queued") setProgress(`Waiting in queue (${job.queuePosition ?? 0} ahead)…`, "queued");
    else setProgress(`Running: ${job.stage ?? "starting"}…`, job.stage ?? "segment");
    await new Promise((resolve) => setTimeout(resolve, 400));
    job = await (await api(`/api/cases/${job.id}`)).json();
  }
  if (job.state === "failed") throw new Error(`${job.error.status}: ${job.error.message}`);
  setProgress(`Done: ${job.name}`, "done");
  await show(job);
}

// ---- Results ----------------------------------------------------------------------------------------
// Missing, NaN (the server sends "nan") and infinite values show as a dash.
const fmt = (value, digits = 2) => (value === null || value === undefined || !Number.isFinite(Number(value))) ? "–" : Number(value).toFixed(digits);

async function show(job) {
  const report = job.report;
  state.report = report;
  const [ctBuffer, labelBuffer] = await Promise.all([
    api(`/api/cases/${job.id}/volume`).then((r) => r.arrayBuffer()),
    api(`/api/cases/${job.id}/labels`).then((r) => r.arrayBuffer()),
  ]);
  state.ct = new Int16Array(ctBuffer);
  state.labels = new Uint8Array(labelBuffer);
  resetHeatmap(report);
  const [nz, ny, nx] = report.input.shape;
  state.shape = { z: nz, y: ny, x: nx };
  const code = report.input.orientation || "";
  state.flipX = code[0] === "R";   // radiological: patient right on the image left
  state.flipY = code[1] === "A";   // anterior at the top
  const canvas = $("viewer");
  canvas.width = nx; canvas.height = ny;
  const scale = Math.max(1, Math.floor(512 / Math.max(nx, ny)));
  canvas.style.width = `${nx * scale}px`; canvas.style.height = `${ny * scale}px`;
  $("viewer-empty").hidden = true;
  $("slice").max = nz - 1;
  const primary = report.lesions.find((l) => l.isPrimary);
  setSlice(primary ? (primary.abcOver2 ? primary.abcOver2.slice : primary.sliceRange[0]) : Math.floor(nz / 2));
  fillWarnings(report.warnings || []);
  fillMeasurements(report);
  fillPrediction(report.classification);
  fillLesions(report);
  for (const [id, file] of [["download-mask", report.files.labels], ["download-report", "report.json"]]) {
    const link = $(id);
    link.href = `/api/cases/${job.id}/download/${file}`;
    link.classList.remove("disabled");
  }
  // A DICOM upload also offers its results as DICOM objects (report.json's files.dicom).
  const dicom = report.files.dicom || [];
  for (const [id, file] of DICOM_DOWNLOADS) {
    const link = $(id), made = dicom.includes(file);
    link.hidden = !made;
    link.classList.toggle("disabled", !made);
    if (made) link.href = `/api/cases/${job.id}/download/${file}`;
  }
}

const DICOM_DOWNLOADS = [["download-seg", "seg.dcm"], ["download-sr", "sr.dcm"], ["download-montage", "montage.dcm"]];

// Why the result may not be trustworthy (not plausibly a head CT in HU, an unusable sform/qform): report.json's warnings.
function fillWarnings(warnings) {
  const list = $("report-warnings");
  list.innerHTML = "";
  for (const warning of warnings) {
    const li = document.createElement("li");
    li.textContent = warning;
    list.appendChild(li);
  }
  list.hidden = warnings.length === 0;
}

function fillMeasurements(report) {
  const t = report.total;
  $("ich-volume").textContent = fmt(t.ich.volumeML);
  $("phe-volume").textContent = fmt(t.phe.volumeML);
  $("ich-density").textContent = t.ich.meanHU == null ? "–" : `${fmt(t.ich.meanHU, 1)} ± ${fmt(t.ich.sdHU, 1)}`;
  $("phe-density").textContent = t.phe.meanHU == null ? "–" : `${fmt(t.phe.meanHU, 1)} ± ${fmt(t.phe.sdHU, 1)}`;
  $("abc2").textContent = fmt(t.ichABCOver2 ? t.ichABCOver2.volumeML : null);
  $("ratio").textContent = fmt(t.pheToICHRatio);
}

function fillPrediction(c) {
  const needle = $("needle"), marker = $("threshold-marker"), decision = $("decision");
  if (!c) {
    needle.hidden = true; marker.hidden = true;
    $("probability").textContent = "–";
    decision.textContent = ""; decision.className = "decision";
    $("certainty").textContent = "No hemorrhage was found, so there is nothing to classify.";
    return;
  }
  needle.hidden = false; marker.hidden = false;
  needle.style.left = `${(c.probability * 100).toFixed(2)}%`;
  marker.style.left = `${(c.threshold * 100).toFixed(2)}%`;
  $("threshold-label").textContent = `threshold ${fmt(c.threshold)}`;
  $("probability").textContent = fmt(c.probability, 3);
  decision.textContent = c.decision;
  decision.className = `decision ${c.decision}`;
  $("certainty").textContent = c.certainty.wording;
}

function fillLesions(report) {
  const list = $("lesions");
  list.innerHTML = "";
  if (report.lesions.length === 0) { list.innerHTML = '<li class="muted">No ICH found.</li>'; return; }
  const shown = report.lesions.slice(0, 8);
  for (const lesion of shown) {
    const li = document.createElement("li");
    li.className = lesion.isPrimary ? "primary" : "";
    const p = lesion.classification ? `P = ${fmt(lesion.classification.probability, 3)} (${lesion.classification.decision})` : "not classified (too small)";
    li.textContent = `#${lesion.id} ${lesion.isPrimary ? "(primary) " : ""}· ${lesion.location.description} · ICH ${fmt(lesion.ich.volumeML)} mL, `
      + `PHE ${fmt(lesion.phe.volumeML)} mL · slices ${lesion.sliceRange.join("–")} · ${p}`;
    li.addEventListener("click", () => setSlice(lesion.abcOver2 ? lesion.abcOver2.slice : lesion.sliceRange[0]));
    list.appendChild(li);
  }
  if (report.lesions.length > shown.length) {
    const more = document.createElement("li");
    more.className = "muted";
    more.textContent = `… and ${report.lesions.length - shown.length} smaller lesions (all in report.json)`;
    list.appendChild(more);
  }
}

// ---- Heatmaps ---------------------------------------------------------------------------------------
// One attribution method at a time on the primary lesion; the map comes first, its faithfulness (one
// shared deletion pass over the lesion's voxels, then cached) follows.
function resetHeatmap(report) {
  state.heat = null;
  const select = $("heat-method"), hasLesion = report.lesions.some((l) => l.classification);
  select.value = ""; select.disabled = !hasLesion;
  $("heat-scale").hidden = true;
  $("heat-status").textContent = hasLesion ? "Why did the model decide so? Pick an attribution method."
    : "No classified lesion, so there is nothing to explain.";
}

function describeHeat(e) {
  const r = e.regionImportance;
  return `${e.method} explains "${e.explainedClass}" (lesion #${e.lesionID}) · mean importance ICH ${fmt(r.ich)}, `
    + `PHE ${fmt(r.phe)}, background ${fmt(r.background)}`;
}

async function showHeatmap(method) {
  const job = state.job, status = $("heat-status");
  if (!method) { state.heat = null; $("heat-scale").hidden = true; status.textContent = ""; draw(); return; }
  const ask = (faithfulness) => api(`/api/cases/${job.id}/explanations/${method}${faithfulness ? "?faithfulness=1" : ""}`, { method: "POST" }).then((r) => r.json());
  try {
    status.textContent = `Computing ${method}…`;
    const explanation = await ask(false);
    const buffer = await api(`/api/cases/${job.id}/explanations/${method}/map`).then((r) => r.arrayBuffer());
    if (state.job !== job || $("heat-method").value !== method) return;
    const bytes = new Uint8Array(buffer), heat = new Float32Array(bytes.length);
    for (let i = 0; i < bytes.length; i++) heat[i] = bytes[i] / 255;
    state.heat = heat; $("heat-scale").hidden = false; draw();
    status.textContent = `${describeHeat(explanation)} · faithfulness: computing (one perturbed forward per scored lesion voxel)…`;
    const scored = await ask(true);
    if (state.job !== job || $("heat-method").value !== method) return;
    status.innerHTML = "";
    status.append(`${describeHeat(scored)} · `);
    const f = document.createElement("span");
    f.className = "faithfulness"; f.id = "heat-faithfulness";
    f.textContent = `faithfulness ${fmt(scored.faithfulness, 3)}`
      + (scored.faithfulnessLabel ? ` (${scored.faithfulnessLabel} lesion voxels; every crop voxel scored)` : "");
    f.title = "AIX360 faithfulness over every voxel of the crop: −Pearson correlation between each voxel's attribution and the predicted class's probability with that voxel set to 0 (higher is better). The masked background needs no forward; an estimate evaluates n of the N lesion voxels, each weighted N/n.";
    status.append(f);
  } catch (error) { status.textContent = `${method}: ${error.message}`; }
}

// ---- Viewer -----------------------------------------------------------------------------------------
function setSlice(z) {
  if (!state.shape) return;
  state.slice = Math.max(0, Math.min(state.shape.z - 1, Math.round(z)));
  $("slice").value = state.slice;
  draw();
}

function setWindow(center, width) {
  state.center = Number(center); state.width = Math.max(1, Number(width));
  $("window-center").value = state.center; $("window-width").value = state.width;
  document.querySelectorAll(".preset").forEach((b) =>
    b.classList.toggle("active", Number(b.dataset.center) === state.center && Number(b.dataset.width) === state.width));
  draw();
}

function heatColor(t) { // blue → cyan → yellow → red
  const stops = [[0, 0, 255], [0, 255, 255], [255, 255, 0], [255, 0, 0]];
  const x = Math.max(0, Math.min(1, t)) * 3, i = Math.min(2, Math.floor(x)), f = x - i;
  return stops[i].map((v, k) => v + (stops[i + 1][k] - v) * f);
}

function draw() {
  if (!state.shape || !state.ct) return;
  const { x: nx, y: ny } = state.shape, z = state.slice;
  const canvas = $("viewer"), context = canvas.getContext("2d");
  const image = context.createImageData(nx, ny), out = image.data;
  const low = state.center - state.width / 2, span = state.width, a = state.opacity;
  const base = z * nx * ny;
  for (let row = 0; row < ny; row++) {
    const y = state.flipY ? ny - 1 - row : row;
    for (let column = 0; column < nx; column++) {
      const x = state.flipX ? nx - 1 - column : column;
      const offset = base + y * nx + x;
      let g = ((state.ct[offset] - low) / span) * 255;
      g = g < 0 ? 0 : g > 255 ? 255 : g;
      let r = g, gr = g, b = g;
      if (state.heat) {
        const h = state.heat[offset];
        if (h > 0.05) { const c = heatColor(h); const ha = 0.5 * Math.min(1, h * 1.5); r += (c[0] - r) * ha; gr += (c[1] - gr) * ha; b += (c[2] - b) * ha; }
      }
      const label = state.labels[offset];
      if (label === 1 && state.showICH) { r += (33 - r) * a; gr += (196 - gr) * a; b += (90 - b) * a; }
      else if (label === 2 && state.showPHE) { r += (239 - r) * a; gr += (68 - gr) * a; b += (68 - b) * a; }
      const p = (row * nx + column) * 4;
      out[p] = r; out[p + 1] = gr; out[p + 2] = b; out[p + 3] = 255;
    }
  }
  context.putImageData(image, 0, 0);
  $("slice-label").textContent = `slice ${z + 1} / ${state.shape.z} · C ${state.center} W ${state.width}`;
}

// ---- Wiring -----------------------------------------------------------------------------------------
function wire() {
  const zone = $("drop-zone"), input = $("file-input");
  input.addEventListener("change", () => { if (input.files.length) upload(input.files[0]); input.value = ""; });
  ["dragenter", "dragover"].forEach((e) => zone.addEventListener(e, (ev) => { ev.preventDefault(); zone.classList.add("dragover"); }));
  ["dragleave", "drop"].forEach((e) => zone.addEventListener(e, (ev) => { ev.preventDefault(); zone.classList.remove("dragover"); }));
  zone.addEventListener("drop", (ev) => { if (ev.dataTransfer.files.length) upload(ev.dataTransfer.files[0]); });
  $("slice").addEventListener("input", (ev) => setSlice(Number(ev.target.value)));
  $("viewer").addEventListener("wheel", (ev) => { ev.preventDefault(); setSlice(state.slice + (ev.deltaY > 0 ? 1 : -1)); }, { passive: false });
  document.querySelectorAll(".preset").forEach((b) => b.addEventListener("click", () => setWindow(b.dataset.center, b.dataset.width)));
  $("window-center").addEventListener("change", (ev) => setWindow(ev.target.value, state.width));
  $("window-width").addEventListener("change", (ev) => setWindow(state.center, ev.target.value));
  $("show-ich").addEventListener("change", (ev) => { state.showICH = ev.target.checked; draw(); });
  $("show-phe").addEventListener("change", (ev) => { state.showPHE = ev.target.checked; draw(); });
  $("heat-method").addEventListener("change", (ev) => showHeatmap(ev.target.value));
  for (const id of ["download-mask", "download-report", ...DICOM_DOWNLOADS.map(([id]) => id)]) {
    $(id).addEventListener("click", (ev) => { if (token && !ev.currentTarget.classList.contains("disabled")) { ev.preventDefault(); download(ev.currentTarget); } });
  }
  $("opacity").addEventListener("input", (ev) => { state.opacity = Number(ev.target.value) / 100; draw(); });
  let drag = null; // drag: horizontal = width, vertical = center
  $("viewer").addEventListener("mousedown", (ev) => { drag = { x: ev.clientX, y: ev.clientY, c: state.center, w: state.width }; });
  window.addEventListener("mouseup", () => { drag = null; });
  window.addEventListener("mousemove", (ev) => {
    if (!drag) return;
    setWindow(Math.round(drag.c + (ev.clientY - drag.y)), Math.max(1, Math.round(drag.w + (ev.clientX - drag.x) * 2)));
  });
}

async function loadExamples() {
  const list = $("examples");
  try {
    const examples = await (await api("/api/examples")).json();
    list.innerHTML = examples.length ? "" : '<li class="muted small">No example cases installed.</li>';
    for (const example of examples) {
      const li = document.createElement("li"), button = document.createElement("button");
      button.textContent = `${example.name} (${(example.sizeBytes / 1048576).toFixed(1)} MB)`;
      button.className = "example";
      button.addEventListener("click", () => runExample(example.name));
      li.appendChild(button); list.appendChild(li);
    }
    const health = await (await api("/api/health")).json();
    const select = $("heat-method");
    for (const method of health.explanationMethods || []) {
      const option = document.createElement("option"); option.value = method; option.textContent = method; select.appendChild(option);
    }
    $("models-line").textContent = `Models: ${health.models.segmentation} · ${health.models.classifier}. ${health.notice}`;
  } catch (error) { list.innerHTML = ""; showError(error.message); }
}

wire();
loadExamples();
