"use strict";
// designlens web page: upload, live progress over SSE (fetch-based, so it can send the
// bearer token and Last-Event-ID), then the results. No framework, no network but this server.

const $ = (id) => document.getElementById(id);
const API = "/api/v1";
const state = { files: [], total: 0, finished: new Set(), perImage: new Map(), types: [] };

function authHeaders(extra) {
  const h = Object.assign({}, extra || {});
  const token = $("token").value.trim();
  if (token) h.Authorization = "Bearer " + token;
  return h;
}

async function api(path, options) {
  const opts = Object.assign({}, options || {});
  opts.headers = authHeaders(opts.headers);
  const res = await fetch(path, opts);
  if (!res.ok) {
    let detail = res.status + " " + res.statusText;
    try { detail = (await res.json()).detail || detail; } catch (e) { /* not a problem document */ }
    if (res.status === 401) $("auth").open = true;
    throw new Error(detail);
  }
  return res;
}

function el(tag, attrs, children) {
  const node = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (k === "style") node.style.cssText = v;
    else if (k === "text") node.textContent = v;
    else node.setAttribute(k, v);
  }
  for (const c of children || []) node.append(c);
  return node;
}

function showError(message) {
  $("error").textContent = message;
  $("error").hidden = !message;
}

// --- choosing inputs --------------------------------------------------------------------

function chooseFiles(list) {
  state.files = Array.from(list);
  $("chosen").textContent = state.files.length ? state.files.map((f) => f.name).join(", ") : "";
}

async function loadTypes() {
  let names = ["color", "layout", "typography"];
  try {
    const plugins = await (await api(API + "/plugins")).json();
    names = plugins.filter((p) => p.kind === "extractors" && p.status === "ok").map((p) => p.name);
  } catch (e) { /* unauthorised until a token is given: keep the usual types */ }
  const box = $("types");
  box.querySelectorAll("label").forEach((n) => n.remove());
  for (const name of names) {
    const input = el("input", { type: "checkbox", value: name });
    input.checked = name === "color" || name === "layout";
    box.append(el("label", {}, [input, " " + name]));
  }
}

function chosenTypes() {
  return Array.from($("types").querySelectorAll("input:checked")).map((i) => i.value);
}

// --- starting a job and following it ----------------------------------------------------

async function start() {
  showError("");
  const urls = $("urls").value.split(/\s+/).filter(Boolean);
  const types = chosenTypes();
  if (!state.files.length && !urls.length) { showError("Choose screenshots or paste URLs first."); return; }
  $("go").disabled = true;
  try {
    let res;
    if (state.files.length) {
      const form = new FormData();
      state.files.forEach((f) => form.append("files", f, f.name));
      form.append("types", types.join(","));
      res = await api(API + "/jobs", { method: "POST", body: form });
    } else {
      res = await api(API + "/jobs", {
        method: "POST", headers: { "Content-Type": "application/json" },
        body: JSON.stringify({ urls: urls, types: types }),
      });
    }
    const job = await res.json();
    state.types = types;
    $("progress").hidden = false;
    $("results").hidden = true;
    $("status").textContent = "Job " + job.id + " queued";
    await follow(job);
  } catch (e) {
    showError(e.message);
  } finally {
    $("go").disabled = false;
  }
}

function imageRow(source) {
  let row = state.perImage.get(source);
  if (!row) {
    const bar = el("div", { class: "bar" }, [el("span")]);
    const label = el("span", { text: "waiting" });
    const li = el("li", {}, [el("div", { class: "name" }, [el("span", { text: source }), label]), bar]);
    $("images").append(li);
    row = { bar: bar, label: label, done: 0, failed: 0 };
    state.perImage.set(source, row);
  }
  return row;
}

function setPct() {
  const pct = state.total ? Math.min(100, Math.round((100 * state.finished.size) / state.total)) : 0;
  $("pct").textContent = pct + " %";
  $("pct-bar").style.width = pct + "%";
}

