/* The script tag's loader: <script src="https://<worker>/dni.js" data-site="<site>" async></script>
   Classic and async, so it never blocks the page; every failure ends quietly with the page's own
   numbers in place. It starts fetching the site's public configuration while the module loads. */
(function (d) {
  var s = d.currentScript, site = s && s.getAttribute("data-site");
  if (!site || !window.fetch || typeof WebAssembly != "object") return;
  var base = new URL(s.src, location.href).origin, dir = base + "/dni/";
  var config = fetch(base + "/v1/sites/" + encodeURIComponent(site) + "/public").then(
    function (r) { return r.ok ? r.text() : null; },
    function () { return null; }
  );
  import(dir + "dni_client.js")
    .then(function (m) {
      return m.default({ module_or_path: dir + "dni_client_bg.wasm" })
        .then(function () { return config; })
        .then(function (c) { if (c) m.start(site, base, c); });
    })
    .catch(function () {});
})(document);
