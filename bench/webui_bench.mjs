// webui_bench's browser half: loads the runs page of the web UI in headless chromium (puppeteer-core)
// and prints, per load, the time from navigation start to the first page of runs in the DOM (the
// page's `lifdag:runs-rendered` mark), first contentful paint, the HTML's response time, the
// modules' evaluation (DOMContentLoaded) and the two API calls the page shows first.
// Cold: a fresh browser context each time (nothing cached); warm: reloads in one context.
// Environment: WEBUI_BASE_URL, CHROMIUM, WEBUI_LOADS (default 15). Output: `SAMPLE {json}` lines.

import puppeteer from 'puppeteer-core';

const BASE = process.env.WEBUI_BASE_URL;
const LOADS = Number(process.env.WEBUI_LOADS || 15);
const browser = await puppeteer.launch({
  executablePath: process.env.CHROMIUM || '/usr/bin/chromium', headless: true,
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage', '--no-first-run', '--disable-extensions'],
});

async function measure(page) {
  await page.goto(`${BASE}/runs`, { waitUntil: 'domcontentloaded' });
  await page.waitForFunction(() => performance.getEntriesByName('lifdag:runs-rendered').length > 0, { timeout: 30000 });
  return page.evaluate(() => {
    const nav = performance.getEntriesByType('navigation')[0];
    const fcp = performance.getEntriesByName('first-contentful-paint')[0];
    const took = (prefix) => {
      const e = performance.getEntriesByType('resource').find((r) => r.name.includes(prefix));
      return e ? e.responseEnd - e.startTime : null;
    };
    return {
      rendered: performance.getEntriesByName('lifdag:runs-rendered')[0].startTime,
      fcp: fcp ? fcp.startTime : null,
      html: nav ? nav.responseEnd : null,
      scripts: nav ? nav.domContentLoadedEventEnd : null,
      runsApi: took('/api/v1/runs?limit=50'),
      countsApi: took('/api/v1/runs/counts'),
      rows: document.querySelectorAll('table.runs tbody tr').length,
    };
  });
}

// One load first, so chromium's own start-up is not counted.
{
  const context = await browser.createBrowserContext();
  await measure(await context.newPage());
  await context.close();
}
for (let i = 0; i < LOADS; i++) {
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  await page.setViewport({ width: 1366, height: 900 });
  console.log(`SAMPLE ${JSON.stringify({ kind: 'cold', ...(await measure(page)) })}`);
  await context.close();
}
{
  const context = await browser.createBrowserContext();
  const page = await context.newPage();
  await page.setViewport({ width: 1366, height: 900 });
  await measure(page);
  for (let i = 0; i < LOADS; i++) console.log(`SAMPLE ${JSON.stringify({ kind: 'warm', ...(await measure(page)) })}`);
  await context.close();
}
await browser.close();