function onEvent(name, data) {
  if (name === "job.created") {
    state.total = data.instances || 0;
    $("status").textContent = "Extracting " + data.images + " image(s) × " + data.types.join(", ");
  } else if (name === "instance.started") {
    imageRow(data.source).label.textContent = "running " + data.token_type;
  } else if (name === "instance.completed" || name === "instance.failed") {
    const key = data.instance || data.source;
    if (state.finished.has(key)) return;
    state.finished.add(key);
    const row = imageRow(data.source);
    if (name === "instance.failed") {
      row.failed += 1;
      row.bar.classList.add("failed");
      row.label.textContent = "failed: " + data.error;
    }
    row.done += 1;
    const perImage = data.instance ? Math.max(1, state.types.length) : 1;
    row.bar.firstChild.style.width = Math.min(100, (100 * row.done) / perImage) + "%";
    if (!row.failed) row.label.textContent = row.done >= perImage ? "done" : row.done + "/" + perImage;
    if (row.done >= perImage && !row.failed) row.bar.classList.add("done");
    setPct();
  } else if (name === "job.completed") {
    state.finished = new Set(Array.from({ length: state.total }, (_, i) => i));
    setPct();
    $("pct-bar").parentElement.classList.add("done");
    $("status").textContent = "Done: " + data.tokens + " tokens" + (data.failed ? ", " + data.failed + " failed" : "");
  } else if (name === "job.failed") {
    $("status").textContent = "Job " + (data.status || "failed") + ": " + data.error;
    $("pct-bar").parentElement.classList.add("failed");
  }
}

// Reads the SSE stream with fetch; reconnects with Last-Event-ID until a terminal event.
async function follow(job) {
  state.total = 0; state.finished = new Set(); state.perImage = new Map();
  $("images").textContent = "";
  setPct();
  let lastId = null;
  for (let attempt = 0; attempt < 30; attempt++) {
    try {
      const headers = { Accept: "text/event-stream" };
      if (lastId) headers["Last-Event-ID"] = lastId;
      const res = await api(job.events_url, { headers: headers });
      const reader = res.body.getReader();
      const decoder = new TextDecoder();
      let buffer = "";
      for (;;) {
        const { value, done } = await reader.read();
        if (done) break;
        buffer += decoder.decode(value, { stream: true }).replace(/\r\n?/g, "\n");
        let cut;
        while ((cut = buffer.indexOf("\n\n")) >= 0) {
          const block = buffer.slice(0, cut);
          buffer = buffer.slice(cut + 2);
          let name = "message", data = "", id = null;
          for (const line of block.split("\n")) {
            if (line.startsWith(":")) continue;
            const at = line.indexOf(":");
            const field = at < 0 ? line : line.slice(0, at);
            const val = at < 0 ? "" : line.slice(at + 1).replace(/^ /, "");
            if (field === "event") name = val;
            else if (field === "data") data += (data ? "\n" : "") + val;
            else if (field === "id") id = val;
          }
          if (!data) continue;
          if (id) lastId = id;
          onEvent(name, JSON.parse(data));
          if (name === "job.completed") { await showResults(job.id); return; }
          if (name === "job.failed") return;
        }
      }
    } catch (e) {
      $("status").textContent = "Connection lost (" + e.message + "), reconnecting…";
    }
    await new Promise((r) => setTimeout(r, 1000));
  }
}

// --- results ------------------------------------------------------------------------------

function flatten(node, path, out) {
  for (const [key, value] of Object.entries(node)) {
    if (key.startsWith("$") || value === null || typeof value !== "object") continue;
    const name = path ? path + "." + key : key;
    if ("$value" in value) out.set(name, value);
    else flatten(value, name, out);
  }
  return out;
}

function resolve(tokens, value, depth) {
  if (typeof value === "string" && value.startsWith("{") && (depth || 0) < 10) {
    const target = tokens.get(value.slice(1, -1));
    return target ? resolve(tokens, target.$value, (depth || 0) + 1) : value;
  }
  return value;
}

function colorCss(value) {
  if (!value || typeof value !== "object") return "transparent";
  if (value.hex && (value.alpha === undefined || value.alpha >= 1)) return value.hex;
  const c = (value.components || [0, 0, 0]).map((x) => Math.round(x * 255));
  return "rgb(" + c.join(" ") + " / " + (value.alpha === undefined ? 1 : value.alpha) + ")";
}

function dim(value) {
  return value && typeof value === "object" ? value.value + value.unit : String(value);
}

function share(token) {
  const prov = ((token.$extensions || {}).designlens || {}).provenance || [];
  return prov.reduce((s, p) => s + (p.share || 0), 0);
}

