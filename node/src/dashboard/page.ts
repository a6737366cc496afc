/**
 * The dashboard page: one self-contained HTML document (no external assets, so it works on an
 * offline node). Charts are hand-written SVG paths; data arrives over Server-Sent Events from
 * /dashboard/events, falling back to polling /dashboard/api/status.
 */

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);

export function dashboardPage(nodeName: string): string {
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>AEGIS node · ${escapeHtml(nodeName)}</title>
<style>
  :root { --bg:#0f1419; --card:#19212a; --fg:#e6edf3; --muted:#8b98a5; --accent:#3fb6ff; --ok:#3ecf8e; --warn:#f5a524; --bad:#f2555a; }
  * { box-sizing: border-box; }
  body { margin:0; font:14px/1.4 "DejaVu Sans", "Liberation Sans", system-ui, sans-serif; background:var(--bg); color:var(--fg); }
  header { display:flex; align-items:center; gap:16px; padding:16px 24px; border-bottom:1px solid #253140; flex-wrap:wrap; }
  header h1 { font-size:18px; margin:0; }
  .mono { font-family:"DejaVu Sans Mono", monospace; font-size:12px; color:var(--muted); word-break:break-all; }
  .badge { padding:3px 10px; border-radius:999px; font-weight:600; background:#2a3643; }
  .badge.Active { background:var(--ok); color:#062b1b; } .badge.Registered { background:var(--accent); color:#04263a; }
  .badge.Jailed, .badge.Exited { background:var(--bad); color:#2b0607; } .badge.Exiting { background:var(--warn); color:#2e1d00; }
  #live { margin-left:auto; color:var(--muted); } #live.on::before { content:"● "; color:var(--ok); }
  main { padding:20px 24px; display:grid; gap:16px; grid-template-columns:repeat(auto-fill, minmax(200px, 1fr)); }
  .card { background:var(--card); border-radius:10px; padding:14px 16px; }
  .card h2 { margin:0 0 6px; font-size:12px; text-transform:uppercase; letter-spacing:.06em; color:var(--muted); font-weight:600; }
  .card .v { font-size:24px; font-weight:600; } .card .s { color:var(--muted); font-size:12px; margin-top:4px; }
  .wide { grid-column:1 / -1; } .half { grid-column:span 2; }
  svg { width:100%; height:160px; display:block; } svg text { fill:var(--muted); font-size:10px; }
  .grid line { stroke:#253140; } path.line { fill:none; stroke-width:2; } path.area { opacity:.15; }
  table { width:100%; border-collapse:collapse; } td { padding:4px 0; border-bottom:1px solid #253140; }
  .err { color:var(--warn); font-size:12px; }
</style>
</head>
<body>
<header>
  <h1>AEGIS edge node <span id="node-name">${escapeHtml(nodeName)}</span></h1>
  <span class="badge" id="node-status">…</span>
  <span class="mono" id="identity"></span>
  <span id="live">connecting…</span>
</header>
<main>
  <div class="card"><h2>Requests</h2><div class="v" id="requests-total">0</div><div class="s" id="requests-rate">– req/s</div></div>
  <div class="card"><h2>Cache hit ratio</h2><div class="v" id="cache-hit-ratio">–</div><div class="s" id="cache-detail"></div></div>
  <div class="card"><h2>WAF</h2><div class="v" id="waf-blocked">0</div><div class="s" id="waf-detail">blocked · 0 detected</div></div>
  <div class="card"><h2>DDoS filter</h2><div class="v" id="ddos-dropped">0</div><div class="s" id="ddos-detail">dropped</div></div>
  <div class="card"><h2>Bots &amp; rate limit</h2><div class="v" id="bots">0</div><div class="s" id="bots-detail"></div></div>
  <div class="card"><h2>Stake</h2><div class="v" id="stake">–</div><div class="s" id="stake-detail"></div></div>
  <div class="card"><h2>Epoch</h2><div class="v" id="epoch">–</div><div class="s" id="epoch-detail"></div></div>
  <div class="card"><h2>Rewards</h2><div class="v" id="rewards-claimed">–</div><div class="s" id="rewards-pending"></div></div>
  <div class="card half"><h2>Requests per second</h2><svg id="chart-rps" viewBox="0 0 600 160" preserveAspectRatio="none"></svg></div>
  <div class="card half"><h2>Cache hit ratio</h2><svg id="chart-hit" viewBox="0 0 600 160" preserveAspectRatio="none"></svg></div>
  <div class="card wide"><h2>Blocked per interval (WAF + DDoS)</h2><svg id="chart-blocks" viewBox="0 0 1200 160" preserveAspectRatio="none"></svg></div>
  <div class="card half"><h2>Zones</h2><table id="zones"></table></div>
  <div class="card half"><h2>Chain</h2><table id="chain"></table><div class="err" id="chain-error"></div></div>
</main>
<script>
"use strict";
const $ = (id) => document.getElementById(id);
const fmt = (n) => Number(n).toLocaleString("en-US");
const NS = "http://www.w3.org/2000/svg";

function chart(svg, points, opts) {
  const W = svg.viewBox.baseVal.width, H = svg.viewBox.baseVal.height, pad = 18;
  while (svg.firstChild) svg.removeChild(svg.firstChild);
  const max = opts.max ?? Math.max(1, ...points.map((p) => p.y));
  const g = document.createElementNS(NS, "g"); g.setAttribute("class", "grid");
  for (let i = 0; i <= 4; i++) {
    const y = pad + (H - 2 * pad) * i / 4;
    const l = document.createElementNS(NS, "line");
    l.setAttribute("x1", "0"); l.setAttribute("x2", String(W)); l.setAttribute("y1", String(y)); l.setAttribute("y2", String(y));
    g.appendChild(l);
  }
  svg.appendChild(g);
  const label = document.createElementNS(NS, "text");
  label.setAttribute("x", "4"); label.setAttribute("y", "12");
  label.textContent = opts.label(max);
  svg.appendChild(label);
  if (points.length < 2) return;
  const t0 = points[0].x, t1 = points[points.length - 1].x || t0 + 1;
  const X = (x) => ((x - t0) / Math.max(1, t1 - t0)) * W;
  const Y = (y) => H - pad - (Math.min(y, max) / max) * (H - 2 * pad);
  if (opts.bars) {
    const w = Math.max(2, W / points.length - 2);
    for (const p of points) {
      const r = document.createElementNS(NS, "rect");
      r.setAttribute("x", String(X(p.x) - w / 2)); r.setAttribute("width", String(w));
      r.setAttribute("y", String(Y(p.y))); r.setAttribute("height", String(H - pad - Y(p.y)));
      r.setAttribute("fill", opts.color);
      svg.appendChild(r);
    }
    return;
  }
  const d = points.map((p, i) => (i ? "L" : "M") + X(p.x).toFixed(1) + " " + Y(p.y).toFixed(1)).join(" ");
  const area = document.createElementNS(NS, "path");
  area.setAttribute("d", d + " L" + X(t1) + " " + (H - pad) + " L" + X(t0) + " " + (H - pad) + " Z");
  area.setAttribute("class", "area"); area.setAttribute("fill", opts.color);
  const line = document.createElementNS(NS, "path");
  line.setAttribute("d", d); line.setAttribute("class", "line"); line.setAttribute("stroke", opts.color);
  svg.appendChild(area); svg.appendChild(line);
}

function rows(el, pairs) {
  el.innerHTML = "";
  for (const [k, v] of pairs) {
    const tr = document.createElement("tr");
    const a = document.createElement("td"); a.textContent = k;
    const b = document.createElement("td"); b.textContent = v; b.className = "mono";
    tr.appendChild(a); tr.appendChild(b); el.appendChild(tr);
  }
}

function render(s) {
  const t = s.traffic, c = s.chain, h = s.history;
  $("identity").textContent = s.identity;
  const status = c.status ?? (c.registered === false && c.readAt ? "Unregistered" : "unknown");
  const badge = $("node-status"); badge.textContent = status; badge.className = "badge " + status;
  $("requests-total").textContent = fmt(t.requests);
  const last = h[h.length - 1], prev = h[h.length - 2];
  const rate = last && prev ? (last.requests - prev.requests) / Math.max(0.001, (last.t - prev.t) / 1000) : 0;
  $("requests-rate").textContent = rate.toFixed(1) + " req/s · " + fmt(t.status["2xx"]) + " 2xx · " + fmt(t.status["4xx"]) + " 4xx · " + fmt(t.status["5xx"]) + " 5xx";
  $("cache-hit-ratio").textContent = t.cacheHitRatio === null ? "–" : (t.cacheHitRatio * 100).toFixed(1) + " %";
  $("cache-detail").textContent = fmt(t.cacheHits) + " hits · " + fmt(t.cacheMisses) + " misses";
  $("waf-blocked").textContent = fmt(t.wafBlocked);
  $("waf-detail").textContent = "blocked · " + fmt(t.wafDetected) + " detected";
  $("ddos-dropped").textContent = fmt(t.ddosDropped);
  $("ddos-detail").textContent = "dropped · " + fmt(t.ddosPassed) + " passed";
  $("bots").textContent = fmt(t.botChallenged + t.botBlocked);
  $("bots-detail").textContent = fmt(t.botChallenged) + " challenged · " + fmt(t.botBlocked) + " blocked · " + fmt(t.rateLimited) + " rate-limited";
  $("stake").textContent = c.stake ? c.stake.bonded + " AEGIS" : "–";
  $("stake-detail").textContent = c.stake ? c.stake.pendingUnstake + " unbonding · " + c.stake.pendingSlashes + " pending slashes" : "";
  $("epoch").textContent = c.epoch ? String(c.epoch.current) : "–";
  $("epoch-detail").textContent = c.epoch ? "ends " + new Date(c.epoch.endsAt).toISOString().replace(".000Z", "Z") : "";
  $("rewards-claimed").textContent = c.rewards ? c.rewards.claimed + " AEGIS" : "–";
  $("rewards-pending").textContent = c.rewards ? "claimed in " + c.rewards.claimedEpochs + " epochs · pending " + (c.rewards.pending === null ? "– (no epoch files)" : c.rewards.pending + " AEGIS") : "";
  rows($("zones"), s.zones.map((z) => [z.domain, "v" + z.policyVersion]));
  rows($("chain"), [["node", c.node], ["operator", c.operator ?? "–"], ["reputation", c.reputation === null ? "–" : c.reputation + " / 10000"], ["region", c.region ?? "–"], ["auto-claim", c.autoClaim === null ? "–" : c.autoClaim ? "on" : "off"], ["reports signed", String(s.reports.count)], ["RPC", c.rpcUrl ?? "–"]]);
  $("chain-error").textContent = c.error ?? "";
  const rps = [], hit = [], blocks = [];
  for (let i = 1; i < h.length; i++) {
    const dt = Math.max(0.001, (h[i].t - h[i - 1].t) / 1000);
    rps.push({ x: h[i].t, y: (h[i].requests - h[i - 1].requests) / dt });
    const lk = (h[i].cacheHits - h[i - 1].cacheHits) + (h[i].cacheMisses - h[i - 1].cacheMisses);
    hit.push({ x: h[i].t, y: lk > 0 ? (h[i].cacheHits - h[i - 1].cacheHits) / lk : (hit.length ? hit[hit.length - 1].y : 0) });
    blocks.push({ x: h[i].t, y: (h[i].wafBlocked - h[i - 1].wafBlocked) + (h[i].ddosDropped - h[i - 1].ddosDropped) });
  }
  chart($("chart-rps"), rps, { color: "#3fb6ff", label: (m) => "max " + m.toFixed(1) + " req/s" });
  chart($("chart-hit"), hit, { color: "#3ecf8e", max: 1, label: () => "100 %" });
  chart($("chart-blocks"), blocks, { color: "#f2555a", bars: true, label: (m) => "max " + fmt(m) });
  document.body.dataset.updated = String(s.now);
}

let polling;
function poll() {
  if (polling) return;
  $("live").textContent = "polling"; $("live").className = "on";
  const once = () => fetch("/dashboard/api/status").then((r) => r.json()).then(render).catch(() => { $("live").textContent = "offline"; $("live").className = ""; });
  once(); polling = setInterval(once, 2000);
}
if ("EventSource" in window) {
  const es = new EventSource("/dashboard/events");
  let failures = 0;
  es.onmessage = (e) => { failures = 0; $("live").textContent = "live"; $("live").className = "on"; render(JSON.parse(e.data)); };
  es.onerror = () => { if (++failures >= 3) { es.close(); poll(); } };
} else poll();
</script>
</body>
</html>`;
}
