// The script tag's loader: <script src="https://<worker>/dni.js" data-site="<site>" async></script>
//
// Bundled with the browser module's glue into /dni.js (scripts/build). Classic and async, so it never
// blocks the page; it never throws and never logs. It owns the page's event plumbing: the network
// (with a bounded wait), heartbeats while the page is visible, the release on pagehide, watching the
// page for new content (MutationObserver, batched to one pass per frame; open shadow roots;
// same-origin frames), the consent signals and `window.dni`. The wasm module owns what the page
// shows and remembers. See ARCHITECTURE.md.
import init, * as module from "../../../www/dni/dni_client.js";

((w, d) => {
  var script = d.currentScript;
  var site = script && script.getAttribute("data-site");
  if (!site || !w.fetch || !w.WebAssembly || !d.evaluate || !w.MutationObserver) return;
  var base = new URL(script.src, location.href).origin;
  var api = base + "/v1/sites/" + encodeURIComponent(site) + "/";
  var WAIT = 1500; // the longest the page ever waits for the worker, in ms
  var html = d.documentElement;
  var declared = script.getAttribute("data-consent");
  var started, config, heartbeat, asking, again, readyDone, resolveReady;
  var pending = [], roots = [], scheduled = false;
  // (Every browser with WebAssembly has WeakSet.)
  var watched = new WeakSet();

  var dni = (w.dni = {
    // Resolves with the numbers by target once they are known (or the worker could not say).
    ready: new Promise((resolve) => { resolveReady = resolve; }),
    numbers: {},
    // Swaps content the observer cannot see (closed shadow roots, content built off-document).
    swap: (root) => { if (started) visit(root || d); },
    // The site's consent signal: "none", "session" or "full".
    consent: (tier) => { declared = tier; if (config) start(); },
  });

  // Anti-flicker: pages that opt in hide [data-dni-hide] while <html data-dni-wait>; never > 300 ms.
  var reveal = () => html.removeAttribute("data-dni-wait");
  setTimeout(reveal, 300);

  // A request with a bounded wait; resolves with {s: status, t: text}, or null on any failure.
  var send = (url, method, body) => {
    var abort = new AbortController();
    var timer = setTimeout(() => abort.abort(), WAIT);
    return fetch(url, { method, body, signal: abort.signal })
      .then((r) => r.text().then((t) => ({ s: r.status, t })))
      .catch(() => null)
      .then((a) => { clearTimeout(timer); return a; });
  };

  // Google Consent Mode's latest analytics_storage, if the page uses it.
  var consentMode = () => {
    var value = null, layer = w.dataLayer;
    if (layer && layer.length) {
      for (var i = 0; i < layer.length; i++) {
        var e = layer[i];
        if (e && e[0] === "consent" && e[2] && e[2].analytics_storage) value = e[2].analytics_storage;
      }
    }
    return value;
  };

  // A property the browser may refuse to give (storage and cookies in sandboxed frames, storage
  // switched off): undefined then.
  var read = (o, name) => {
    try { return o[name] || undefined; } catch (e) {}
  };

  // A random id: 16 bytes from the browser's CSPRNG, base64url (22 characters).
  var randomId = () =>
    btoa(String.fromCharCode.apply(null, crypto.getRandomValues(new Uint8Array(16))))
      .replace(/\+/g, "-").replace(/\//g, "_").slice(0, 22);

  // The numbers by target, the live leases and the heartbeat interval.
  var state = () => JSON.parse(module.state());

  // The module decides the consent tier from the signals, and reads the cookie only in the full tier.
  var start = () => {
    // Another tier: the page shows its own numbers again before the new client looks at it.
    if (started) for (var i = 0; i < roots.length; i++) module.revert(roots[i]);
    started = true;
    module.start({
      config,
      consent: declared,
      gpc: navigator.globalPrivacyControl === true ? 1 : 0,
      consent_mode: consentMode(),
      webdriver: navigator.webdriver === true ? 1 : 0,
      user_agent: navigator.userAgent,
      href: location.href,
      referrer: d.referrer,
      cookie: read(d, "cookie"),
      now: Date.now(),
      id: randomId(),
      local: read(w, "localStorage"),
      session: read(w, "sessionStorage"),
    });
    visit(d);
    ask();
  };

  // Scans a root and everything under it the module cannot reach by itself: open shadow roots and
  // same-origin frames, which are also watched from then on.
  var visit = (root) => {
    var more = module.scan(root);
    watch(root);
    var all = root.querySelectorAll ? root.querySelectorAll("*") : [];
    for (var i = 0; i < all.length; i++) {
      var el = all[i];
      if (el.shadowRoot && !watched.has(el.shadowRoot)) more = visit(el.shadowRoot) || more;
      if (el.tagName == "IFRAME") frame(el);
    }
    return more;
  };

  var frame = (f) => {
    if (watched.has(f)) return;
    watched.add(f);
    var attach = () => {
      try {
        var doc = f.contentDocument;
        if (doc && doc.body && !watched.has(doc)) { if (visit(doc)) ask(); }
      } catch (e) {}
    };
    f.addEventListener("load", attach);
    attach();
  };

  var watch = (root) => {
    if (watched.has(root)) return;
    watched.add(root);
    roots.push(root);
    new MutationObserver((records) => {
      for (var i = 0; i < records.length; i++) {
        var r = records[i];
        if (r.type == "childList") for (var j = 0; j < r.addedNodes.length; j++) schedule(r.addedNodes[j]);
        else schedule(r.target);
      }
    }).observe(root, { childList: true, subtree: true, characterData: true, attributes: true,
      attributeFilter: ["href", "title", "aria-label"] });
  };

  // One pass per frame over what changed.
  var schedule = (node) => {
    pending.push(node);
    if (!scheduled) { scheduled = true; requestAnimationFrame(flush); }
  };
  var flush = () => {
    scheduled = false;
    if (!started) return;
    var nodes = pending, more = false;
    pending = [];
    for (var i = 0; i < nodes.length; i++) {
      var n = nodes[i];
      if (!n.isConnected) continue;
      more = (n.nodeType == 3 ? module.scan(n) : visit(n)) || more;
    }
    if (more) ask();
  };

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
  var ask = () => {
    if (asking) return (again = true);
    var request = module.request();
    if (!request) return finish();
    var space = request.indexOf(" ");
    asking = true;
    again = false;
    send(api + request.slice(0, space), "POST", request.slice(space + 1)).then((a) => {
      asking = false;
      var t = performance.now();
      if (a && a.s == 200 && module.assign(a.t, d)) {
        rescan();
        // The pass that put the numbers on the page, for developers' tools and the benchmark.
        if (!readyDone) try { performance.measure("dni:swap", { start: t }); } catch (e) {}
      }
      finish();
      beat();
      if (again && module.scan(d)) ask();
    });
  };

  // Shadow roots and frames get the new numbers too.
  var rescan = () => {
    for (var i = 1; i < roots.length; i++) module.scan(roots[i]);
  };

  var finish = () => {
    reveal();
    if (!started) return resolveReady && resolveReady(dni.numbers);
    dni.numbers = state().numbers;
    if (!readyDone) { readyDone = true; resolveReady(dni.numbers); }
    d.dispatchEvent(new CustomEvent("dni:swapped", { detail: dni.numbers }));
  };

  var leases = () => (started ? state().leases : []);

  // Heartbeats while the page is visible; a lease the worker says is gone is asked for again.
  var beat = () => {
    clearInterval(heartbeat);
    var s = state();
    if (s.leases.length) heartbeat = setInterval(tick, s.heartbeat_ms);
  };
  var tick = () => {
    if (d.hidden) return;
    leases().forEach((id) => {
      send(api + "leases/" + id + "/heartbeat", "POST", "").then((a) => {
        if (!a) return;
        if (a.s == 410) { module.heartbeat(id); ask(); }
        else if (a.s == 200) module.heartbeat(id, +JSON.parse(a.t).expires_at);
      });
    });
  };

  // A returning visitor's page starts at once from the configuration the module kept (with its
  // stored leases), then follows the fresh one if it differs; a first visit waits for it.
  var fresh = send(api + "public", "GET");
  init({ module_or_path: base + "/dni/dni_client_bg.wasm" })
    .then(() => {
      var kept;
      try { kept = localStorage.getItem("dni.config") || sessionStorage.getItem("dni.config"); } catch (e) {}
      if (kept) { config = kept; start(); }
      return fresh;
    })
    .then((r) => {
      if (r && r.s == 200) { if (r.t != config) { config = r.t; start(); } }
      else if (!started) finish();
    })
    .catch(finish);

  d.addEventListener("visibilitychange", () => { if (!d.hidden) tick(); });
  w.addEventListener("pageshow", (e) => { if (e.persisted) tick(); });
  // The visitor leaves: release the numbers (a page kept in the back/forward cache keeps them).
  w.addEventListener("pagehide", (e) => {
    if (e.persisted) return;
    leases().forEach((id) => { navigator.sendBeacon(api + "leases/" + id + "/release"); });
  });
})(window, document);