function renderColors(tokens) {
  const groups = new Map();
  for (const [name, token] of tokens) {
    if (token.$type !== "color") continue;
    const parts = name.split(".");
    const alias = typeof token.$value === "string";
    const group = alias ? "roles" : parts.length > 2 ? parts[1] : "base";
    if (!groups.has(group)) groups.set(group, []);
    groups.get(group).push([name, token]);
  }
  const max = Math.max(1e-9, ...Array.from(tokens.values()).filter((t) => t.$type === "color").map(share));
  const box = $("swatches");
  box.textContent = "";
  for (const [group, items] of groups) {
    const grid = el("div", { class: "grid" });
    for (const [name, token] of items) {
      const value = resolve(tokens, token.$value);
      const pct = share(token);
      const bar = el("div", { class: "bar" }, [el("span", { style: "width:" + Math.round((100 * pct) / max) + "%" })]);
      const label = typeof token.$value === "string" ? token.$value : (value.hex || colorCss(value));
      grid.append(el("div", { class: "card swatch", "data-name": name }, [
        el("div", { class: "chip", style: "background:" + colorCss(value) }),
        el("div", { class: "meta" }, [el("b", { text: name }), el("div", { text: label }), bar]),
      ]));
    }
    box.append(el("h3", { text: group }), grid);
  }
  if (!groups.size) box.textContent = "No colors found.";
}

function renderContrast(tokens, graph) {
  const pairs = graph.relationships.filter((r) => r.type === "contrast");
  const table = $("contrast");
  table.textContent = "";
  if (!pairs.length) { table.append(el("tr", {}, [el("td", { text: "No text/background pairs." })])); return; }
  const texts = Array.from(new Set(pairs.map((p) => p.source)));
  const backs = Array.from(new Set(pairs.map((p) => p.target)));
  const head = el("tr", {}, [el("th", { text: "text \\ background" })]);
  for (const b of backs) {
    head.append(el("th", {}, [el("div", { class: "chip", style: "height:16px;background:" + colorCss(resolve(tokens, (tokens.get(b) || {}).$value)) }), b]));
  }
  table.append(head);
  for (const t of texts) {
    const row = el("tr", {}, [el("th", { text: t })]);
    for (const b of backs) {
      const p = pairs.find((x) => x.source === t && x.target === b);
      if (!p) { row.append(el("td")); continue; }
      const a = p.attributes;
      row.append(el("td", { class: a.aa ? "pass" : "fail", title: "APCA " + a.apca }, [
        el("b", { text: a.wcag + ":1" }), el("div", { text: a.aa ? "AA" : a.aaLarge ? "AA large" : "fail" }),
      ]));
    }
    table.append(row);
  }
}

function renderScales(tokens) {
  const spacing = $("spacing"), type = $("typography"), shapes = $("shapes");
  spacing.textContent = ""; type.textContent = ""; shapes.textContent = "";
  for (const [name, token] of tokens) {
    const value = resolve(tokens, token.$value);
    if (token.$type === "dimension" && name.startsWith("spacing")) {
      const px = value.unit === "rem" ? value.value * 16 : value.value;
      spacing.append(el("div", { class: "row" }, [el("code", { text: name }), el("div", { class: "space", style: "width:" + Math.min(600, px * 2) + "px" }), dim(value)]));
    } else if (token.$type === "dimension" && name.startsWith("radius")) {
      shapes.append(el("div", { class: "card" }, [el("div", { class: "shape", style: "border-radius:" + dim(value) }), el("div", { class: "meta", text: name + " " + dim(value) })]));
    } else if (token.$type === "shadow") {
      const layers = (Array.isArray(value) ? value : [value]).map((l) => [dim(l.offsetX), dim(l.offsetY), dim(l.blur), dim(l.spread), colorCss(resolve(tokens, l.color))].join(" "));
      shapes.append(el("div", { class: "card" }, [el("div", { class: "shape", style: "background:#fff;box-shadow:" + layers.join(",") }), el("div", { class: "meta", text: name })]));
    } else if (token.$type === "typography") {
      const v = value || {};
      const style = ["font-family:" + [].concat(v.fontFamily || "system-ui").map((f) => JSON.stringify(f)).join(","),
        "font-size:" + dim(v.fontSize), "font-weight:" + (v.fontWeight || 400), "line-height:" + (v.lineHeight || 1.4)].join(";");
      type.append(el("div", { class: "specimen" }, [el("code", { text: name + " · " + dim(v.fontSize) + " / " + (v.fontWeight || 400) }),
        el("div", { style: style, text: "The quick brown fox jumps over the lazy dog" })]));
    }
  }
  const none = (box, text) => { if (!box.childNodes.length) box.append(el("p", { class: "muted wide-note", text: text })); };
  none(spacing, "No spacing found (needs the layout type and a page with boxes).");
  none(type, "No type styles found (needs the typography type).");
  none(shapes, "No radii or shadows found.");
}

