// The benchmarks' big page: 10,000 elements (2,000 blocks of five), the site's number in every 40th
// block, 50 in all, in five formats; the others hold prices and item numbers, digits that are not
// a phone number. `head` goes into the page's head (bench/swap.mjs's long-task observer).
export const FORMATS = ["(212) 555-0100", "212.555.0100", "+1 212-555-0100", "1 (212) 555 0100", "212 555 0100"];

export function bigPage({ tag = true, head = "" } = {}) {
  const parts = [];
  let n = 0;
  for (let i = 0; i < 2000; i++) {
    const number = i % 40 == 0 ? FORMATS[n++ % FORMATS.length] : `Item ${i} costs $${(i * 7) % 500}.99`;
    parts.push(`<section><h3>Block ${i}</h3><p>Some text <em>with</em> ${number}</p><a href="/p/${i}">more</a></section>`);
  }
  const script = tag ? '<script src="/dni.js" data-site="demo" async></script>' : "";
  return `<!doctype html><html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Big page</title><link rel="icon" href="data:,">${head}</head><body>${parts.join("")}
${script}</body></html>`;
}
