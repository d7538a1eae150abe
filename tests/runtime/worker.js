#!/usr/bin/env node
// A designlens worker in JavaScript, with no dependencies: proof that docs/PROTOCOL.md is
// enough to write one. Frames: 4-byte big-endian length, then a msgpack message.
// It hosts one extractor, `faults` (token type `faults`), which returns one token per image
// named after the image's SHA-256, valued by the image's byte length.
"use strict";
const crypto = require("crypto");

const MAX_FRAME = 256 * 1024 * 1024;
let calls = 0, errors = 0;
const started = Date.now();

// ---- msgpack: the subset the protocol uses ----
function encode(value) {
  const parts = [];
  const push = (b) => parts.push(Buffer.isBuffer(b) ? b : Buffer.from(b));
  (function enc(v) {
    if (v === null || v === undefined) push([0xc0]);
    else if (v === true) push([0xc3]);
    else if (v === false) push([0xc2]);
    else if (typeof v === "number") {
      if (Number.isInteger(v) && v >= 0 && v < 2 ** 32) {
        if (v < 128) push([v]);
        else { const b = Buffer.alloc(5); b[0] = 0xce; b.writeUInt32BE(v, 1); push(b); }
      } else if (Number.isInteger(v) && v < 0 && v >= -(2 ** 31)) {
        const b = Buffer.alloc(5); b[0] = 0xd2; b.writeInt32BE(v, 1); push(b);
      } else { const b = Buffer.alloc(9); b[0] = 0xcb; b.writeDoubleBE(v, 1); push(b); }
    } else if (typeof v === "string") {
      const s = Buffer.from(v, "utf8");
      if (s.length < 32) push([0xa0 | s.length]);
      else { const b = Buffer.alloc(5); b[0] = 0xdb; b.writeUInt32BE(s.length, 1); push(b); }
      push(s);
    } else if (Buffer.isBuffer(v)) {
      const b = Buffer.alloc(5); b[0] = 0xc6; b.writeUInt32BE(v.length, 1); push(b); push(v);
    } else if (Array.isArray(v)) {
      const b = Buffer.alloc(5); b[0] = 0xdd; b.writeUInt32BE(v.length, 1); push(b);
      v.forEach(enc);
    } else if (typeof v === "object") {
      const keys = Object.keys(v);
      const b = Buffer.alloc(5); b[0] = 0xdf; b.writeUInt32BE(keys.length, 1); push(b);
      for (const k of keys) { enc(k); enc(v[k]); }
    } else throw new Error("cannot encode " + typeof v);
  })(value);
  return Buffer.concat(parts);
}

function decode(buf) {
  let pos = 0;
  const need = (n) => { if (pos + n > buf.length) throw new Error("truncated msgpack"); };
  const u8 = () => { need(1); return buf[pos++]; };
  const str = (n) => { need(n); const s = buf.toString("utf8", pos, pos + n); pos += n; return s; };
  const bin = (n) => { need(n); const b = buf.subarray(pos, pos + n); pos += n; return b; };
  const be = (n, f) => { need(n); const v = f(pos); pos += n; return v; };
  const arr = (n) => { const a = []; for (let i = 0; i < n; i++) a.push(dec()); return a; };
  const map = (n) => { const o = {}; for (let i = 0; i < n; i++) { const k = dec(); o[k] = dec(); } return o; };
  function dec() {
    const t = u8();
    if (t < 0x80) return t;
    if (t >= 0xe0) return t - 0x100;
    if ((t & 0xf0) === 0x80) return map(t & 0x0f);
    if ((t & 0xf0) === 0x90) return arr(t & 0x0f);
    if ((t & 0xe0) === 0xa0) return str(t & 0x1f);
    switch (t) {
      case 0xc0: return null;
      case 0xc2: return false;
      case 0xc3: return true;
      case 0xc4: return bin(u8());
      case 0xc5: return bin(be(2, (p) => buf.readUInt16BE(p)));
      case 0xc6: return bin(be(4, (p) => buf.readUInt32BE(p)));
      case 0xca: return be(4, (p) => buf.readFloatBE(p));
      case 0xcb: return be(8, (p) => buf.readDoubleBE(p));
      case 0xcc: return u8();
      case 0xcd: return be(2, (p) => buf.readUInt16BE(p));
      case 0xce: return be(4, (p) => buf.readUInt32BE(p));
      case 0xcf: return Number(be(8, (p) => buf.readBigUInt64BE(p)));
      case 0xd0: return be(1, (p) => buf.readInt8(p));
      case 0xd1: return be(2, (p) => buf.readInt16BE(p));
      case 0xd2: return be(4, (p) => buf.readInt32BE(p));
      case 0xd3: return Number(be(8, (p) => buf.readBigInt64BE(p)));
      case 0xd9: return str(u8());
      case 0xda: return str(be(2, (p) => buf.readUInt16BE(p)));
      case 0xdb: return str(be(4, (p) => buf.readUInt32BE(p)));
      case 0xdc: return arr(be(2, (p) => buf.readUInt16BE(p)));
      case 0xdd: return arr(be(4, (p) => buf.readUInt32BE(p)));
      case 0xde: return map(be(2, (p) => buf.readUInt16BE(p)));
      case 0xdf: return map(be(4, (p) => buf.readUInt32BE(p)));
      default: throw new Error("unsupported msgpack type 0x" + t.toString(16));
    }
  }
  const value = dec();
  if (pos !== buf.length) throw new Error("trailing bytes after the message");
  return value;
}

