// The script tag's loader: <script src="https://<worker>/dni.js" data-site="<site>" async></script>
//
// Bundled with the browser module's glue into /dni.js (scripts/build). Classic and async, so it never
// blocks the page; it never throws and never logs. It owns the page's event plumbing: the network
// (with a bounded wait), heartbeats while the page is visible, the release on pagehide, watching the
// page for new content (MutationObserver, batched to one pass per frame; open shadow roots;
// same-origin frames), the consent signals and `window.dni`. The wasm module owns what the page
// shows and remembers. See ARCHITECTURE.md.
import init, { Client, consent_tier } from "../../../www/dni/dni_client.js";

(function (w, d) {
  var script = d.currentScript;
  var site = script && script.getAttribute("data-site");
  if (!site || !w.fetch || !w.WebAssembly || !d.evaluate || !w.MutationObserver) return;
  var base = new URL(script.src, location.href).origin;
  var api = base + "/v1/sites/" + encodeURIComponent(site) + "/";
  var WAIT = 1500; // the longest the page ever waits for the worker, in ms
  var html = d.documentElement;
  var declared = script.getAttribute("data-consent");
  var client, config, heartbeat, asking, again, readyDone, resolveReady;
  var pending = [], roots = [], scheduled = false;
  var watched = typeof WeakSet == "function" ? new WeakSet() : { has: function () {}, add: function () {} };

  var dni = (w.dni = {
    // Resolves with the numbers by target once they are known (or the worker could not say).
    ready: new Promise(function (resolve) { resolveReady = resolve; }),
    numbers: {},
    // Swaps content the observer cannot see (closed shadow roots, content built off-document).
    swap: function (root) { if (client) visit(root || d); },
    // The site's consent signal: "none", "session" or "full".
    consent: function (tier) { declared = tier; if (config) start(); },
  });

  // Anti-flicker: pages that opt in hide [data-dni-hide] while <html data-dni-wait>; never > 300 ms.
  setTimeout(reveal, 300);
  function reveal() { html.removeAttribute("data-dni-wait"); }

  // A request with a bounded wait; resolves with {s: status, t: text}, or null on any failure.
  function send(url, method, body) {
    var abort = new AbortController();
    var timer = setTimeout(function () { abort.abort(); }, WAIT);
    return fetch(url, { method: method, body: body, signal: abort.signal })
      .then(function (r) { return r.text().then(function (t) { return { s: r.status, t: t }; }); })
      .catch(function () { return null; })
      .then(function (a) { clearTimeout(timer); return a; });
  }

  // Google Consent Mode's latest analytics_storage, if the page uses it.
  function consentMode() {
    var value = null, layer = w.dataLayer;
    if (layer && layer.length) {
      for (var i = 0; i < layer.length; i++) {
        var e = layer[i];
        if (e && e[0] === "consent" && e[2] && e[2].analytics_storage) value = e[2].analytics_storage;
      }
    }
    return value;
  }

  Promise.all([
    send(api + "public", "GET"),
    init({ module_or_path: base + "/dni/dni_client_bg.wasm" }),
  ])
    .then(function (r) {
      if (r[0] && r[0].s == 200) {
        config = r[0].t;
        start();
      } else finish();
    })
    .catch(finish);

  function start() {
    var tier = consent_tier(declared, navigator.globalPrivacyControl === true, consentMode());
    if (client) {
      // Another tier: the page shows its own numbers again before the new client looks at it.
      for (var i = 0; i < roots.length; i++) client.revert(roots[i]);
      client.free();
    }
    client = new Client(config, tier, navigator.webdriver === true, navigator.userAgent,
      location.href, d.referrer, tier == 2 ? d.cookie : "");
    visit(d);
    ask();
  }

  // Scans a root and everything under it the module cannot reach by itself: open shadow roots and
  // same-origin frames, which are also watched from then on.
  function visit(root) {
    var more = client.scan(root);
    watch(root);
    var all = root.querySelectorAll ? root.querySelectorAll("*") : [];
    for (var i = 0; i < all.length; i++) {
      var el = all[i];
      if (el.shadowRoot && !watched.has(el.shadowRoot)) more = visit(el.shadowRoot) || more;
      if (el.tagName == "IFRAME") frame(el);
    }
    return more;
  }

  function frame(f) {
    if (watched.has(f)) return;
    watched.add(f);
    var attach = function () {
      try {
        var doc = f.contentDocument;
        if (doc && doc.body && !watched.has(doc)) { if (visit(doc)) ask(); }
      } catch (e) {}
    };
    f.addEventListener("load", attach);
    attach();
  }

  function watch(root) {
    if (watched.has(root)) return;
    watched.add(root);
    roots.push(root);
    new MutationObserver(function (records) {
      for (var i = 0; i < records.length; i++) {
        var r = records[i];
        if (r.type == "childList") for (var j = 0; j < r.addedNodes.length; j++) schedule(r.addedNodes[j]);
        else schedule(r.target);
      }
    }).observe(root, { childList: true, subtree: true, characterData: true, attributes: true,
      attributeFilter: ["href", "title", "aria-label"] });
  }

  // One pass per frame over what changed.
  function schedule(node) {
    pending.push(node);
    if (!scheduled) { scheduled = true; requestAnimationFrame(flush); }
  }
  function flush() {
    scheduled = false;
    if (!client) return;
    var nodes = pending, more = false;
    pending = [];
    for (var i = 0; i < nodes.length; i++) {
      var n = nodes[i];
      if (!n.isConnected) continue;
      more = (n.nodeType == 3 ? client.scan(n) : visit(n)) || more;
    }
    if (more) ask();
  }

  // Open shadow roots attached after load (a custom element upgraded in place) make no mutation the
  // observer could see: attachShadow tells us. Transparent: same arguments, same result, same errors.
  var attachShadow = Element.prototype.attachShadow;
  if (attachShadow) {
    Element.prototype.attachShadow = function (init) {
      var root = attachShadow.apply(this, arguments);
      if (init && init.mode == "open") schedule(root);
      return root;
    };
  }

  // Asks the worker for the numbers the page shows and has none for yet. One request at a time: a
  // number seen meanwhile is asked for when the answer is in.
  function ask() {
    if (asking) return (again = true);
    var request = client.request();
    if (!request) return finish();
    var space = request.indexOf(" ");
    asking = true;
    again = false;
    send(api + request.slice(0, space), "POST", request.slice(space + 1)).then(function (a) {
      asking = false;
      if (a && a.s == 200 && client.assign(a.t, d)) rescan();
      finish();
      beat();
      if (again && client.scan(d)) ask();
    });
  }

  // Shadow roots and frames get the new numbers too.
  function rescan() {
    for (var i = 1; i < roots.length; i++) client.scan(roots[i]);
  }

  function finish() {
    reveal();
    if (!client) return resolveReady && resolveReady(dni.numbers);
    dni.numbers = JSON.parse(client.numbers());
    if (!readyDone) { readyDone = true; resolveReady(dni.numbers); }
    d.dispatchEvent(new CustomEvent("dni:swapped", { detail: dni.numbers }));
  }

  function leases() { return client ? client.leases().split(" ").filter(Boolean) : []; }

  // Heartbeats while the page is visible; a lease the worker says is gone is asked for again.
  function beat() {
    clearInterval(heartbeat);
    if (leases().length) heartbeat = setInterval(tick, client.heartbeat_ms());
  }
  function tick() {
    if (d.hidden) return;
    leases().forEach(function (id) {
      send(api + "leases/" + id + "/heartbeat", "POST", "").then(function (a) {
        if (!a) return;
        if (a.s == 410) { client.gone(id); ask(); }
        else if (a.s == 200) client.extended(id, JSON.parse(a.t).expires_at);
      });
    });
  }
  d.addEventListener("visibilitychange", function () { if (!d.hidden) tick(); });
  w.addEventListener("pageshow", function (e) { if (e.persisted) tick(); });
  // The visitor leaves: release the numbers (a page kept in the back/forward cache keeps them).
  w.addEventListener("pagehide", function (e) {
    if (e.persisted) return;
    leases().forEach(function (id) { navigator.sendBeacon(api + "leases/" + id + "/release"); });
  });
})(window, document);
