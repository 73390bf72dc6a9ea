// One first visit of a page traced: the shared step of the main-thread benchmarks
// (main-thread-profile.mjs, main-thread-pair.mjs). A fresh browser context from `newVisitor` (the
// harness of the checkout whose worker serves `url`), Chrome's trace with `categories`, until the
// tag's `window.dni.ready` and half a second more. Returns the trace's events.
export async function traceFirstVisit(newVisitor, browser, url, categories, { cpuSlowdown } = {}) {
  const { page, context } = await newVisitor(browser);
  const cdp = await context.newCDPSession(page);
  if (cpuSlowdown) await cdp.send("Emulation.setCPUThrottlingRate", { rate: cpuSlowdown });
  const events = [];
  cdp.on("Tracing.dataCollected", (e) => events.push(...e.value));
  const done = new Promise((ok) => cdp.once("Tracing.tracingComplete", ok));
  await cdp.send("Tracing.start", { transferMode: "ReportEvents", traceConfig: { includedCategories: categories } });
  await page.goto(url);
  await page.evaluate(() => window.dni.ready);
  await page.waitForTimeout(500);
  await cdp.send("Tracing.end");
  await done;
  await context.close();
  return events;
}