async function renderThumbs(jobId, job, tokens) {
  const box = $("thumbs");
  box.textContent = "";
  const regions = new Map();
  for (const [name, token] of tokens) {
    const prov = ((token.$extensions || {}).designlens || {}).provenance || [];
    const stroke = token.$type === "color" ? colorCss(resolve(tokens, token.$value)) : "#2563eb";
    for (const p of prov) {
      if (!p.region) continue;
      if (!regions.has(p.image)) regions.set(p.image, []);
      regions.get(p.image).push({ name: name, region: p.region, stroke: stroke });
    }
  }
  for (const image of job.images) {
    const card = el("div", { class: "card" });
    box.append(card);
    const caption = el("div", { class: "meta", text: image.name + (image.status === "failed" ? " — failed: " + Object.values(image.errors).join("; ") : "") });
    if (image.status === "failed") { card.append(caption); continue; }
    const blob = await (await api(API + "/jobs/" + jobId + "/images/" + image.id + "/overlay")).blob();
    const img = el("img", { alt: image.name + " with its layout overlay", src: URL.createObjectURL(blob) });
    await new Promise((r) => { img.onload = r; img.onerror = r; });
    const ns = "http://www.w3.org/2000/svg";
    const svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 " + img.naturalWidth + " " + img.naturalHeight);
    svg.setAttribute("preserveAspectRatio", "none");
    for (const r of (regions.get(image.id) || []).slice(0, 200)) {
      const rect = document.createElementNS(ns, "rect");
      const [x, y, w, h] = r.region;
      Object.entries({ x: x, y: y, width: w, height: h, fill: "none", stroke: r.stroke, "stroke-width": Math.max(2, img.naturalWidth / 300) })
        .forEach(([k, v]) => rect.setAttribute(k, v));
      const title = document.createElementNS(ns, "title");
      title.textContent = r.name;
      rect.append(title);
      svg.append(rect);
    }
    card.append(el("div", { class: "thumb" }, [img, svg]), caption);
  }
}

function renderDownloads(job) {
  const box = $("downloads");
  box.textContent = "";
  for (const [file, url] of Object.entries(job.exports || {})) {
    const button = el("button", { type: "button", "data-file": file, text: file });
    button.addEventListener("click", async () => {
      try {
        const blob = await (await api(url)).blob();
        const a = el("a", { href: URL.createObjectURL(blob), download: file });
        document.body.append(a);
        a.click();
        a.remove();
      } catch (e) { showError(e.message); }
    });
    box.append(button);
  }
}

async function showResults(jobId) {
  const [job, dtcg, graph] = await Promise.all([
    api(API + "/jobs/" + jobId).then((r) => r.json()),
    api(API + "/jobs/" + jobId + "/tokens").then((r) => r.json()),
    api(API + "/jobs/" + jobId + "/relationships").then((r) => r.json()),
  ]);
  const tokens = flatten(dtcg, "", new Map());
  renderDownloads(job);
  renderColors(tokens);
  renderContrast(tokens, graph);
  renderScales(tokens);
  $("results").hidden = false;
  await renderThumbs(jobId, job, tokens);
  document.body.dataset.ready = "true";
}

// --- wiring ---------------------------------------------------------------------------

$("token").value = localStorage.getItem("designlens.token") || "";
$("token").addEventListener("change", () => { localStorage.setItem("designlens.token", $("token").value.trim()); loadTypes(); });
$("files").addEventListener("change", (e) => chooseFiles(e.target.files));
const drop = $("drop");
drop.addEventListener("dragover", (e) => { e.preventDefault(); drop.classList.add("over"); });
drop.addEventListener("dragleave", () => drop.classList.remove("over"));
drop.addEventListener("drop", (e) => { e.preventDefault(); drop.classList.remove("over"); chooseFiles(e.dataTransfer.files); });
$("go").addEventListener("click", start);
loadTypes();
