// designlens eval: ground truth from computed styles, run inside the page
// (Playwright page.evaluate of this file's text; the expression is a function
// that Playwright calls).  Returns the truth lists of
// designlens-groundtruth/1 for the current viewport (CSS px):
//   colors      paint attribution on a per-CSS-pixel grid
//   typography  glyph-box area per (size, line height, weight, family)
//   spacing     distinct non-zero padding / margin / gap values
//   radii       distinct non-zero border radii
//   borders     distinct visible border widths (designlens' own extra field)
//   border_colors  painted colours of visible border sides (the same)
//   grids       rows of equal boxes at equal gaps that grid / flex containers lay out (the same)
//   shadows     distinct box-shadow strings
// See eval/README.md for exactly what is counted and the known limits.
(function designlensGroundTruth() {
  "use strict";
  const W = window.innerWidth, H = window.innerHeight;
  const N = W * H;
  const IMAGE = 0;                 // palette id 0: images, gradients, replaced content
  const palette = [{ hex: null, kind: "image", rgb: null }];
  const paletteIndex = new Map();  // "kind|hex" -> id
  const grid = new Int32Array(N);  // palette ids, per CSS px

  // ---------------------------------------------------------------- colours
  function parseColor(s) {
    if (!s) return null;
    s = s.trim();
    if (s === "transparent") return [0, 0, 0, 0];
    let m = s.match(/^rgba?\(([^)]+)\)$/);
    if (m) {
      const p = m[1].split(/[\s,\/]+/).filter(Boolean).map(parseFloat);
      return [p[0], p[1], p[2], p.length > 3 ? p[3] : 1];
    }
    m = s.match(/^color\(srgb ([^)]+)\)$/);
    if (m) {
      const p = m[1].split(/[\s\/]+/).filter(Boolean).map(parseFloat);
      return [p[0] * 255, p[1] * 255, p[2] * 255, p.length > 3 ? p[3] : 1];
    }
    // other colour spaces (oklch, ...): let a canvas convert them
    const c = document.createElement("canvas");
    c.width = c.height = 1;
    const ctx = c.getContext("2d");
    ctx.fillStyle = s;
    ctx.fillRect(0, 0, 1, 1);
    const d = ctx.getImageData(0, 0, 1, 1).data;
    return [d[0], d[1], d[2], d[3] / 255];
  }
  const hex2 = (v) => Math.max(0, Math.min(255, Math.round(v))).toString(16).padStart(2, "0");
  const toHex = (rgb) => "#" + hex2(rgb[0]) + hex2(rgb[1]) + hex2(rgb[2]);
  function colorId(rgb, kind) {
    const hex = toHex(rgb);
    const key = kind + "|" + hex;
    let id = paletteIndex.get(key);
    if (id === undefined) {
      id = palette.length;
      palette.push({ hex, kind, rgb: [parseInt(hex.slice(1, 3), 16), parseInt(hex.slice(3, 5), 16), parseInt(hex.slice(5, 7), 16)] });
      paletteIndex.set(key, id);
    }
    return id;
  }
  // Composite exactly as the browser does (8-bit alpha, Skia's rounding): paint both on a
  // canvas and read the pixel back. Float maths is off by one level for e.g. rgba(0,0,0,.5).
  const blendCanvas = document.createElement("canvas");
  blendCanvas.width = blendCanvas.height = 1;
  const blendCtx = blendCanvas.getContext("2d", { willReadFrequently: true });
  const over = (top, a, under) => {
    blendCtx.globalCompositeOperation = "copy";
    blendCtx.fillStyle = `rgb(${under.map((v) => Math.round(v)).join(",")})`;
    blendCtx.fillRect(0, 0, 1, 1);
    blendCtx.globalCompositeOperation = "source-over";
    blendCtx.fillStyle = `rgba(${top.map((v) => Math.round(v)).join(",")},${a})`;
    blendCtx.fillRect(0, 0, 1, 1);
    const d = blendCtx.getImageData(0, 0, 1, 1).data;
    return [d[0], d[1], d[2]];
  };

  // ------------------------------------------------------------- geometry
  // A rect is {l, t, r, b} in CSS px; cells are filled when their centre is inside.
  const inter = (a, b) => ({ l: Math.max(a.l, b.l), t: Math.max(a.t, b.t), r: Math.min(a.r, b.r), b: Math.min(a.b, b.b) });
  const empty = (a) => a.r <= a.l || a.b <= a.t;
  const VIEW = { l: 0, t: 0, r: W, b: H };

  // rounded-rect span of row centre y: returns [x0, x1) in px (continuous) or null
  function rowSpan(box, rad, y) {
    if (y < box.t || y >= box.b) return null;
    let l = box.l, r = box.r;
    const [tl, tr, br, bl] = rad; // each [rx, ry]
    const inset = (rx, ry, dy) => (rx <= 0 || ry <= 0 || dy >= ry) ? 0 : rx - rx * Math.sqrt(Math.max(0, 1 - ((ry - dy) / ry) ** 2));
    const dt = y - box.t, db = box.b - y;
    l += Math.max(inset(tl[0], tl[1], dt), inset(bl[0], bl[1], db));
    r -= Math.max(inset(tr[0], tr[1], dt), inset(br[0], br[1], db));
    return r > l ? [l, r] : null;
  }
  // call fn(rowStartIndex, x0, x1) for each row inside (rounded box ∩ clip)
  function forCells(box, rad, clip, fn) {
    const c = inter(box, clip);
    if (empty(c)) return;
    const y0 = Math.max(0, Math.ceil(c.t - 0.5)), y1 = Math.min(H, Math.ceil(c.b - 0.5));
    for (let y = y0; y < y1; y++) {
      const sp = rad ? rowSpan(box, rad, y + 0.5) : [box.l, box.r];
      if (!sp) continue;
      const x0 = Math.max(0, Math.ceil(Math.max(sp[0], c.l) - 0.5));
      const x1 = Math.min(W, Math.ceil(Math.min(sp[1], c.r) - 0.5));
      if (x1 > x0) fn(y * W, x0, x1);
    }
  }
  function fillId(box, rad, clip, id, exceptBox, exceptRad) {
    forCells(box, rad, clip, (row, x0, x1) => {
      if (!exceptBox) { grid.fill(id, row + x0, row + x1); return; }
      const y = row / W + 0.5;
      const sp = (y >= exceptBox.t && y < exceptBox.b) ? (exceptRad ? rowSpan(exceptBox, exceptRad, y) : [exceptBox.l, exceptBox.r]) : null;
      if (!sp) { grid.fill(id, row + x0, row + x1); return; }
      const ix0 = Math.ceil(sp[0] - 0.5), ix1 = Math.ceil(sp[1] - 0.5);
      for (let x = x0; x < x1; x++) if (x < ix0 || x >= ix1) grid[row + x] = id;
    });
  }
  // most common non-image colour under a region (for compositing)
  function dominantUnder(box, rad, clip) {
    const hist = new Map();
    let n = 0;
    forCells(box, rad, clip, (row, x0, x1) => {
      const step = Math.max(1, ((x1 - x0) / 64) | 0);
      for (let x = x0; x < x1; x += step) { const id = grid[row + x]; hist.set(id, (hist.get(id) || 0) + 1); n++; }
    });
    let best = -1, bc = -1;
    for (const [id, c] of hist) if (id !== IMAGE && c > bc) { best = id; bc = c; }
    return best > 0 ? palette[best].rgb : canvasRGB;
  }
  // paint a colour (with alpha) of a kind over a region
  // Semi-transparent paint is composited per cell over what is already there
  // (one cached result per underlying colour); a translucent background over
  // text or a border (a dimming backdrop) keeps the underlying kind.
  function paint(box, rad, clip, rgba, alphaMul, kind, exceptBox, exceptRad) {
    const a = rgba[3] * alphaMul;
    if (a <= 0.001) return;
    const rgb = rgba.slice(0, 3);
    if (a >= 0.999) { fillId(box, rad, clip, colorId(rgb, kind), exceptBox, exceptRad); return; }
    const cache = new Map();
    const fallback = over(rgb, a, dominantUnder(box, rad, clip));
    const mapId = (old) => {
      let id = cache.get(old);
      if (id === undefined) {
        if (old === IMAGE) id = IMAGE; // translucent paint over a photo or gradient: still no flat colour
        else {
          const k = kind === "background" && palette[old].kind !== "background" ? palette[old].kind : kind;
          id = colorId(over(rgb, a, palette[old].rgb), k);
        }
        cache.set(old, id);
      }
      return id;
    };
    forCells(box, rad, clip, (row, x0, x1) => {
      let ix0 = x1, ix1 = x1;
      if (exceptBox) {
        const y = row / W + 0.5;
        const sp = (y >= exceptBox.t && y < exceptBox.b) ? (exceptRad ? rowSpan(exceptBox, exceptRad, y) : [exceptBox.l, exceptBox.r]) : null;
        if (sp) { ix0 = Math.ceil(sp[0] - 0.5); ix1 = Math.ceil(sp[1] - 0.5); }
      }
      for (let x = x0; x < x1; x++) if (x < ix0 || x >= ix1) grid[row + x] = mapId(grid[row + x]);
    });
  }

  // ----------------------------------------------------------- css helpers
  const px = (s) => { const v = parseFloat(s); return isFinite(v) ? v : 0; };
  function radii(cs, w, h) {
    const corner = (prop) => {
      const parts = cs.getPropertyValue(prop).trim().split(/\s+/);
      const res = (p, ref) => p.endsWith("%") ? parseFloat(p) / 100 * ref : px(p);
      const rx = res(parts[0], w), ry = res(parts[1] || parts[0], h);
      return [Math.max(0, rx), Math.max(0, ry)];
    };
    const r = [corner("border-top-left-radius"), corner("border-top-right-radius"),
      corner("border-bottom-right-radius"), corner("border-bottom-left-radius")];
    // CSS overlap rule: scale all radii down together
    let f = 1;
    const sums = [[r[0][0] + r[1][0], w], [r[3][0] + r[2][0], w], [r[0][1] + r[3][1], h], [r[1][1] + r[2][1], h]];
    for (const [s, side] of sums) if (s > side && s > 0) f = Math.min(f, side / s);
    return r.map(([x, y]) => [x * f, y * f]);
  }
  const anyRadius = (rad) => rad.some(([x, y]) => x > 0 && y > 0);
  function insetRadii(rad, t, r, b, l) {
    return [[rad[0][0] - l, rad[0][1] - t], [rad[1][0] - r, rad[1][1] - t],
      [rad[2][0] - r, rad[2][1] - b], [rad[3][0] - l, rad[3][1] - b]].map(([x, y]) => [Math.max(0, x), Math.max(0, y)]);
  }

  // parse a background-position / size component against a free length
  function lengthIn(s, free) {
    s = s.trim();
    if (s.endsWith("%")) return parseFloat(s) / 100 * free;
    let m = s.match(/^calc\(\s*([-\d.]+)%\s*([+-])\s*([-\d.]+)px\s*\)$/);
    if (m) return parseFloat(m[1]) / 100 * free + (m[2] === "-" ? -1 : 1) * parseFloat(m[3]);
    m = s.match(/^calc\(\s*([-\d.]+)px\s*([+-])\s*([-\d.]+)%\s*\)$/);
    if (m) return parseFloat(m[1]) + (m[2] === "-" ? -1 : 1) * parseFloat(m[3]) / 100 * free;
    if (s === "left" || s === "top") return 0;
    if (s === "right" || s === "bottom") return free;
    if (s === "center") return free / 2;
    return px(s);
  }
  // colour of a background-image made only of gradients with one colour throughout, else null
  function flatGradient(img) {
    if (!img || img === "none" || img.includes("url(")) return null;
    if (!/^((repeating-)?(linear|radial|conic)-gradient\(.*\)\s*,?\s*)+$/.test(img)) return null;
    const cols = img.match(/rgba?\([^)]*\)|color\([^)]*\)|transparent/g) || [];
    if (!cols.length) return null;
    const norm = cols.map((c) => parseColor(c).map((v) => Math.round(v * 1000)).join(","));
    return norm.every((c) => c === norm[0]) ? parseColor(cols[0]) : null;
  }
  // rect covered by the first background layer of an element, or null (=whole area)
  function bgImageRect(cs, area) {
    const rep = cs.backgroundRepeat.split(",")[0].trim();
    const size = cs.backgroundSize.split(",")[0].trim();
    if (rep !== "no-repeat" || size === "cover" || size === "auto" || size === "auto auto") return null;
    const aw = area.r - area.l, ah = area.b - area.t;
    let iw, ih;
    if (size === "contain") { const s = Math.min(aw, ah); iw = ih = s; }
    else {
      const p = size.split(/\s+/);
      iw = p[0] === "auto" ? null : lengthIn(p[0], aw);
      ih = (p[1] || "auto") === "auto" ? iw : lengthIn(p[1], ah);
      if (iw === null) iw = ih;
      if (iw === null) return null;
    }
    const x = lengthIn(cs.backgroundPositionX.split(",")[0], aw - iw);
    const y = lengthIn(cs.backgroundPositionY.split(",")[0], ah - ih);
    return { l: area.l + x, t: area.t + y, r: area.l + x + iw, b: area.t + y + ih };
  }


  // box-shadow layers: [{css, rgba, x, y, blur, spread, inset}]
  function shadowLayers(str) {
    if (!str || str === "none") return [];
    const layers = [];
    let depth = 0, cur = "";
    for (const ch of str) {
      if (ch === "(") depth++;
      if (ch === ")") depth--;
      if (ch === "," && depth === 0) { layers.push(cur.trim()); cur = ""; } else cur += ch;
    }
    if (cur.trim()) layers.push(cur.trim());
    return layers.map((css) => {
      const m = css.match(/(rgba?\([^)]*\)|color\([^)]*\)|#[0-9a-f]+|oklch\([^)]*\)|[a-z]+(?=\s|$))/i);
      const rgba = parseColor(m ? m[0] : "currentcolor") || [0, 0, 0, 0];
      const nums = css.replace(m ? m[0] : "", "").replace("inset", "").trim().split(/\s+/).filter(Boolean).map(px);
      return { css, rgba, x: nums[0] || 0, y: nums[1] || 0, blur: nums[2] || 0, spread: nums[3] || 0, inset: /\binset\b/.test(css) };
    });
  }
  // an inset, unblurred, unshifted shadow that covers the whole box is a fill (Bootstrap tables)
  const isFill = (L, w, h) => L.inset && L.x === 0 && L.y === 0 && L.blur === 0 && L.spread >= Math.min(w, h) / 2;

  // ------------------------------------------------------- element walking
  const all = Array.from(document.querySelectorAll("*"));
  const info = new Map(); // element -> {cs, rect, clip, opacity, path, visible}
  const REPLACED = new Set(["IMG", "SVG", "CANVAS", "VIDEO", "IFRAME", "OBJECT", "EMBED", "PICTURE"]);
  const SKIP = new Set(["HEAD", "SCRIPT", "STYLE", "LINK", "META", "TITLE", "NOSCRIPT", "TEMPLATE", "BASE"]);

  function getInfo(el) {
    if (info.has(el)) return info.get(el);
    const parent = el.parentElement;
    const pi = parent ? getInfo(parent) : null;
    const cs = getComputedStyle(el);
    let res;
    if (SKIP.has(el.tagName.toUpperCase()) || cs.display === "none" || (pi && pi.dead)) {
      res = { dead: true };
    } else {
      const rect = el.getBoundingClientRect();
      const box = { l: rect.left, t: rect.top, r: rect.right, b: rect.bottom };
      const opacity = (pi ? pi.opacity : 1) * parseFloat(cs.opacity);
      let clip = pi ? pi.childClip : VIEW;
      // position:fixed escapes ancestors' overflow clips (mostly)
      if (cs.position === "fixed") clip = VIEW;
      let childClip = clip;
      if (cs.overflowX !== "visible" || cs.overflowY !== "visible" || cs.contain.includes("paint")) {
        const bl = px(cs.borderLeftWidth), bt = px(cs.borderTopWidth), br = px(cs.borderRightWidth), bb = px(cs.borderBottomWidth);
        childClip = inter(clip, { l: box.l + bl, t: box.t + bt, r: box.r - br, b: box.b - bb });
      }
      // paint-order path: z of every positioned ancestor-or-self
      let path = pi ? pi.path : [];
      const positioned = cs.position !== "static";
      if (positioned) {
        const z = cs.zIndex === "auto" ? 0.5 : (parseInt(cs.zIndex, 10) || 0.5);
        path = path.concat([z]);
      }
      const visible = cs.visibility === "visible" && opacity > 0.001;
      const shown = !empty(inter(box, clip)) && rect.width > 0 && rect.height > 0;
      res = { dead: false, cs, rect, box, clip, childClip, opacity, path, visible, shown };
    }
    info.set(el, res);
    return res;
  }
  all.forEach(getInfo);

  // canvas background (root / body propagation)
  const htmlCS = getComputedStyle(document.documentElement);
  const bodyCS = document.body ? getComputedStyle(document.body) : null;
  let canvasRGB = [255, 255, 255];
  let canvasImage = false;
  let propagated = document.documentElement;
  let rootBg = parseColor(htmlCS.backgroundColor), rootImg = htmlCS.backgroundImage !== "none";
  if (rootBg[3] === 0 && !rootImg && bodyCS) {
    propagated = document.body;
    rootBg = parseColor(bodyCS.backgroundColor);
    rootImg = bodyCS.backgroundImage !== "none";
  }
  if (rootBg[3] > 0) canvasRGB = over(rootBg.slice(0, 3), rootBg[3], [255, 255, 255]);
  grid.fill(colorId(canvasRGB, "background"));
  if (rootImg) { grid.fill(IMAGE); canvasImage = true; }

  // paint order: groups by path (lexicographic, a prefix first), DOM order inside
  const live = all.filter((el) => !info.get(el).dead);
  const order = live.map((el, i) => ({ el, i, path: info.get(el).path }));
  const cmpPath = (a, b) => {
    for (let k = 0; k < Math.min(a.length, b.length); k++) if (a[k] !== b[k]) return a[k] - b[k];
    return a.length - b.length;
  };
  // group key: stacking ancestor identity matters, not just z values
  order.sort((a, b) => cmpPath(a.path, b.path) || a.i - b.i);

  function isFormText(el) {
    const t = el.tagName;
    if (t === "TEXTAREA" || t === "SELECT") return true;
    if (t !== "INPUT") return false;
    return ["text", "email", "password", "search", "url", "tel", "number", "submit", "button", "reset", "date", ""].includes((el.getAttribute("type") || "").toLowerCase());
  }
  const NATIVE = (el, cs) => el.tagName === "INPUT" && ["checkbox", "radio", "range", "color", "file"].includes((el.type || "").toLowerCase()) && cs.appearance !== "none"
    || ["PROGRESS", "METER"].includes(el.tagName) && cs.appearance !== "none";

  function paintBox(el) {
    const I = info.get(el);
    if (!I.visible || !I.shown) return;
    if (el === document.documentElement) return;
    if (el === propagated) return; // its background is the canvas
    const cs = I.cs, b = I.box, w = b.r - b.l, h = b.b - b.t;
    const rad = radii(cs, w, h);
    const radOrNull = anyRadius(rad) ? rad : null;
    const bt = px(cs.borderTopWidth), br = px(cs.borderRightWidth), bb = px(cs.borderBottomWidth), bl = px(cs.borderLeftWidth);
    const pad = { l: b.l + bl, t: b.t + bt, r: b.r - br, b: b.b - bb };
    const padRad = radOrNull ? insetRadii(rad, bt, br, bb, bl) : null;
    if (REPLACED.has(el.tagName.toUpperCase()) || el instanceof SVGElement || NATIVE(el, cs)) {
      if (el instanceof SVGElement && el.ownerSVGElement) return; // inner svg parts: covered by the root
      fillId(b, radOrNull, I.clip, IMAGE);
      return;
    }
    // background colour in its clip box
    const clipBox = cs.backgroundClip === "padding-box" ? [pad, padRad]
      : cs.backgroundClip === "content-box" ? [{ l: pad.l + px(cs.paddingLeft), t: pad.t + px(cs.paddingTop), r: pad.r - px(cs.paddingRight), b: pad.b - px(cs.paddingBottom) }, null]
      : cs.backgroundClip === "text" ? null : [b, radOrNull];
    if (clipBox) {
      const bg = parseColor(cs.backgroundColor);
      paint(clipBox[0], clipBox[1], I.clip, bg, I.opacity, "background");
      const flat = flatGradient(cs.backgroundImage);
      if (flat) {
        // a gradient whose stops are all one colour is a flat paint (Primer's flash messages)
        paint(clipBox[0], clipBox[1], I.clip, flat, I.opacity, "background");
      } else if (cs.backgroundImage !== "none") {
        const area = clipBox[0];
        const r = bgImageRect(cs, cs.backgroundOrigin === "border-box" ? b : pad);
        if (r) fillId(inter(r, area), null, I.clip, IMAGE);
        else fillId(area, clipBox[1], I.clip, IMAGE);
      }
    }
    // inset "fill" shadows (painted above the background, below the border; first layer on top)
    if (cs.boxShadow !== "none") {
      const fills = shadowLayers(cs.boxShadow).filter((L) => isFill(L, w, h) && L.rgba[3] > 0);
      for (const L of fills.reverse()) paint(pad, padRad, I.clip, L.rgba, I.opacity, "background");
    }
    // borders (style none/hidden computes to width 0)
    if (bt + br + bb + bl > 0) {
      const sides = [["Top", bt], ["Right", br], ["Bottom", bb], ["Left", bl]].filter(([, v]) => v > 0)
        .map(([s]) => [s, cs["border" + s + "Color"], cs["border" + s + "Style"]]);
      const same = sides.every(([, c]) => c === sides[0][1]);
      if (same) {
        paint(b, radOrNull, I.clip, parseColor(sides[0][1]), I.opacity, "border", pad, padRad);
      } else {
        // per side strips: top/bottom full width, left/right between them
        const strips = {
          Top: { l: b.l, t: b.t, r: b.r, b: b.t + bt }, Bottom: { l: b.l, t: b.b - bb, r: b.r, b: b.b },
          Left: { l: b.l, t: b.t + bt, r: b.l + bl, b: b.b - bb }, Right: { l: b.r - br, t: b.t + bt, r: b.r, b: b.b - bb },
        };
        for (const [s, c] of sides) {
          const sClip = inter(I.clip, strips[s]);
          if (!empty(sClip)) paint(b, radOrNull, sClip, parseColor(c), I.opacity, "border", pad, padRad);
        }
      }
    }
  }

  // per element: glyph-box area by font (the caller groups by rendered family)
  const typoEls = new Map(); // element -> record
  function addTypo(el, cs, area) {
    if (area <= 0) return;
    let t = typoEls.get(el);
    if (!t) {
      t = { font_size: Math.round(px(cs.fontSize) * 100) / 100, line_height: cs.lineHeight, font_weight: parseInt(cs.fontWeight, 10) || 400,
        css_font_family: cs.fontFamily, font_style: cs.fontStyle, area: 0 };
      typoEls.set(el, t);
    }
    t.area += area;
  }

  const measureCanvas = document.createElement("canvas").getContext("2d");
  function paintText(el) {
    const I = info.get(el);
    if (!I.visible) return;
    const cs = I.cs;
    if (REPLACED.has(el.tagName.toUpperCase()) || el instanceof SVGElement) return;
    const color = parseColor(cs.webkitTextFillColor && cs.webkitTextFillColor !== cs.color ? cs.webkitTextFillColor : cs.color);
    const textClip = I.childClip; // text is clipped by the element's own overflow too
    for (const node of el.childNodes) {
      if (node.nodeType !== 3 || !node.data.trim()) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      let area = 0;
      for (const r of range.getClientRects()) {
        if (r.width <= 0 || r.height <= 0) continue;
        const box = { l: r.left, t: r.top, r: r.right, b: r.bottom };
        const c = inter(box, textClip);
        if (empty(c)) continue;
        area += (c.r - c.l) * (c.b - c.t);
        paint(box, null, textClip, color, I.opacity, "text");
      }
      addTypo(el, cs, area);
    }
    // form controls: their text lives in the user-agent shadow tree
    if (isFormText(el) && I.shown) {
      let text = "", col = color;
      const isButton = el.tagName === "INPUT" && ["submit", "button", "reset"].includes(el.type);
      if (el.tagName === "SELECT") text = el.options[el.selectedIndex] ? el.options[el.selectedIndex].text : "";
      else if (el.value) text = el.type === "password" ? "\u2022".repeat(el.value.length) : el.value;
      else if (el.placeholder) { text = el.placeholder; col = parseColor(getComputedStyle(el, "::placeholder").color); }
      if (el.tagName === "TEXTAREA") text = text.split("\n")[0];
      if (text) {
        measureCanvas.font = `${cs.fontStyle} ${cs.fontWeight} ${cs.fontSize} ${cs.fontFamily}`;
        const m = measureCanvas.measureText(text);
        const b = I.box;
        const cl = b.l + px(cs.borderLeftWidth) + px(cs.paddingLeft), cr = b.r - px(cs.borderRightWidth) - px(cs.paddingRight);
        const ct = b.t + px(cs.borderTopWidth) + px(cs.paddingTop), cb = b.b - px(cs.borderBottomWidth) - px(cs.paddingBottom);
        const gh = m.fontBoundingBoxAscent + m.fontBoundingBoxDescent;
        const gw = Math.min(m.width, cr - cl);
        let x0 = cl;
        if (isButton || cs.textAlign === "center") x0 = (cl + cr - gw) / 2;
        else if (cs.textAlign === "right" || cs.textAlign === "end") x0 = cr - gw;
        const lh = cs.lineHeight === "normal" ? gh : px(cs.lineHeight);
        const y0 = el.tagName === "TEXTAREA" ? ct + (lh - gh) / 2 : (ct + cb - gh) / 2;
        const box = { l: x0, t: y0, r: x0 + gw, b: y0 + gh };
        const c = inter(box, I.clip);
        if (!empty(c)) {
          paint(box, null, I.clip, col, I.opacity, "text");
          addTypo(el, cs, (c.r - c.l) * (c.b - c.t));
        }
      }
    }
  }

  // walk groups
  let g = 0;
  while (g < order.length) {
    let e = g + 1;
    while (e < order.length && cmpPath(order[e].path, order[g].path) === 0) e++;
    for (let k = g; k < e; k++) paintBox(order[k].el);
    for (let k = g; k < e; k++) paintText(order[k].el);
    g = e;
  }

  // -------------------------------------------------------------- colours out
  const counts = new Float64Array(palette.length);
  for (let i = 0; i < N; i++) counts[grid[i]]++;
  const colors = [];
  for (let id = 1; id < palette.length; id++) {
    if (counts[id] > 0) colors.push({ hex: palette[id].hex, share: Math.round(counts[id] / N * 1e6) / 1e6, kind: palette[id].kind });
  }
  colors.sort((a, b) => b.share - a.share || (a.hex < b.hex ? -1 : 1));
  const imageShare = Math.round(counts[IMAGE] / N * 1e6) / 1e6;

  // ------------------------------------------------- spacing, radii, shadows
  const spacing = new Map(), radiiOut = new Map(), shadows = new Map(), borders = new Map(),
    borderColors = new Map();
  const bump = (m, k) => m.set(k, (m.get(k) || 0) + 1);
  const r2 = (v) => Math.round(v * 100) / 100;
  for (const el of live) {
    const I = info.get(el);
    if (!I.shown || !I.visible || el === document.documentElement) continue;
    if (el instanceof SVGElement && el.ownerSVGElement) continue;
    const cs = I.cs;
    let map = null;
    try { map = el.computedStyleMap(); } catch (e) { map = null; }
    const val = (prop, usedCss) => {
      // 'auto' / 'normal' keywords are not spacing tokens
      if (map) {
        const v = map.get(prop);
        if (v && v.constructor && v.constructor.name === "CSSKeywordValue") return 0;
      }
      return px(cs.getPropertyValue(usedCss || prop));
    };
    for (const side of ["top", "right", "bottom", "left"]) {
      const p = val("padding-" + side);
      if (p > 0) bump(spacing, r2(p));
      const m = val("margin-" + side);
      if (m > 0) bump(spacing, r2(m));
    }
    const disp = cs.display;
    if (disp.includes("flex") || disp.includes("grid")) {
      const isGrid = disp.includes("grid");
      const rowDir = cs.flexDirection.startsWith("row");
      const wraps = cs.flexWrap !== "nowrap";
      const cg = val("column-gap"), rg = val("row-gap");
      if (cg > 0 && (isGrid || rowDir || wraps)) bump(spacing, r2(cg));
      if (rg > 0 && (isGrid || !rowDir || wraps)) bump(spacing, r2(rg));
    }
    // radii: each distinct corner value once per element whose box paints something
    const w = I.rect.width, h = I.rect.height;
    const paintsBox = parseColor(cs.backgroundColor)[3] > 0 || cs.backgroundImage !== "none" || cs.boxShadow !== "none"
      || px(cs.borderTopWidth) + px(cs.borderRightWidth) + px(cs.borderBottomWidth) + px(cs.borderLeftWidth) > 0
      || REPLACED.has(el.tagName.toUpperCase()) || cs.overflowX !== "visible";
    if (paintsBox) {
      const seen = new Set();
      for (const [rx, ry] of radii(cs, w, h)) {
        const v = r2(Math.min(rx, ry, w / 2, h / 2));
        if (v > 0) seen.add(v);
      }
      for (const v of seen) bump(radiiOut, v);
    }
    // borders: each distinct width of a side one can see, once per element. A side is seen
    // when its colour is not transparent and differs from the element's own background
    // (Bootstrap's .btn-primary border is its fill's colour: no edge shows). Native
    // controls draw their own borders: not counted, as their paint is not either.
    if (!NATIVE(el, cs) && !(el instanceof SVGElement)) {
      const bg = parseColor(cs.backgroundColor);
      const seenW = new Set(), b = I.box;
      for (const s of ["Top", "Right", "Bottom", "Left"]) {
        const bw = px(cs["border" + s + "Width"]);
        const c = parseColor(cs["border" + s + "Color"]);
        if (bw <= 0 || !c || c[3] <= 0.001) continue;
        if (bg && bg[3] >= 0.999 && c[3] >= 0.999 && c.slice(0, 3).every((v, k) => Math.abs(v - bg[k]) < 0.5)) continue;
        // where it is painted (composited, and where nothing covers it): the paint grid at
        // five points along the middle of the side's strip, inside the viewport and clip. A
        // side with none is not seen (scrolled off, clipped, covered) and does not count.
        const painted = new Map();
        for (const f of [0.1, 0.3, 0.5, 0.7, 0.9]) {
          const mx = s === "Left" ? b.l + bw / 2 : s === "Right" ? b.r - bw / 2 : b.l + f * (b.r - b.l);
          const my = s === "Top" ? b.t + bw / 2 : s === "Bottom" ? b.b - bw / 2 : b.t + f * (b.b - b.t);
          if (mx < I.clip.l || mx >= I.clip.r || my < I.clip.t || my >= I.clip.b) continue;
          // the cell whose centre is nearest (the lower on a tie): cells are painted when their
          // centre is inside, so a 1 px side at y = 322.5 is cell 322, not floor(323.0)
          const gx = Math.ceil(mx - 1), gy = Math.ceil(my - 1);
          if (gx < 0 || gx >= W || gy < 0 || gy >= H) continue;
          const id = grid[gy * W + gx];
          if (id !== IMAGE && palette[id].kind === "border") bump(painted, palette[id].hex);
        }
        if (!painted.size) continue;
        seenW.add(r2(bw));
        bump(borderColors, Array.from(painted).sort((a, b2) => b2[1] - a[1] || (a[0] < b2[0] ? -1 : 1))[0][0]);
      }
      for (const v of seenW) bump(borders, v);
    }
    // shadows: the visible layers (not transparent, not full-cover inset fills) of each element
    const vis = shadowLayers(cs.boxShadow).filter((L) => L.rgba[3] > 0 && !isFill(L, w, h));
    if (vis.length) bump(shadows, vis.map((L) => L.css).join(", "));
  }

  // ------------------------------------------------------------ column grids
  // Rows of >= 3 equal boxes at equal gaps that a grid or row-direction flex container lays
  // out: the column-grid detector's definition, on the boxes the DOM paints instead of the
  // boxes found in pixels (designlens' own extra field; see eval/README.md).
  const GRID_TOL = 2, GRID_MIN_COLUMNS = 3, GRID_MIN_SHARE = 0.1, GRID_DESCENDANT_WIDTH = 0.8;
  const SIDES = ["Top", "Right", "Bottom", "Left"];
  const paintsOwnBox = (cs) => parseColor(cs.backgroundColor)[3] > 0 || cs.backgroundImage !== "none"
    || shadowLayers(cs.boxShadow).some((L) => L.rgba[3] > 0)
    || SIDES.some((s) => px(cs["border" + s + "Width"]) > 0 && (parseColor(cs["border" + s + "Color"]) || [0, 0, 0, 0])[3] > 0.001);
  // the box a painting element shows: visible, and on the screenshot (inside viewport and clips)
  const paintedBox = (el) => {
    const I = info.get(el);
    if (!I || I.dead || el instanceof SVGElement || !I.visible || !I.shown || !paintsOwnBox(I.cs)) return null;
    return I.box;
  };
  // first descendant (depth-first) that paints a box at least 80% as wide as the content box
  function paintedDescendant(el, minWidth) {
    for (const ch of el.children) {
      const I = info.get(ch);
      if (!I || I.dead || ch instanceof SVGElement) continue;
      const b = paintedBox(ch);
      if (b && b.r - b.l >= minWidth) return b;
      const deeper = paintedDescendant(ch, minWidth);
      if (deeper) return deeper;
    }
    return null;
  }
  function visibleBox(ch) {
    const own = paintedBox(ch);
    if (own) return own;
    const I = info.get(ch), cs = I.cs;
    const content = I.rect.width - px(cs.borderLeftWidth) - px(cs.borderRightWidth)
      - px(cs.paddingLeft) - px(cs.paddingRight);
    return content > 0 ? paintedDescendant(ch, GRID_DESCENDANT_WIDTH * content) : null;
  }
  const gridRows = new Map(); // "columns|width|gutter" -> record
  for (const el of live) {
    const I = info.get(el);
    if (!I.visible || !I.shown || el instanceof SVGElement) continue;
    const disp = I.cs.display;
    if (!disp.includes("grid") && !(disp.includes("flex") && I.cs.flexDirection.startsWith("row"))) continue;
    const boxes = [];
    for (const ch of el.children) {
      const C = info.get(ch);
      if (!C || C.dead || ch instanceof SVGElement) continue;
      if (C.cs.visibility !== "visible" || C.cs.position === "absolute" || C.cs.position === "fixed") continue;
      if (C.rect.width <= 0 || C.rect.height <= 0) continue;
      const b = visibleBox(ch);
      if (b) boxes.push(b);
    }
    // rows: boxes of equal top (within 2 px), in order of top
    boxes.sort((a, b) => a.t - b.t || a.l - b.l);
    const rows = [];
    for (const b of boxes) {
      const row = rows[rows.length - 1];
      if (row && b.t - row[0].t <= GRID_TOL) row.push(b); else rows.push([b]);
    }
    for (const row of rows) {
      if (row.length < GRID_MIN_COLUMNS) continue;
      row.sort((a, b) => a.l - b.l);
      const widths = row.map((b) => b.r - b.l);
      if (Math.min(...widths) < GRID_MIN_SHARE * W || Math.max(...widths) - Math.min(...widths) > GRID_TOL) continue;
      const gaps = row.slice(1).map((b, k) => b.l - row[k].r);
      if (Math.min(...gaps) <= 0 || Math.max(...gaps) - Math.min(...gaps) > GRID_TOL) continue;
      const median = (v) => { const s = v.slice().sort((a, b) => a - b); return s[s.length >> 1]; };
      const rec = { columns: row.length, column_width: r2(median(widths)), gutter: r2(median(gaps)),
        margin_left: r2(row[0].l), margin_right: r2(W - row[row.length - 1].r), count: 1 };
      const key = [rec.columns, rec.column_width, rec.gutter].join("|");
      if (gridRows.has(key)) gridRows.get(key).count++; else gridRows.set(key, rec);
    }
  }
  const grids = Array.from(gridRows.values())
    .sort((a, b) => b.count - a.count || b.columns - a.columns || b.column_width - a.column_width);

  // ------------------------------------------------ line-height: normal probes
  const probe = document.createElement("div");
  probe.style.cssText = "position:absolute;left:-10000px;top:0;visibility:hidden;white-space:nowrap;margin:0;padding:0;border:0;";
  document.body.appendChild(probe);
  const normalLH = new Map();
  const typography = [];
  let tid = 0;
  for (const [el, t] of typoEls) {
    let lh = t.line_height;
    if (lh === "normal") {
      const key = [t.css_font_family, t.font_size, t.font_weight, t.font_style].join("|");
      if (!normalLH.has(key)) {
        probe.style.fontFamily = t.css_font_family; probe.style.fontSize = t.font_size + "px"; probe.style.fontWeight = t.font_weight;
        probe.style.fontStyle = t.font_style; probe.style.lineHeight = "normal";
        probe.textContent = "Hxgy";
        normalLH.set(key, r2(probe.getBoundingClientRect().height));
      }
      lh = normalLH.get(key);
    } else lh = r2(px(lh));
    // the caller asks the browser which font really drew this element (CDP)
    el.setAttribute("data-designlens-t", String(tid));
    typography.push({ id: tid++, font_size: t.font_size, line_height: lh, font_weight: t.font_weight,
      font_family: t.css_font_family.split(",")[0].trim().replace(/^["']|["']$/g, ""), css_font_family: t.css_font_family, area: t.area });
  }
  probe.remove();

  const asList = (m, k) => Array.from(m, ([v, count]) => ({ [k]: v, count })).sort((a, b) => b.count - a.count || (a[k] < b[k] ? -1 : 1));
  return {
    colors,
    typography_elements: typography,
    spacing: asList(spacing, "px"),
    radii: asList(radiiOut, "px"),
    borders: asList(borders, "px"),
    border_colors: asList(borderColors, "hex"),
    grids,
    shadows: asList(shadows, "css"),
    image_share: imageShare,
    viewport: { width: W, height: H },
  };
})
