/* The status page: reads /v1/status every few seconds, follows /v1/events
 * live, and keeps per-site counts and the agents away from home updated per
 * event, so that 10,000 agents cost a few small redraws, not a big table. */
"use strict";

const POLL_MS = 5000;          /* /v1/status at most this often */
const WINDOW_S = 300;          /* the timeline's longest span */
const AWAY_ROWS = 100;         /* rows of the away list shown */
const EVENT_ROWS = 200;        /* rows of the recent events list */
const RECENT_S = 30;           /* events kept to replay over a status read this much late */
const SITE_COLOR = ["#3b78c2", "#e8892b"];
const DOWN_COLOR = "#d64541";
const OOS_COLOR = "#7a7a7a";
const STATES = ["connected", "lost", "out-of-service"];

const st = {
  token: sessionStorage.getItem("dualsite-token"),
  sites: [],                   /* site names in order of first appearance */
  drained: new Set(),
  servers: new Map(),          /* name -> {site, kind, state, rtt_ms, since} */
  agents: new Map(),           /* name -> {pref, peer, kind, state, site, deferred, call} */
  counts: new Map(),           /* "site|state" -> n */
  away: new Map(),             /* name -> its record, while not at home */
  tBase: 0, tAt: 0,            /* the run's t at performance.now() tAt */
  samples: [],                 /* [{t, counts: {key: n}}] for the timeline */
  srvHist: new Map(),          /* server -> [{t0, t1, state}] */
  marks: [],                   /* [{t, event, to}] switchovers and restores */
  recent: [],                  /* events of the last seconds, replayed over a status read */
  dirty: false,
  stats: { firstPaintMs: null, lastEvent: null, lastEventShownAt: null },
};
window.dsStats = st.stats;

const $ = (id) => document.getElementById(id);
function el(tag, attrs, ...kids) {
  const e = document.createElement(tag);
  for (const k in attrs || {}) e.setAttribute(k, attrs[k]);
  for (const c of kids) e.append(c);
  return e;
}
function now() { return st.tBase + (performance.now() - st.tAt) / 1000; }
function fmtT(t) { return t == null ? "?" : t.toFixed(1) + " s"; }

/* ---- the endpoint ---------------------------------------------------- */

function headers() {
  return st.token ? { Authorization: "Bearer " + st.token } : {};
}

/* A request; a 401 asks for the token once (kept for this tab) and retries. */
async function api(method, path) {
  let res = await fetch(path, { method, headers: headers(), cache: "no-store" });
  if (res.status === 401) {
    const tok = window.prompt("This dualsite endpoint needs its token (--control-token-file):");
    if (tok) {
      st.token = tok.trim();
      sessionStorage.setItem("dualsite-token", st.token);
      res = await fetch(path, { method, headers: headers(), cache: "no-store" });
    }
  }
  const text = await res.text();
  let body = null;
  try { body = JSON.parse(text); } catch (e) { body = null; }
  return { status: res.status, text, body };
}

/* ---- the agents' model ------------------------------------------------ */

function addSite(s) {
  if (s && !st.sites.includes(s)) st.sites.push(s);
}
function key(a) { return (a.state === "out-of-service" ? "" : a.site || "") + "|" + a.state; }
function atHome(a) { return a.state === "connected" && a.site === a.pref && !a.deferred; }

/* Moves one agent's record to `next`, keeping counts and the away map. */
function put(name, next) {
  const prev = st.agents.get(name);
  if (prev) st.counts.set(key(prev), st.counts.get(key(prev)) - 1);
  st.counts.set(key(next), (st.counts.get(key(next)) || 0) + 1);
  st.agents.set(name, next);
  if (atHome(next)) st.away.delete(name); else st.away.set(name, next);
  st.dirty = true;
}

function fromJson(a) {
  const kinds = Object.keys(a.connections);
  const kind = a.connections.sip ? "sip" : kinds[0];
  const c = kind ? a.connections[kind] : { state: "out-of-service", site: null };
  const old = st.agents.get(a.agent);
  return {
    pref: a.preferred_site, peer: a.peer_site, kind, state: c.state, site: c.site,
    /* a deferred move waits for the call: no call, no deferral */
    deferred: old ? old.deferred && a.call !== null : false,
    call: a.call !== null,
  };
}

