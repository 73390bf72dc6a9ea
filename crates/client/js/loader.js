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
  var pending = [], roots = [], observers = [], scheduled = false;
  // The filters swapIn built, by the digits they look for (a RegExp is compiled when first used:
  // the page's client builds the same few again for every change the observer reports).
  var filters = {};
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
  // (No timer on a page that does not: each task a timer runs is the tag's main-thread time.)
  var wait = html.getAttribute("data-dni-wait");
  var reveal = () => { clearTimeout(hidden); html.removeAttribute("data-dni-wait"); };
  var hidden = wait != null && setTimeout(reveal, +wait || 300);

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

  var str = (v) => (typeof v == "string" ? v : "");
  // An E.164 number (dni_core::phone::E164::parse): "+", 8 to 15 digits, the first not 0. The only
  // thing the page ever shows in place of the site's number (the module checks again).
  var e164 = (v) => typeof v == "string" && /^\+[1-9]\d{7,14}$/.test(v);
  var num = (v) => (typeof v == "number" && v >= 0 ? Math.floor(v) : undefined);
  var list = (v) => (Array.isArray(v) ? v : []);
  var setItem = (st, key, value) => { try { st && st.setItem("dni." + key, value); } catch (e) {} };
  var getItem = (st, key) => { try { return st.getItem("dni." + key); } catch (e) {} };

  // The page's client: what it shows and remembers, started from the signals (again when the
  // consent changes). The module answers what must be the core's (the tier, the redaction, whether
  // a view may be a touch, what a number is, finding and swapping them); this keeps the state,
  // with the browser's own JSON and storage. Its names are dni_core::wire's (the keys "dni.*",
  // MAX_VIEWS 3, the heartbeat between 1 s and 60 s, the session's 30 minutes).
  var client;
  var start = (given) => {
    // Another tier: the page shows its own numbers again before the new client looks at it.
    if (started) for (var i = 0; i < roots.length; i++) revert(roots[i]);
    started = true;
    var tier = tierOf();
    // (Session storage only where the tier uses or erases it: the browser opens it on first use.)
    var local = read(w, "localStorage"), sess = tier < 2 && read(w, "sessionStorage");
    // The tier's storage; what wider tiers left in the others is erased.
    var erase = (st) => ["session", "journey", "leases", "config"].forEach((k) => { try { st && st.removeItem("dni." + k); } catch (e) {} });
    if (tier < 2) erase(local);
    if (tier < 1) erase(sess);
    var st = tier == 2 ? local : tier == 1 ? sess : null;
    var parsed = json(config);
    var valid = parsed && parsed.targets && typeof parsed.targets == "object";
    if (valid && getItem(st, "config") !== config) setItem(st, "config", config);
    var names = valid ? list(parsed.redact_params).filter((n) => typeof n == "string").join("|") : "";
    var redact = (url) => module.redact(str(url), names);
    // Every URL the page keeps or sends passes the core's redaction (dni_core::privacy), with the
    // listed names; the stored journey again (an older release, or before the site listed a name).
    var touchOf = (t) => t && typeof t.landing == "string" && num(t.at) !== undefined ? { landing: redact(t.landing), referrer: redact(t.referrer), at: num(t.at) } : undefined;
    var view = { landing: redact(location.href), referrer: redact(referrer), at: now };
    var stored = (st && json(getItem(st, "journey"))) || {};
    var views = list(stored.views).map(touchOf).concat([touchOf(stored.last)]).filter((v) => v);
    var first = touchOf(stored.first) || view;
    // A view that may be a touch (dni_core::wire::may_be_touch: a query string, or a referrer from
    // another site), which the worker classifies; kept once.
    var touched = (/\?/.test(view.landing) || (referrer && siteOf(new URL(referrer)) != siteOf(location))) && (views.length ? views[views.length - 1].landing : undefined) != view.landing;
    if (touched) views.push(view);
    views = views.slice(-3);
    setItem(st, "journey", JSON.stringify({ first, views: views.length ? views : undefined }));
    // The session: kept while page views follow each other within 30 minutes.
    var id = sessionOf(st && getItem(st, "session"), () => session);
    setItem(st, "session", id + "|" + now);
    var live = (st && json(getItem(st, "leases"))) || [];
    if (tier == 2) jarRead = readJar();
    client = {
      touched,
      tier,
      st,
      id,
      first,
      views,
      view,
      hb: 6e4,
      slots: (valid ? list(parsed.targets) : []).filter((t) => e164(t)).map((t) => {
        var slot = { t, n: null, l: null, x: 0, shown: [] };
        list(live).some((e) => {
          var a = entry(e);
          return a && a.l && a.x > now && a.t == t && ((slot.n = a.n), (slot.l = a.l), (slot.x = a.x), 1);
        });
        return slot;
      }),
    };
    // A first answer that comes with the configuration is applied in the pass that finds the
    // site's numbers (a pass over a big page is the tag's largest main-thread cost): its numbers
    // go to every slot, the scan swaps those the page shows, and the others are put back as they
    // were (their leases, not taken, are released).
    var before = given && client.slots.map((s) => [s.n, s.l, s.x, s.shown.slice()]);
    if (given) take(given, 1);
    visit(d);
    if (before) {
      client.slots.forEach((s, i) => { if (!s.seen) [s.n, s.l, s.x, s.shown] = before[i]; });
      saveLeases();
    }
  };

  // One entry of an answer's numbers (also how leases are stored): anything that is not E.164 is
  // refused, so the page only ever shows a phone number.
  var entry = (e) => e && e164(e.target) && e164(e.number) ? { t: e.target, n: e.number, l: typeof e.lease == "string" && e.lease.length <= 100 ? e.lease : null, x: num(e.expires_at) || 0 } : undefined;

  var saveLeases = () => setItem(client.st, "leases", JSON.stringify(client.slots.filter((s) => s.n && s.l).map((s) => ({ target: s.t, number: s.n, lease: s.l, expires_at: s.x }))));

  // What to replace, as the module takes it: each target by its number, and any number this page
  // showed before for it (a new lease, or the site's own number again) by the current one.
  var swaps = () => {
    var out = [];
    client.slots.forEach((s) => {
      if (!s.n) return;
      if (s.n != s.t) out.push(s.t, s.n);
      s.shown.forEach((old) => { if (old != s.n) out.push(old, s.n); });
    });
    return out.join(" ");
  };

  // Looks at a root: notes which of the site's numbers it shows and swaps those whose number is
  // known. True when the page shows a number that has none yet.
  var scan = (root) => {
    var bits = swapIn(root, client.slots.map((s) => s.t).join(" "), swaps());
    return client.slots.filter((s, i) => { if (bits >> i & 1) s.seen = 1; return s.seen && !s.n; }).length > 0;
  };

  // The site's own numbers back under a root.
  var revert = (root) => {
    var out = [];
    client.slots.forEach((s) => [s.n].concat(s.shown).forEach((old) => { if (old && old != s.t) out.push(old, s.t); }));
    swapIn(root, "", out.join(" "));
  };

  // Finding and swapping the numbers under a root: the walking is the browser's and ours, what a
  // number is and how it is rewritten the module's (`find` and `replace`, dni_core::phone), so that
  // only the few texts that may hold one cross into it. Only text and attribute values are ever set,
  // never HTML. Never touched: scripts (JSON-LD included), styles, noscript, templates, form fields,
  // editable content, and anything inside a data-dni-noswap zone (attributes only in the zones).
  // The separators dni_core::phone reads between digits (\s for its spaces).
  var SEP = "[\\s\\-.()/\\u2010-\\u2013\\u2212\\uff08\\uff09\\uff0d]*";
  var never = (e) => /^(script|style|noscript|template|textarea|select)$/i.test(e.nodeName) || e.hasAttribute("contenteditable");
  // Whether a text node (or, `attr` true, an element's attribute) may be swapped.
  var free = (node, attr) => {
    for (var e = attr ? node : node.parentNode; e && e.nodeType == 1; e = e.parentNode) if (e.hasAttribute("data-dni-noswap") || (!attr && never(e))) return false;
    return true;
  };
  // Returns bit i set when the root shows the i-th of `targets` (space-separated E.164), and
  // replaces each pair of `pairs` ("from to from to ...") wherever it may.
  var swapIn = (root, targets, pairs) => {
    var bits = 0, blocks = [], list = (targets + " " + pairs.split(" ").filter((n, i) => !(i & 1)).join(" ")).split(" ");
    // Only a text that holds the last four digits of a number looked for, with full-width digits
    // read as digits and the separators between them (every way of writing a number keeps them
    // together), is handed to the module: a shop's prices and order numbers stay out.
    var tails = list.map((n) => n.replace(/\D/g, "").slice(-4)).filter((t) => t);
    if (!tails.length) return 0;
    // (Two of each: one to test a text, one to find every match in the root's text.)
    var key = tails.join(), source = !filters[key] && tails.map((t) => t.replace(/\d/g, (c) => "[" + c + String.fromCharCode(65296 + +c) + "]" + SEP)).join("|");
    var [filter, finder] = filters[key] || (filters[key] = [RegExp(source), RegExp(source, "g")]);

    // A text node or an attribute node: its value read and set alike (nodeValue).
    var check = (node, text) => {
      var value = node.nodeValue;
      if (!filter.test(value) || !free(text ? node : node.ownerElement, !text)) return;
      var found = module.find(value, targets), fresh = module.replace(value, pairs);
      bits |= found;
      if (fresh != null) write(node, fresh);
      else if (!found && text) split(node);
    };
    // A text node that holds the end of a number looked for but no whole one: the number may be
    // split over the inline elements of its block (<b>(212)</b> 555-0100). The block's text (its
    // text nodes in order, outside the places never touched) is read, the targets in it noted, and
    // the replacement written back node by node, each keeping its own characters (only digits
    // change); when the replacement has another length (another numbering plan) the number is left
    // whole as the page wrote it, never half-swapped.
    var split = (node) => {
      var block = node.parentNode, nodes = [], text = "", at = 0;
      while (block && /^(a|abbr|b|bdi|bdo|cite|code|dfn|em|font|i|kbd|mark|q|s|samp|small|span|strong|sub|sup|time|u|var)$/i.test(block.nodeName)) block = block.parentNode;
      if (!block || blocks.indexOf(block) >= 0) return;
      blocks.push(block);
      texts(block, (n) => { if (free(n)) { nodes.push(n); text += n.data; } });
      bits |= module.find(text, targets);
      var fresh = module.replace(text, pairs);
      if (fresh != null && fresh.length == text.length) nodes.forEach((n) => {
        var part = fresh.slice(at, (at += n.data.length));
        if (part != n.data) write(n, part);
      });
    };
    // Our own writes are no change for the observers to report: what they hold from the page is
    // taken before the first (scheduled as usual) and ours dropped after the last, so a swap
    // costs no second pass over what it wrote.
    var wrote;
    var write = (node, value) => {
      if (!wrote) { wrote = 1; observers.forEach((o) => noted(o.takeRecords())); }
      node.nodeValue = value;
    };
    // The text nodes that may hold a number, found in the root's text (the browser's concatenation
    // of its text nodes, in order): the filter runs once over that string, each match found again
    // from the next character (so that no node's own match hides behind one that began before it),
    // and the walk only adds up the nodes' lengths to reach the nodes the matches start in, reading
    // no node's text (a string made for each) and testing none. (A root whose text holds none is
    // not walked: most of what a page adds later, and the whole page when it shows none of the
    // numbers. Going down only into the elements whose text holds one was no faster: each
    // element's text is a walk too; nor was XPath's translate and contains.)
    if (root.nodeType == 3) check(root, 1);
    else {
      var top = root.nodeType == 9 ? root.documentElement : root, all = (top && top.textContent) || "", starts = [], m;
      finder.lastIndex = 0;
      while ((m = finder.exec(all))) { starts.push(m.index); finder.lastIndex = m.index + 1; }
      // (Text and CDATA sections: the nodes whose data textContent joins, so the lengths add up.)
      for (var walk = starts.length && d.createTreeWalker(top, 12), i = 0, at = 0, n, len; i < starts.length && (n = walk.nextNode()); at += len) {
        len = n.length;
        if (starts[i] >= at + len) continue;
        while (starts[i] < at + len) i++;
        check(n, 1);
      }
    }
    // The attributes a number may be in: tel: links, title and aria-label (the browser's selector
    // engine), and data-dni-* (no selector can name a prefix: XPath).
    if (root.querySelectorAll) {
      var links = "[href^='tel:' i],[title],[aria-label]", all = [].slice.call(root.querySelectorAll(links));
      if (root.matches && root.matches(links)) all.push(root);
      all.forEach((e) => ["href", "title", "aria-label"].forEach((a) => {
        var node = e.getAttributeNode(a);
        if (node && (a != "href" || /^tel:/i.test(node.value))) check(node);
      }));
      xpath(root, "descendant-or-self::*/@*[starts-with(name(),'data-dni-')]", check);
    }
    if (wrote) observers.forEach((o) => o.takeRecords());
    return bits;
  };
  // Calls `each` with the nodes an XPath expression finds from a root (from each child of a
  // shadow root, where XPath cannot start). A snapshot: `each` may change them.
  var xpath = (root, expression, each) => {
    (root.nodeType == 11 ? [].slice.call(root.childNodes) : [root]).forEach((from) => {
      var result = (from.ownerDocument || from).evaluate(expression, from, null, 7, null);
      for (var i = 0; i < result.snapshotLength; i++) each(result.snapshotItem(i));
    });
  };
  // Calls `each` with the text nodes under a root, in document order.
  var texts = (root, each) => {
    var walker = d.createTreeWalker(root, 4), n;
    while ((n = walker.nextNode())) each(n);
  };

  // A number this page showed, kept so that a later one replaces it.
  var retire = (s, old) => { if (old && old != s.t && s.shown.indexOf(old) < 0) s.shown.push(old); };

  // Applies the worker's answer (JSON text); false when it is unreadable. Numbers for targets the
  // page does not show are not taken (the first request guessed them from digits: they are
  // released, being in no state's leases).
  var assign = (text, root) => {
    var answer = json(text);
    if (answer === undefined) return false;
    if (take(answer || {})) saveLeases();
    swapIn(root, "", swaps());
    return true;
  };

  // An answer's numbers into the slots the page shows (or into all of them: see start); true when
  // a lease changed.
  var take = (answer, all) => {
    var changed;
    list(answer.numbers).forEach((e) => {
      var a = entry(e);
      client.slots.some((s) => {
        if (!a || s.t != a.t || !(s.seen || all)) return;
        if (s.n != a.n) retire(s, s.n);
        changed = changed || s.l != a.l;
        s.n = a.n; s.l = a.l; s.x = a.x;
        return 1;
      });
    });
    client.hb = Math.min(Math.max(num(answer.heartbeat_ms) === undefined ? 6e4 : num(answer.heartbeat_ms), 1e3), 6e4);
    return changed;
  };

  // The path to ask (leases, or numbers without consent) and the body; none when nothing to ask.
  var request = () => {
    var seen = client.slots.filter((s) => s.seen).map((s) => s.t);
    var v = client.view;
    if (seen.length && !navigator.webdriver)
      return requestFor(client.tier, { targets: seen }, client.id, v.landing, client.first, client.views, client.slots.filter((s) => s.l).map((s) => s.l), gaOf(), fbpOf());
  };

  // The numbers by target, the live leases and the heartbeat interval.
  var state = () => {
    var numbers = {};
    client.slots.forEach((s) => { if (s.seen) numbers[s.t] = s.n || s.t; });
    return { numbers, leases: client.slots.filter((s) => s.l).map((s) => s.l), heartbeat_ms: client.hb };
  };

  // A heartbeat's answer: extended until `at`, or, without it, the lease has ended and its target
  // needs a number again (the page keeps the old one until then).
  var extend = (id, at) => {
    client.slots.forEach((s) => {
      if (s.l != id) return;
      if (at !== undefined) s.x = Math.max(at, 0);
      else { s.l = null; retire(s, s.n); s.n = null; }
    });
    saveLeases();
  };

  // Scans a root and everything under it the module cannot reach by itself: open shadow roots and
  // same-origin frames, which are also watched from then on.
  var visit = (root) => {
    var more = scan(root);
    watch(root);
    if (!root.querySelectorAll) return more;
    // (Every element of a big page handed to a script is a wrapper object made for it: the
    // tag's largest cost on such a page after the text walk. A tree walker makes them for less
    // than the selector engine's list: 1.8 against 4.3 ms on the 10,000-element page, unthrottled.
    // Frames the selector engine finds.)
    var walker = d.createTreeWalker(root, 1), e = root;
    do {
      var shadow = e.shadowRoot;
      if (shadow && !watched.has(shadow)) more = visit(shadow) || more;
    } while ((e = walker.nextNode()));
    root.querySelectorAll("iframe").forEach(frame);
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
    var o = new MutationObserver(noted);
    o.observe(root, { childList: true, subtree: true, characterData: true, attributes: true });
    observers.push(o);
  };
  // What the page changed, to look at in the next frame. (Not the anti-flicker attribute, which
  // the loader itself removes from <html> after the swap: that would be a pass over the page.)
  var noted = (records) => {
    for (var i = 0; i < records.length; i++) {
      var r = records[i], a = r.attributeName;
      if (r.type == "childList") for (var j = 0; j < r.addedNodes.length; j++) schedule(r.addedNodes[j]);
      else if (!a || a != "data-dni-wait" && /^(href|title|aria-label|data-dni-.*)$/.test(a)) schedule(r.target);
    }
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
      more = (n.nodeType == 3 ? scan(n) : visit(n)) || more;
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
    var r = started && request();
    if (!r) return finish();
    asking = true;
    again = false;
    send(api + r[0], "POST", r[1]).then((a) => {
      asking = false;
      answered(a);
      finish();
      beat();
      if (again && scan(d)) ask();
    });
  };

  // Shadow roots and frames get the new numbers too.
  var rescan = () => {
    for (var i = 1; i < roots.length; i++) scan(roots[i]);
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
        if (a.s == 410) { extend(id); ask(); }
        else if (a.s == 200) { var x = num((json(a.t) || {}).expires_at); if (x !== undefined) extend(id, x); }
      });
    });
  };

  // The module has an answer (the first request's, or one it asked for): the page shows it.
  var answered = (a) => {
    var t = performance.now();
    if (a && a.s == 200 && started && assign(a.t, d)) {
      rescan();
      // The pass that put the numbers on the page, for developers' tools and the benchmark.
      if (!readyDone) try { performance.measure("dni:swap", { start: t }); } catch (e) {}
    }
  };

  // The query string's pairs that `keep` (name, "=" or "", value) turns into a pair, "?"-joined.
  var query = (l, keep) => l.search.replace(/[?&]([^&=]*)(=?)([^&]*)/g, (p, k, e, v) => (p = keep(k, e, v)) ? "&" + p : "").replace("&", "?");
  // UTM tags and click ids (dni_core::classify::CLICK_ID_NAMES, ignoring case): what classification
  // reads, never redacted (privacy::is_exempt).
  var tag = (k) => /^utm_/.test(k) || /^(gclid|gbraid|wbraid|dclid|msclkid|ttclid|li_fat_id|twclid|sccid|epik|rdt_cid|yclid|irclickid|awc|cjevent|mc_cid|_hsenc|_kx|fbclid|gad_source)$/i.test(k);
  // "scheme://host/", the host without port, brackets or trailing dots (dni_core::url::origin_of).
  var siteOf = (l) => l.protocol + "//" + l.hostname.replace(/^\[|\]$|\.+$/g, "") + "/";
  // The first request's URL and referrer, sent before the module (which runs the core's redaction,
  // dni_core::privacy, on every URL it keeps or sends) has arrived: only what that redaction leaves
  // as it is, whatever the site lists, so that the worker (which runs it again on all it receives)
  // keeps what was sent: the landing's origin; its path unless it holds an "@" (decoded once or
  // twice, as the redaction reads it); its UTM tags and click ids as written (never redacted:
  // privacy::is_exempt); the referrer's origin. Nothing else leaves the browser this early.
  var early = (l) =>
    l.origin + (/@/.test(unescape(unescape(l.pathname))) ? "/" : l.pathname) + query(l, (k, e, v) => tag(k) && k + e + v);
  // Without consent, the landing reduced to what classification reads
  // (dni_core::classify::anonymous_landing): its site, its UTM tags, and the names of its click ids
  // with a value ("gclid=1"), never the ids themselves.
  var anonymous = (l) => siteOf(l) + query(l, (k, e, v) => /^utm_/.test(k) ? k + "=" + v : tag(k) && v.trim() && k + "=1");
  var referrer = d.referrer && new URL(d.referrer).origin + "/";

  // A request for numbers, as [path, body], naming the page's numbers (`what`: {targets}, or the
  // loader's first request's {tails}). At full and session, a lease: the session, the landing
  // page, the journey's first view and the views since that may be touches, the leases held, and
  // at full the GA cookies and Meta's _fbp; the tier declared. Without consent, /numbers: no
  // identifiers; the landing reduced to what classification reads, the referrer to its origin
  // (which is all the loader ever takes of it); no session, journey or ids.
  var requestFor = (tier, what, session, url, first, views, leases, ga, fbp) => [
    tier ? "leases" : "numbers",
    JSON.stringify(Object.assign(tier ? {
      session,
      page: { url, referrer },
      journey: { first },
      views: views && views.length ? views : undefined,
      leases: leases && leases.length ? leases : undefined,
      ga: ga[0] || ga[1] ? { client: ga[0], session: ga[1] } : undefined,
      fbp: fbp || undefined,
      consent: tier > 1 ? "full" : "session",
    } : { page: { url: anonymous(location), referrer } }, what)),
  ];

  // The consent tier, read by the loader itself so that its first request may leave at once at
  // every tier (dni_core::consent::tier, the same table): the site's choice (data-consent or
  // dni.consent; none said is full), none under Consent Mode's "denied", at most session under
  // Global Privacy Control. 0 none, 1 session, 2 full.
  var tierName = (v) => {
    // (Trimmed of Unicode's White_Space, as Rust's str::trim.)
    v = str(v).match(/^[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*([^]*?)[\t-\r \x85\xa0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]*$/)[1];
    return /^(none|denied|0|false)$/i.test(v) ? 0 : /^session$/i.test(v) ? 1 : /^(full|granted|1|true)$/i.test(v) ? 2 : undefined;
  };
  var tierOf = () => {
    var mode = tierName(consentMode()), t = tierName(declared);
    t = mode === 0 ? 0 : t !== undefined ? t : mode !== undefined ? mode : 2;
    return navigator.globalPrivacyControl === true && t > 1 ? 1 : t;
  };

  // What the first request needs, read before the module exists, in the storage the tier allows
  // (none without consent, where the page keeps and sends no identifier).
  var now = Date.now(), first, kept = [], tails = [];
  var tier = tierOf();
  // At the full tier only: the GA cookies (so a call joins the visitor's GA4 session) and Meta's
  // browser id, _fbp (so a call matches in Meta's Conversions API), from the page's cookies as
  // document.cookie writes them ("name=value; ..."), read when the loader starts and again when the
  // page's client does (GA may have set its cookie since). Asked of the Cookie Store API where the
  // browser has one: reading document.cookie is a synchronous request to the browser's cookie
  // store, which held the page's main thread 4 to 9 ms on a first visit in headless Chromium,
  // and cookieStore.getAll() is the same request without the wait.
  var jar = "";
  // (Never failing and never waiting long: a store that errs or does not answer within COOKIE_WAIT
  // leaves the ids out of the request, never the request or the page's client.)
  var COOKIE_WAIT = 500;
  var readJar = () => {
    var all;
    try { all = w.cookieStore && cookieStore.getAll(); } catch (e) {}
    var legacy = () => read(d, "cookie") || "";
    var got = Promise.resolve(all)
      .then((l) => (l ? l.map((c) => c.name + "=" + c.value).join("; ") : legacy()), legacy)
      .then((j) => { jar = str(j); }, () => {});
    var timer;
    return Promise.race([got, new Promise((done) => { timer = setTimeout(done, COOKIE_WAIT); })]).then(() => clearTimeout(timer));
  };
  var cookie = (name) => (jar.match("(^|; )" + name + "=([^;]{1,128})") || [])[2] || "";
  var gaOf = () => (client ? client.tier : tier) > 1 ? [cookie("_ga"), cookie("_ga_[^=;]+")] : [];
  var fbpOf = () => ((client ? client.tier : tier) > 1 && cookie("_fbp")) || "";
  // (Asked first, so that the browser answers while the loader reads its storage and the page.)
  var jarRead = tier > 1 ? readJar() : Promise.resolve();
  var store = tier && read(w, tier > 1 ? "localStorage" : "sessionStorage");
  var get = (key) => { try { return store.getItem("dni." + key); } catch (e) {} };
  var json = (text) => { try { return JSON.parse(text); } catch (e) {} };
  // The session id stored as "id|last seen": kept while page views follow each other within 30
  // minutes, `fresh` otherwise.
  var sessionOf = (text, fresh) => {
    var s = (text || "").split("|");
    return now - s[1] < 18e5 && /^[\w-]{16,64}$/.test(s[0]) ? s[0] : fresh();
  };
  var session = sessionOf(get("session"), randomId);
  var config = get("config") || undefined, journey = json(get("journey")) || {};
  (json(get("leases")) || []).forEach((l) => { if (l.expires_at > now) kept.push(l.target.slice(-7)); });
  // The digits the page shows: the last seven of each long run, but those a stored lease covers.
  // (A run: digits, the full-width ones too, with the separators dni_core::phone reads between
  // them. Matched on the page's text as it is: only the long runs are rewritten, not the text.)
  var runs = /[\d\uff10-\uff19](?:(?:%20|%2B|[\s\-.()/\u2010-\u2013\u2212\uff08\uff09\uff0d])*[\d\uff10-\uff19]){6,}/gi;
  var look = (text) => {
    (text.match(runs) || []).forEach((run) => {
      run = run.replace(/[\uff10-\uff19]/g, (c) => c.charCodeAt(0) - 65296).replace(/%2[0b]|\D/gi, "").slice(-7);
      if (tails.length < 16 && tails.indexOf(run) < 0 && kept.indexOf(run) < 0) tails.push(run);
    });
  };
  // The page's text as one string, the browser's own concatenation of its text nodes (no wrapper
  // object per node, which a walk over a big page pays for: 0.7 against 3 to 10 ms on the
  // 10,000-element page, unthrottled), less what scripts, styles and form fields hold that may
  // look like a number. (Texts of neighbouring elements run together: digits that only meet there
  // may give a tail that is no number, which the worker leases for only if it is a site's number,
  // and the loader then gives back.)
  var seven = /[\d\uff10-\uff19](?:(?:%20|%2B|[\s\-.()/\u2010-\u2013\u2212\uff08\uff09\uff0d])*[\d\uff10-\uff19]){6}/i;
  var main = d.body || html, words = main.textContent || "";
  if (seven.test(words)) {
    // (By tag name: the browser keeps these lists; a selector is matched against every element.)
    ["script", "style", "noscript", "textarea"].forEach((tag) => {
      var all = main.getElementsByTagName(tag);
      for (var i = 0; i < all.length; i++) { var t = all[i].textContent; if (seven.test(t)) words = words.replace(t, " "); }
    });
    look(words);
  }
  d.querySelectorAll("[href^='tel:' i]").forEach((a) => look(a.getAttribute("href")));
  // (A returning visitor whose stored leases cover the page asks nothing: they are shown at once.
  // A page without a number yet waits for the module, with the site's configuration.) Without
  // consent the first request is /numbers: the tails and the reduced page view, no session, no
  // journey, no ids; nothing is leased or kept.
  if (tails.length && !navigator.webdriver) {
    asking = true;
    var body;
    // A first request that fails at once (no answer before the bounded wait, or the worker's 5xx)
    // is sent once more when the page has no configuration to start from (with one, the page's
    // client asks by itself): a transient error costs a round trip, not the swap. (One that timed
    // out is not: the page would wait twice as long for a slow worker.)
    first = jarRead.then(() => {
      var [path, b] = requestFor(tier, { tails }, session, early(location), journey.first, journey.views, 0, gaOf(), fbpOf());
      var sent = Date.now();
      body = b;
      return send(api + path, "POST", b).then((a) => !config && (!a || a.s >= 500) && Date.now() - sent < WAIT ? send(api + path, "POST", b) : a);
    });
  } else if (!config) first = send(api + "public", "GET");

  // A returning visitor's page starts at once from the configuration and leases it kept; a new one
  // starts with the configuration the first answer brings.
  // (The cookies read first: a request the page's client makes then carries them.)
  Promise.all([init({ module_or_path: base + "/" + MODULE }), jarRead])
    .then(() => {
      if (config) start();
      return first;
    })
    .then((a) => {
      var answer = a && a.s == 200 && json(a.t);
      var fresh = answer && JSON.stringify(answer.numbers ? answer.config : answer);
      var t = performance.now();
      if (fresh && fresh != config) {
        config = fresh;
        start(answer.numbers && answer);
        // The pass that put the numbers on the page, for developers' tools and the benchmark.
        if (answer.numbers && !readyDone) try { performance.measure("dni:swap", { start: t }); } catch (e) {}
      } else if (answer && answer.numbers) answered(a);
      if (answer && answer.numbers) {
        // Numbers leased for digits that were not the site's number after all go back at once.
        answer.numbers.forEach((n) => { if (n.lease && leases().indexOf(n.lease) < 0) navigator.sendBeacon(api + "leases/" + n.lease + "/release"); });
      }
      asking = false;
      // Asks only for what the page shows and still has no number for. A returning visitor back
      // from a new click, whose stored leases cover the page, was shown them at once: the new
      // touch goes to the worker now, in the background (the lease renewed with it).
      // (From what the page's client knows: the page was scanned when it started, and the answer
      // applied with another pass; what changed since, the observer schedules. Each pass over a
      // big page is the tag's largest cost on the main thread: bench/main-thread.mjs.)
      if (started) {
        beat();
        if (client.slots.some((s) => s.seen && !s.n)) ask();
        else { finish(); if (client.touched && !body && client.slots.some((s) => s.l)) ask(); }
      } else finish();
    })
    .catch(finish);

  var shown = 0;
  d.addEventListener("visibilitychange", () => { if (!d.hidden) { shown = Date.now(); tick(); } });
  // The visitor leaves: release the numbers (a page kept in the back/forward cache keeps them,
  // and beats again when it is shown from there, once: the page becoming visible again usually
  // beat just before). (A listener for the load's own pageshow would run in the page's load task:
  // Lighthouse's bootup-time gives a task to the scripts that ran in it, so the whole load event
  // would count as the tag's main-thread time.)
  var restored = (e) => { if (e.persisted && Date.now() - shown > 1e3) tick(); };
  w.addEventListener("pagehide", (e) => {
    if (e.persisted) return w.addEventListener("pageshow", restored, { once: true });
    leases().forEach((id) => { navigator.sendBeacon(api + "leases/" + id + "/release"); });
  });
})(window, document);
