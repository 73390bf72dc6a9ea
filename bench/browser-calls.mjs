// What the browser itself takes for each call the loader makes on a first visit: the floor under
// the tag's main-thread time that no change to our own code moves. Headless Chromium, a fresh
// browser context per load (a first visit), the demo page without the tag, each call timed the
// first time it is made in the page, at DOMContentLoaded (where the tag runs), then the median and
// the least of the loads. Wall time at 1x: multiply by 4 for Lighthouse's mobile figure.
//
//   node bench/browser-calls.mjs   (DNI_BENCH_RUNS=n loads; 12 by default)
//
// `performance.now()` is coarsened to 0.1 ms in a page that is not cross-origin isolated: the
// figures are tenths.
import { startWorker, launchBrowser, newVisitor } from "../tests/harness.mjs";

const RUNS = +process.env.DNI_BENCH_RUNS || 12;
const worker = await startWorker({ name: "browser-calls" });
const browser = await launchBrowser();
const all = {};
try {
  for (let run = 0; run < RUNS; run++) {
    const { page, context } = await newVisitor(browser);
    await page.route(/\/dni\.js/, (r) => r.abort());
    await page.addInitScript(() => {
      document.addEventListener("DOMContentLoaded", () => {
        const out = {};
        const time = (name, call) => { const t = performance.now(); call(); out[name] = performance.now() - t; };
        // (Not summed below: where the browser has the Cookie Store API the loader calls that instead.)
        time("(document.cookie, first read)", () => document.cookie);
        time("cookieStore.getAll(), the call", () => window.cookieStore && cookieStore.getAll());
        time("localStorage, first use (opens it)", () => localStorage.getItem("dni.session"));
        time("localStorage, next read", () => localStorage.getItem("dni.config"));
        time("localStorage, a write", () => localStorage.setItem("dni.x", "y"));
        time("body.textContent", () => document.body.textContent);
        time("querySelectorAll (tel: links)", () => document.querySelectorAll("[href^='tel:' i]"));
        time("fetch(), a GET", () => fetch("/v1/sites/demo/public"));
        time("fetch(), a POST with a body", () => fetch("/v1/sites/demo/numbers", { method: "POST", body: "{}" }));
        time("WebAssembly.instantiateStreaming(), the call", () => WebAssembly.instantiateStreaming(fetch("/nothing.wasm")).catch(() => {}));
        time("MutationObserver, observe the document", () => new MutationObserver(() => {}).observe(document, { childList: true, subtree: true, characterData: true, attributes: true }));
        time("XPath over the attributes (data-dni-*)", () => document.evaluate("descendant-or-self::*/@*[starts-with(name(),'data-dni-')]", document, null, 7, null));
        window.out = out;
      });
    });
    await page.goto(worker.base + "/");
    await page.waitForFunction(() => window.out);
    for (const [name, ms] of Object.entries(await page.evaluate(() => window.out))) (all[name] ||= []).push(ms);
    await context.close();
  }
} finally {
  await browser.close();
  await worker.stop();
}
const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
console.log(`the browser's own time for the loader's calls, first visit, at DOMContentLoaded, 1x, median (least) of ${RUNS} loads`);
let sum = 0;
for (const [name, ms] of Object.entries(all)) {
  if (!name.startsWith("(")) sum += median(ms);
  console.log(`  ${name.padEnd(48)} ${median(ms).toFixed(1).padStart(5)} ms  (${Math.min(...ms).toFixed(1)})`);
}
console.log(`  ${"all of them (but the one in brackets)".padEnd(48)} ${sum.toFixed(1).padStart(5)} ms  (times 4: ${(sum * 4).toFixed(0)} ms)`);