function applyStatus(s) {
  st.tBase = s.t;
  st.tAt = performance.now();
  st.drained = new Set(s.drained_sites);
  for (const srv of s.servers) {
    addSite(srv.site);
    st.servers.set(srv.name, srv);
    let h = st.srvHist.get(srv.name);
    if (!h) st.srvHist.set(srv.name, h = []);
    const last = h[h.length - 1];
    /* the lane changes color at the change itself (since), not at this read */
    if (last && last.state === srv.state) last.t1 = s.t;
    else {
      if (last) last.t1 = Math.max(last.t0, srv.since);
      h.push({ t0: srv.since, t1: s.t, state: srv.state });
    }
  }
  for (const a of s.agents) {
    addSite(a.preferred_site);
    addSite(a.peer_site);
    put(a.agent, fromJson(a));
  }
  if (st.agents.size !== s.agents.length) {   /* none are added or removed by a run */
    const names = new Set(s.agents.map((a) => a.agent));
    for (const n of [...st.agents.keys()]) if (!names.has(n)) {
      const a = st.agents.get(n);
      st.counts.set(key(a), st.counts.get(key(a)) - 1);
      st.agents.delete(n);
      st.away.delete(n);
    }
  }
  /* A status read is a snapshot at s.t: events that came in while it was on
   * its way are newer, and are applied again over it. */
  for (const e of st.recent) if (e.t >= s.t) applyEvent(e, true);
  if (!$("names").childElementCount && s.agents.length <= 2000)
    for (const a of s.agents) $("names").append(el("option", { value: a.agent }));
  st.dirty = true;
}

/* One event (docs/behaviour.md §5) applied to its agent's record; `replay`
 * when applied again after a status read. */
function applyEvent(e, replay) {
  if (!replay) {
    st.stats.lastEvent = e;
    st.recent.push(e);
    if (e.t > now()) { st.tBase = e.t; st.tAt = performance.now(); }
  }
  const a = st.agents.get(e.agent);
  if (!a) { if (!replay) pollSoon(); return; }
  if (e.kind && e.kind !== a.kind) return;
  const n = { ...a };
  switch (e.event) {
    case "connected": case "ha-switch": n.state = "connected"; n.site = e.site; break;
    case "connection-lost": n.state = "lost"; n.site = e.site; break;
    case "switchover": case "restore":
      n.state = "connected"; n.site = e.to; n.deferred = false;
      if (!replay) st.marks.push({ t: e.t, event: e.event, to: e.to });
      break;
    case "restore-deferred": n.deferred = true; break;
    case "out-of-service": n.state = "out-of-service"; n.site = null; break;
    case "call-start": n.call = true; break;
    case "call-end": n.call = false; n.deferred = false; break;
    default: return;
  }
  put(e.agent, n);
}

/* ---- drawing ------------------------------------------------------------ */

function stateName(a) {
  if (a.state === "out-of-service") return "out of service";
  if (a.state === "lost") return "lost";
  if (a.deferred) return "restore deferred";
  return a.site === a.peer ? "on the peer" : "connected";
}

function actionButton(label, what, method, path) {
  const b = el("button", { type: "button" }, label);
  b.addEventListener("click", () => act(what, method, path));
  return b;
}

function drawSites() {
  const box = $("sites");
  box.replaceChildren();
  st.sites.forEach((site, i) => {
    const drained = st.drained.has(site);
    const h = el("h3", {}, site);
    if (drained) h.append(el("span", { class: "badge drained" }, "drained"));
    h.append(drained
      ? actionButton("undrain", "undrain " + site, "POST", "/v1/sites/" + encodeURIComponent(site) + "/undrain")
      : actionButton("drain", "drain " + site, "POST", "/v1/sites/" + encodeURIComponent(site) + "/drain"));
    const t = el("table", {}, el("tr", {}, el("th", {}, "server"), el("th", {}, "kind"),
      el("th", {}, "state"), el("th", {}, "last probe"), el("th", {}, "since")));
    for (const [name, s] of st.servers) {
      if (s.site !== site) continue;
      t.append(el("tr", { "data-server": name }, el("td", {}, name), el("td", {}, s.kind),
        el("td", { class: s.state }, s.state),
        el("td", { class: "n" }, s.rtt_ms == null ? "none" : s.rtt_ms.toFixed(1) + " ms"),
        el("td", { class: "n" }, s.state === "unknown" ? "start" : "t = " + s.since.toFixed(3) + " s")));
    }
    box.append(el("div", { class: "site s" + (i % 2), id: "site-" + site }, h, t));
  });
}