// ---- commands ----
class Failure extends Error { constructor(type, message) { super(message); this.type = type; } }

function extract(args) {
  if (!Buffer.isBuffer(args.data)) throw new Failure("BadRequest", "extract needs `data` (bytes)");
  const id = crypto.createHash("sha256").update(args.data).digest("hex");
  const source = String(args.source || "<bytes>").split("/").pop();
  return {
    image_id: id, width: 0, height: 0, scale: 1.0,
    tokens: [{
      name: "faults.js" + id.slice(0, 10), type: "number", value: args.data.length,
      description: "", confidence: 1.0,
      provenance: [{ image: id, source: source, pixels: 0, share: 0.0, region: null }],
      extensions: { worker: "javascript" },
    }],
  };
}

const plugin = { name: "faults", version: "js-1.0", token_type: "faults" };

function dispatch(command, args) {
  if (command.includes(":")) {
    const [ns, sub] = command.split(":", 2);
    if (ns !== plugin.name && ns !== plugin.token_type) throw new Failure("UnknownNamespace", `no plugin '${ns}' here`);
    if (sub === "extract") return extract(args);
    if (sub === "info") return plugin;
    throw new Failure("UnknownCommand", `plugin '${ns}' has no command '${sub}'`);
  }
  switch (command) {
    case "ping": return "pong";
    case "info": return { protocol: 1, name: "js-worker", language: "javascript", version: "1.0",
                          pid: process.pid, commands: ["ping", "info", "stats", "extract", "shutdown"], plugins: [plugin] };
    case "stats": return { calls, errors, uptime: (Date.now() - started) / 1000, max_rss_kb: Math.round(process.memoryUsage().rss / 1024) };
    case "extract":
      if (args.token_type !== plugin.token_type) throw new Failure("UnknownNamespace", `no extractor for token type '${args.token_type}' here`);
      return extract(args);
    case "shutdown": return "bye";
    default: throw new Failure("UnknownCommand", `unknown command '${command}'`);
  }
}

function send(msg) {
  const body = encode(msg);
  const header = Buffer.alloc(4);
  header.writeUInt32BE(body.length, 0);
  process.stdout.write(Buffer.concat([header, body]));
}

function handle(body) {
  calls++;
  let msg;
  try { msg = decode(body); } catch (e) {
    errors++;
    return send({ id: null, ok: false, error: { type: "MalformedFrame", message: "frame is not valid msgpack (" + e.message + ")" } });
  }
  const id = msg && typeof msg === "object" && "id" in msg ? msg.id : null;
  try {
    if (!msg || typeof msg !== "object" || typeof msg.command !== "string") throw new Failure("BadRequest", "a request is a map with id, command and args");
    const result = dispatch(msg.command, msg.args || {});
    send({ id, ok: true, result });
    if (msg.command === "shutdown") process.exit(0);
  } catch (e) {
    errors++;
    send({ id, ok: false, error: { type: e.type || "PluginError", message: e.message } });
  }
}

// ---- framing ----
let pending = Buffer.alloc(0);
let skip = 0; // bytes of an oversized frame still to drop
process.stdin.on("data", (chunk) => {
  pending = Buffer.concat([pending, chunk]);
  for (;;) {
    if (skip > 0) {
      const n = Math.min(skip, pending.length);
      pending = pending.subarray(n); skip -= n;
      if (skip > 0) return;
    }
    if (pending.length < 4) return;
    const length = pending.readUInt32BE(0);
    if (length > MAX_FRAME) {
      pending = pending.subarray(4); skip = length; errors++;
      send({ id: null, ok: false, error: { type: "FrameTooLarge", message: `frame of ${length} bytes is over the limit of ${MAX_FRAME}` } });
      continue;
    }
    if (pending.length < 4 + length) return;
    const body = pending.subarray(4, 4 + length);
    pending = pending.subarray(4 + length);
    handle(body);
  }
});
process.stdin.on("end", () => process.exit(0));
process.on("SIGINT", () => {}); // the supervisor decides when a worker stops
