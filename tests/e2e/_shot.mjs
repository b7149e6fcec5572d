import { chromium } from 'playwright-core';
const url = process.argv[2];
const out = process.argv[3] ?? '/tmp/shots';
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium', args: ['--no-sandbox', '--disable-gpu'] });
for (const [w, h, tag] of [[1280, 800, 'desk'], [390, 844, 'phone']]) {
  const page = await browser.newPage({ viewport: { width: w, height: h } });
  page.on('pageerror', e => console.log('pageerror', String(e)));
  await page.goto(url + 'coordination/#coordination');
  await page.waitForSelector('svg.topology .node');
  await page.click('#gallery summary');
  await page.click('.preset[data-preset="watch-moves"]');
  await page.waitForSelector('#lesson-now');
  for (let i = 0; i < 9; i++) {
    const text = await page.textContent('#lesson-now');
    console.log(tag, i, text.slice(0, 90));
    await page.screenshot({ path: `${out}/${tag}-${i}.png`, fullPage: tag === 'phone' });
    const btn = await page.$('#btn-next');
    if (!btn || await btn.isDisabled()) break;
    await page.click('#btn-next');
    await page.waitForFunction(() => document.querySelector('#btn-next')?.textContent !== 'Playing…', null, { timeout: 30000 });
  }
  await page.close();
}
await browser.close();