function drawCounts() {
  const head = el("tr", {}, el("th", {}, "site"));
  for (const s of STATES) head.append(el("th", {}, s));
  $("counts").tHead.replaceChildren(head);
  const body = $("counts").tBodies[0];
  body.replaceChildren();
  for (const site of st.sites.concat([""])) {
    const tr = el("tr", { "data-site": site }, el("td", {}, site || "(none)"));
    let any = false;
    for (const s of STATES) {
      const n = st.counts.get((s === "out-of-service" ? "" : site) + "|" + s) || 0;
      if (s === "out-of-service" && site) { tr.append(el("td", { class: "n" }, "")); continue; }
      if (s !== "out-of-service" && !site) { tr.append(el("td", { class: "n" }, "")); continue; }
      any = any || n > 0 || site !== "";
      tr.append(el("td", { class: "n", "data-state": s }, String(n)));
    }
    if (any) body.append(tr);
  }
  $("total").textContent = st.agents.size + " agents";
}

function drawAway() {
  const body = $("away").tBodies[0];
  body.replaceChildren();
  const names = [...st.away.keys()].sort().slice(0, AWAY_ROWS);
  for (const n of names) {
    const a = st.away.get(n);
    const show = el("button", { type: "button" }, "show");
    show.addEventListener("click", () => { $("find-name").value = n; showAgent(n); });
    body.append(el("tr", { "data-agent": n }, el("td", {}, n), el("td", {}, a.pref || ""),
      el("td", {}, stateName(a)), el("td", {}, a.site || ""), el("td", {}, show)));
  }
  $("away-n").textContent = "(" + st.away.size + ")";
  $("away-more").textContent = st.away.size > AWAY_ROWS
    ? "first " + AWAY_ROWS + " by name; search for any other" : "";
}

const SVGNS = "http://www.w3.org/2000/svg";
function sv(tag, attrs, text) {
  const e = document.createElementNS(SVGNS, tag);
  for (const k in attrs) e.setAttribute(k, attrs[k]);
  if (text != null) e.textContent = text;
  return e;
}

/* The timeline: a lane per server (up in its site's color, down red), and
 * the agents per site as stacked bars over time, with the moves marked. */
function drawTimeline() {
  const W = 1000, L = 150, R = 20, laneH = 16, gap = 6;
  /* the span grows with what the page has seen, from one minute to five */
  const t1 = now(), first = st.samples.length ? st.samples[0].t : t1;
  const span = Math.min(WINDOW_S, Math.max(60, Math.ceil((t1 - first) / 60) * 60));
  const t0 = t1 - span;
  const x = (t) => L + (Math.max(t, t0) - t0) / span * (W - L - R);
  const servers = [...st.servers.keys()];
  const agentsTop = 30 + servers.length * (laneH + gap) + 10, agentsH = 80;
  const H = agentsTop + agentsH + 70;
  const svg = sv("svg", { viewBox: `0 0 ${W} ${H}`, width: W, height: H,
    "font-family": "DejaVu Sans, Verdana, sans-serif", "font-size": 11, id: "timeline-svg" });
  svg.append(sv("rect", { width: "100%", height: "100%", fill: "#fff" }));
  for (let k = 0; k <= 5; k++) {
    const t = t0 + k * span / 5, xx = x(t);
    svg.append(sv("line", { x1: xx, y1: 20, x2: xx, y2: H - 30, stroke: "#e4e4e4" }));
    svg.append(sv("text", { x: xx, y: H - 16, "text-anchor": "middle", fill: "#555" },
      t >= 0 ? t.toFixed(0) + "s" : ""));
  }
  servers.forEach((name, i) => {
    const s = st.servers.get(name), y = 30 + i * (laneH + gap);
    const si = st.sites.indexOf(s.site);
    svg.append(sv("text", { x: 10, y: y + 12, "font-weight": "bold" }, name));
    for (const seg of st.srvHist.get(name) || []) {
      if (seg.t1 < t0) continue;
      const fill = seg.state === "down" ? DOWN_COLOR : seg.state === "up" ? SITE_COLOR[si % 2] : "#ddd";
      const end = seg === st.srvHist.get(name).slice(-1)[0] ? t1 : seg.t1;
      svg.append(sv("rect", { x: x(seg.t0), y, width: Math.max(x(end) - x(seg.t0), 0.5),
        height: laneH, fill }));
    }
  });
  svg.append(sv("text", { x: 10, y: agentsTop + 12, "font-weight": "bold" }, "agents"));
  svg.append(sv("text", { x: 10, y: agentsTop + 26, "font-size": 9, fill: "#666" }, "per site"));
  const total = Math.max(st.agents.size, 1);
  const smp = st.samples;
  for (let i = 0; i < smp.length; i++) {
    const a = smp[i], b = i + 1 < smp.length ? smp[i + 1].t : t1;
    if (b < t0) continue;
    let y = agentsTop;
    const parts = [];
    st.sites.forEach((site, si) => {
      parts.push([a.counts[site + "|connected"] || 0, SITE_COLOR[si % 2]]);
      parts.push([a.counts[site + "|lost"] || 0, DOWN_COLOR]);
    });
    parts.push([a.counts["|out-of-service"] || 0, OOS_COLOR]);
    for (const [n, fill] of parts) {
      if (!n) continue;
      const h = n / total * agentsH;
      svg.append(sv("rect", { x: x(a.t), y, width: Math.max(x(b) - x(a.t), 0.5), height: h, fill }));
      y += h;
    }
  }
  const buckets = new Map();
  for (const m of st.marks) {
    if (m.t < t0) continue;
    const k = Math.floor(m.t) + "|" + m.event + "|" + m.to;
    buckets.set(k, (buckets.get(k) || 0) + 1);
  }
  let row = 0;
  for (const [k, n] of buckets) {    /* labels staggered on three rows */
    const [t, ev, to] = k.split("|"), xx = x(+t), y = agentsTop + agentsH + 4;
    const ty = y + 10 + (row++ % 3) * 11;
    svg.append(sv("path", { d: `M${xx} ${y} l4 4 l-4 4 l-4 -4 z`, fill: "#8b1a1a" }));
    svg.append(sv("path", { d: `M${xx} ${y + 8} V${ty - 3}`, fill: "none", stroke: "#999" }));
    const right = xx > W - 160;   /* near the end: the label goes left */
    svg.append(sv("text", { x: right ? xx - 5 : xx + 5, y: ty, "font-size": 9, fill: "#8b1a1a",
      "text-anchor": right ? "end" : "start" }, `${n} ${ev} to ${to}`));
  }
  $("timeline").replaceChildren(svg);
}

