// The script tag's loader: <script src="https://<worker>/dni.js" data-site="<site>" async></script>
//
// Bundled with the browser module's glue into /dni.js (scripts/build). Classic and async, so it never
// blocks the page; it never throws and never logs. It owns the page's event plumbing: the network
// (with a bounded wait), heartbeats while the page is visible, the release on pagehide, watching the
// page for new content (MutationObserver, batched to one pass per frame; open shadow roots;
// same-origin frames), the consent signals and `window.dni`. The wasm module owns what the page
// shows and remembers. See ARCHITECTURE.md.
//
// The first swap as early as the network allows: the loader's first request leaves at once, while
// the module is fetched and compiled, and brings the site's public configuration with the numbers.
// Its names (storage keys, fields, limits) are `dni_core::wire`'s; the client crate's tests check
// them. MODULE is the module's content-addressed path, set by the build.
import init, * as module from "../../../www/dni/dni_client.js";

((w, d) => {
  var script = d.currentScript;
  var site = script && script.getAttribute("data-site");
  if (!site || !w.fetch || !w.WebAssembly || !d.evaluate || !w.MutationObserver) return;
  // For developers' tools and bench/first-swap.mjs: when the loader started.
  try { performance.mark("dni:start"); } catch (e) {}
  var base = new URL(script.src, location.href).origin;
  var api = base + "/v1/sites/" + encodeURIComponent(site) + "/";
  var WAIT = 1500; // the longest the page ever waits for the worker, in ms
  var html = d.documentElement;
  var declared = script.getAttribute("data-consent");
  var started, heartbeat, asking, again, readyDone, resolveReady;
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
    consent: (tier) => { declared = tier; if (config) { start(); ask(); } },
  });

  // Anti-flicker: pages that opt in hide [data-dni-hide] while <html data-dni-wait>, for at most
  // the attribute's value in ms (300 when it has none): see docs/page.md for what to set it to.
  var reveal = () => html.removeAttribute("data-dni-wait");
  setTimeout(reveal, +html.getAttribute("data-dni-wait") || 300);

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
      // The URL as it is, which the module redacts (with the names the configuration lists, the
      // defaults among them); the referrer's origin, all that classification reads of it.
      href: location.href,
      referrer,
      ga,
      now,
      id: session,
      local: read(w, "localStorage"),
      session: read(w, "sessionStorage"),
    });
    visit(d);
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
    // The attributes a number may be in: href, title, aria-label and data-dni-* (no filter can
    // name a prefix: the others are skipped here).
    new MutationObserver((records) => {
      for (var i = 0; i < records.length; i++) {
        var r = records[i], a = r.attributeName;
        if (r.type == "childList") for (var j = 0; j < r.addedNodes.length; j++) schedule(r.addedNodes[j]);
        else if (!a || /^(href|title|aria-label|data-dni-.*)$/.test(a)) schedule(r.target);
      }
    }).observe(root, { childList: true, subtree: true, characterData: true, attributes: true });
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
      answered(a);
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

  // The module has an answer (the first request's, or one it asked for): the page shows it.
  var answered = (a) => {
    var t = performance.now();
    if (a && a.s == 200 && module.assign(a.t, d)) {
      rescan();
      // The pass that put the numbers on the page, for developers' tools and the benchmark.
      if (!readyDone) try { performance.measure("dni:swap", { start: t }); } catch (e) {}
    }
  };

  // The first request's URL and referrer, sent before the module (which runs the core's redaction,
  // dni_core::privacy, on every URL it keeps or sends) has arrived: only what that redaction leaves
  // as it is, whatever the site lists, so that the worker (which runs it again on all it receives)
  // keeps what was sent: the landing's origin; its path unless it holds an "@" (decoded once or
  // twice, as the redaction reads it); its UTM tags and click ids as written (never redacted:
  // privacy::is_exempt); the referrer's origin. Nothing else leaves the browser this early.
  var early = (l) =>
    l.origin + (/@/.test(unescape(unescape(l.pathname))) ? "/" : l.pathname) +
    l.search.replace(/[?&]([^&]*)/g, (p, pair) =>
      /^utm_/.test(pair) || /^(gclid|gbraid|wbraid|dclid|msclkid|ttclid|li_fat_id|twclid|sccid|epik|rdt_cid|yclid|irclickid|awc|cjevent|mc_cid|_hsenc|_kx|fbclid|gad_source)(=|$)/i.test(pair) ? "&" + pair : "").replace("&", "?");
  var referrer = d.referrer && new URL(d.referrer).origin + "/";

  // What the first request needs, read before the module exists. The tier is the module's to
  // decide (dni_core::consent); the loader asks early only where it is plain: no consent signal but
  // "full" (or Consent Mode's "granted"), and then Global Privacy Control means session storage.
  var now = Date.now(), first, kept = [], tails = [];
  var plain = (v) => !v || /^\s*(full|granted|1|true)\s*$/i.test(v);
  var store = read(w, navigator.globalPrivacyControl === true ? "sessionStorage" : "localStorage");
  var get = (key) => { try { return store.getItem("dni." + key); } catch (e) {} };
  var json = (text) => { try { return JSON.parse(text); } catch (e) {} };
  var s = (get("session") || "").split("|");
  var session = now - s[1] < 18e5 && /^[\w-]{16,64}$/.test(s[0]) ? s[0] : randomId();
  var cookie = (name) => ((read(d, "cookie") || "").match("(^|; )" + name + "=([^;]{1,128})") || [])[2] || "";
  var ga = navigator.globalPrivacyControl === true ? [] : [cookie("_ga"), cookie("_ga_[^=;]+")];
  var config = get("config") || undefined, journey = json(get("journey")) || {};
  (json(get("leases")) || []).forEach((l) => { if (l.expires_at > now) kept.push(l.target.slice(-7)); });
  // The digits the page shows: the last seven of each long run, but those a stored lease covers.
  var look = (text) => {
    (text.replace(/%20|%2B|[\s\-.()\u2010-\u2013]/gi, "").match(/\d{7,}/g) || []).forEach((run) => {
      run = run.slice(-7);
      if (tails.length < 16 && tails.indexOf(run) < 0 && kept.indexOf(run) < 0) tails.push(run);
    });
  };
  var walker = d.createTreeWalker(d.body || html, 4), node;
  while ((node = walker.nextNode())) if (!/^(SCRIPT|STYLE|NOSCRIPT|TEMPLATE|TEXTAREA)$/.test(node.parentNode.nodeName)) look(node.data);
  d.querySelectorAll("[href^='tel:' i]").forEach((a) => look(a.getAttribute("href")));
  // (A returning visitor whose stored leases cover the page asks nothing: they are shown at once.
  // A page without a number yet, or a tier the loader cannot tell, waits for the module, with the
  // site's configuration.)
  if (tails.length && plain(declared) && plain(consentMode()) && !navigator.webdriver) {
    asking = true;
    first = send(api + "leases", "POST", JSON.stringify({
      session,
      tails,
      page: { url: early(location), referrer },
      journey: { first: journey.first },
      views: journey.views,
      ga: ga[0] || ga[1] ? { client: ga[0], session: ga[1] } : undefined,
      consent: ga[0] == null ? "session" : "full",
    }));
  } else if (!config) first = send(api + "public", "GET");

  // A returning visitor's page starts at once from the configuration and leases it kept; a new one
  // starts with the configuration the first answer brings.
  init({ module_or_path: base + "/" + MODULE })
    .then(() => {
      if (config) start();
      return first;
    })
    .then((a) => {
      var answer = a && a.s == 200 && json(a.t);
      var fresh = answer && JSON.stringify(answer.numbers ? answer.config : answer);
      if (fresh && fresh != config) { config = fresh; start(); }
      if (answer && answer.numbers) {
        answered(a);
        // Numbers leased for digits that were not the site's number after all go back at once.
        answer.numbers.forEach((n) => { if (n.lease && leases().indexOf(n.lease) < 0) navigator.sendBeacon(api + "leases/" + n.lease + "/release"); });
      }
      asking = false;
      // Asks only for what the page shows and still has no number for.
      if (started) { beat(); if (module.scan(d)) ask(); else finish(); } else finish();
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