function eventText(e) {
  const skip = new Set(["t", "agent", "event"]);
  const rest = Object.keys(e).filter((k) => !skip.has(k)).map((k) => k + "=" + e[k]).join(" ");
  return `${e.t.toFixed(3)}  ${e.agent}  ${e.event}  ${rest}`;
}

const pendingEvents = [];
function drawEvents() {
  const ol = $("events");
  for (const e of pendingEvents.splice(0)) ol.prepend(el("li", {}, eventText(e)));
  while (ol.childElementCount > EVENT_ROWS) ol.lastChild.remove();
}

function sample() {
  const counts = {};
  for (const [k, n] of st.counts) counts[k] = n;
  const t = now();
  const last = st.samples[st.samples.length - 1];
  if (last && t - last.t < 0.5) last.counts = counts; else st.samples.push({ t, counts });
  while (st.samples.length > 2 && st.samples[1].t < t - WINDOW_S) st.samples.shift();
  while (st.marks.length && st.marks[0].t < t - WINDOW_S) st.marks.shift();
  const keep = st.recent.findIndex((e) => e.t >= t - RECENT_S);
  st.recent.splice(0, keep < 0 ? st.recent.length : keep);
}

/* Redraws what changed, at most every 200 ms. */
let drawTimer = null, lastTimeline = 0;
function scheduleDraw() {
  if (drawTimer) return;
  drawTimer = setTimeout(() => {
    drawTimer = null;
    if (st.dirty) {
      st.dirty = false;
      sample();
      drawSites();
      drawCounts();
      drawAway();
      if (st.stats.firstPaintMs == null) st.stats.firstPaintMs = performance.now();
      if (st.stats.lastEvent) st.stats.lastEventShownAt = Date.now();
    }
    drawEvents();
    if (performance.now() - lastTimeline > 1000) {
      lastTimeline = performance.now();
      drawTimeline();
    }
    $("clock").textContent = "t = " + fmtT(now());
  }, st.stats.firstPaintMs == null ? 0 : 200);
}

/* ---- polling and the event stream --------------------------------------- */

let pollTimer = null, lastPoll = 0, polling = false;
async function poll() {
  if (polling) return;
  polling = true;
  lastPoll = performance.now();
  try {
    const r = await api("GET", "/v1/status");
    if (r.status === 200 && r.body) applyStatus(r.body);
    else showAnswer("GET /v1/status", r);
  } catch (err) {
    setLive(false, "endpoint unreachable");
  } finally {
    polling = false;
  }
  scheduleDraw();
}
function pollSoon() {
  if (pollTimer) return;
  const wait = Math.max(0, POLL_MS - (performance.now() - lastPoll));
  pollTimer = setTimeout(() => { pollTimer = null; poll(); }, wait);
}

function setLive(on, text) {
  $("live").className = "badge " + (on ? "on" : "off");
  $("live").textContent = text;
}

function onData(data) {
  let e;
  try { e = JSON.parse(data); } catch (err) { return; }
  applyEvent(e);
  pendingEvents.push(e);
  scheduleDraw();
}

/* EventSource cannot send a token: with one, the stream is read by fetch. */
function follow() {
  if (!st.token) {
    const es = new EventSource("/v1/events");
    es.onopen = () => { setLive(true, "live"); poll(); };
    es.onmessage = (m) => onData(m.data);
    es.onerror = () => setLive(false, "reconnecting");
    return;
  }
  (async () => {
    for (;;) {
      try {
        const res = await fetch("/v1/events", { headers: headers(), cache: "no-store" });
        if (res.status !== 200) throw new Error("status " + res.status);
        setLive(true, "live");
        poll();
        const rd = res.body.getReader(), dec = new TextDecoder();
        let buf = "";
        for (;;) {
          const { value, done } = await rd.read();
          if (done) break;
          buf += dec.decode(value, { stream: true });
          let i;
          while ((i = buf.indexOf("\n\n")) >= 0) {
            for (const line of buf.slice(0, i).split("\n"))
              if (line.startsWith("data: ")) onData(line.slice(6));
            buf = buf.slice(i + 2);
          }
        }
      } catch (err) { /* retried below */ }
      setLive(false, "reconnecting");
      await new Promise((r) => setTimeout(r, 2000));
    }
  })();
}

/* ---- actions and the one-agent view ------------------------------------------ */

function showAnswer(what, r) {
  const p = $("answer");
  p.className = r.status >= 400 ? "err" : "";
  p.textContent = `${what}: ${r.status}\n` + (r.body ? JSON.stringify(r.body, null, 2) : r.text);
}

async function act(what, method, path) {
  if (!window.confirm(`Really ${what}?`)) return;
  try {
    const r = await api(method, path);
    showAnswer(what, r);
  } catch (err) {
    showAnswer(what, { status: 0, text: "no answer: " + err.message, body: null });
  }
  poll();
}

function agentView(a) {
  const box = el("div", { id: "agent-" + a.agent });
  const enc = encodeURIComponent(a.agent);
  box.append(el("p", {}, el("b", {}, a.agent), ` home ${a.preferred_site}, peer ${a.peer_site}` +
    (a.auto_restore_suspended ? "; auto-restore suspended" : "") + " ",
  actionButton("switch over", "switch " + a.agent + " over", "POST", `/v1/agents/${enc}/switchover`),
  " ", actionButton("restore", "restore " + a.agent, "POST", `/v1/agents/${enc}/restore`)));
  const c = el("table", {}, el("tr", {}, el("th", {}, "connection"), el("th", {}, "state"),
    el("th", {}, "site"), el("th", {}, "server")));
  for (const k in a.connections) {
    const x = a.connections[k];
    c.append(el("tr", {}, el("td", {}, k), el("td", {}, x.state), el("td", {}, x.site || ""),
      el("td", {}, x.server || "")));
  }
  const r = el("table", {}, el("tr", {}, el("th", {}, "proxy"), el("th", {}, "site"),
    el("th", {}, "server"), el("th", {}, "state"), el("th", {}, "expires in")));
  for (const x of a.registrations)
    r.append(el("tr", {}, el("td", {}, String(x.proxy)), el("td", {}, x.site || ""),
      el("td", {}, x.server || ""), el("td", {}, x.state),
      el("td", { class: "n" }, x.expires_in == null ? "" : x.expires_in + " s")));
  box.append(c, r, el("p", {}, a.call ? `in a call at ${a.call.site} since t = ${fmtT(a.call.since)}`
    : "no call"));
  return box;
}

async function showAgent(name) {
  if (!name) return;
  try {
    const r = await api("GET", "/v1/agents/" + encodeURIComponent(name));
    $("agent").replaceChildren(r.status === 200 && r.body ? agentView(r.body)
      : el("pre", { class: "err" }, `${r.status}: ` + (r.body ? r.body.error : r.text)));
  } catch (err) {
    $("agent").replaceChildren(el("pre", { class: "err" }, "no answer: " + err.message));
  }
}

$("find").addEventListener("submit", (ev) => {
  ev.preventDefault();
  showAgent($("find-name").value.trim());
});

setInterval(() => { pollSoon(); scheduleDraw(); }, 1000);
poll().then(follow);
