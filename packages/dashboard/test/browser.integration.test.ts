/**
 * The dashboard end to end (on the memory broker: a browser, not a broker, is what this test needs): an in-process q
 * worker sending task events,
 * the dashboard on a free port, Debian's chromium driven by playwright-core. The page lists the worker ONLINE and the
 * queue it consumes; a task sent during the test appears with its result and its detail shows args and result; with
 * the token, Terminate on a running task's page revokes it (the worker ends it, its state becomes REVOKED) and a rate
 * limit is answered by the worker; without a token the action buttons are absent and the API answers 403. The page
 * logs no error on the way. A screenshot goes to test-artifacts/dashboard.png.
 */
import { existsSync, mkdirSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { createApp, memoryQueueDriver, silentLogger } from '@q/core';
import type { App, TaskContext } from '@q/core';
import { eventsPlugin } from '@q/events';
import { createWorker } from '@q/worker';
import type { Worker } from '@q/worker';
import { chromium } from 'playwright-core';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDashboard } from '../src/dashboard.js';
import type { Dashboard } from '../src/dashboard.js';

const NAMESPACE = `dash-browser-${randomUUID()}`;
const CHROMIUM = '/usr/bin/chromium';
const TOKEN = 'browser-test-token';
const WORKER = 'dash1@test';

const inCi = process.env['CI'] === 'true' || process.env['CI'] === '1';
const hasChromium = existsSync(CHROMIUM);
if (!hasChromium && inCi) throw new Error(`dashboard browser: ${CHROMIUM} is missing (apt-get install chromium); the browser test must run in CI`);
if (!hasChromium) process.stderr.write(`dashboard browser: skipped, ${CHROMIUM} is missing (apt-get install chromium)\n`);
const ok = hasChromium;

const artifacts = fileURLToPath(new URL('../test-artifacts/', import.meta.url));

describe.skipIf(!ok)('dashboard in a browser', () => {
  const stops: (() => Promise<unknown>)[] = [];
  let workerApp: App;
  let clientApp: App;
  let worker: Worker;
  let dashboard: Dashboard;
  let browser: Browser;
  let page: Page;
  /** Script errors and console errors of the page (a Content-Security-Policy violation would be one). */
  const pageErrors: string[] = [];

  beforeAll(async () => {
    workerApp = createApp({ name: 'dash-browser', broker: memoryQueueDriver({ namespace: NAMESPACE }), plugins: [eventsPlugin()], logger: silentLogger });
    stops.push(() => workerApp.close());
    workerApp.task({ name: 'dash.add', params: ['x', 'y'] }, (x: number, y: number) => x + y);
    workerApp.task({ name: 'dash.wait', bind: true }, (ctx: TaskContext) =>
      new Promise((_resolve, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason as Error))),
    );
    worker = createWorker(workerApp, { hostname: WORKER, sendTaskEvents: true, heartbeatInterval: 1, logger: silentLogger, closeApp: false });
    stops.push(() => worker.stop({ graceful: false }));
    await worker.start();

    clientApp = createApp({ name: 'dash-browser', broker: memoryQueueDriver({ namespace: NAMESPACE }), logger: silentLogger });
    stops.push(() => clientApp.close());
    dashboard = createDashboard(clientApp, { port: 0, token: TOKEN, refreshInterval: 1 });
    stops.push(() => dashboard.close());
    await dashboard.listen();

    browser = await chromium.launch({ executablePath: CHROMIUM, args: ['--no-sandbox'] });
    stops.push(() => browser.close());
    page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
    page.on('pageerror', (error) => pageErrors.push(error.message));
    page.on('console', (message) => {
      if (message.type() === 'error') pageErrors.push(message.text());
    });
  });

  afterAll(async () => {
    for (const stop of stops.reverse()) await stop().catch(() => undefined);
  });

  it('lists the worker ONLINE with its pool and queues', async () => {
    await page.goto(`${dashboard.address ?? ''}/#/workers`);
    const row = page.locator(`#workers-table tr[data-hostname="${WORKER}"][data-status="ONLINE"]`);
    await row.waitFor({ timeout: 15_000 });
    await page.locator(`#workers-table tr[data-hostname="${WORKER}"][data-pool]`).waitFor({ timeout: 15_000 });
    expect(await row.locator('td').nth(5).textContent()).toContain('celery');

    await page.locator('nav a[data-view="queues"]').click();
    const queue = page.locator('#queues-table tr[data-queue="celery"]');
    await queue.waitFor({ timeout: 15_000 });
    expect(await queue.locator('td').nth(1).textContent()).toBe('0');
    expect(await queue.locator('td').nth(2).textContent()).toBe(WORKER);
  });

  it('shows a task sent during the test with its result, and its detail with args and result', async () => {
    const sent = await clientApp.sendTask('dash.add', [20, 22]);
    await page.goto(`${dashboard.address ?? ''}/#/tasks`);
    const row = page.locator(`#tasks-table tr[data-uuid="${sent.id}"][data-state="SUCCESS"]`);
    await row.waitFor({ timeout: 15_000 });
    expect(await row.locator('td').nth(1).textContent()).toBe('dash.add');
    expect(await row.locator('td').nth(4).textContent()).toBe('42');

    await page.locator('#search').fill(sent.id.slice(0, 13));
    await page.locator('#task-filters button[type="submit"]').click();
    await page.waitForFunction("document.querySelectorAll('#tasks-table tbody tr').length === 1");

    await row.locator('a').click();
    await page.locator(`#task-fields[data-uuid="${sent.id}"]`).waitFor();
    const detail = (await (await fetch(`${dashboard.address ?? ''}/api/tasks/${sent.id}`)).json()) as { args: string; result: string };
    expect(await page.locator('dd[data-field="args"]').textContent()).toBe(detail.args);
    expect(detail.args).toMatch(/20, 22/);
    expect(await page.locator('dd[data-field="result"]').textContent()).toBe('42');
    expect(await page.locator('#task-timeline tbody tr').count()).toBeGreaterThanOrEqual(3);
  });

  it('terminates a running task with the token: the worker ends it and the page shows it REVOKED', async () => {
    const sent = await clientApp.sendTask('dash.wait', []);
    await page.goto(`${dashboard.address ?? ''}/#/tasks/${sent.id}`);
    await page.locator('dd[data-field="state"]', { hasText: 'STARTED' }).waitFor({ timeout: 15_000 });
    await page.locator('#token').fill(TOKEN);
    await page.locator('#token-form button[type="submit"]').click();
    await page.locator('#revoke-signal').selectOption('SIGKILL');
    await page.locator('#terminate').click();
    await page.locator('#flash', { hasText: `terminate ${sent.id}: ${WORKER}` }).waitFor({ timeout: 10_000 });
    await page.locator('dd[data-field="state"]', { hasText: 'REVOKED' }).waitFor({ timeout: 15_000 });
    expect(worker.nodeState.isRevoked(sent.id)).toBe(true);

    await page.goto(`${dashboard.address ?? ''}/#/workers`);
    await page.locator(`#workers-table tr[data-hostname="${WORKER}"] button[name="pool-grow"]`).waitFor();
    await page.locator('#rl-task').fill('dash.add');
    await page.locator('#rl-rate').fill('10/m');
    await page.locator('#rate-limit-form button[type="submit"]').click();
    await page.locator('#flash', { hasText: `rate limit dash.add 10/m: ${WORKER}` }).waitFor({ timeout: 10_000 });
    mkdirSync(artifacts, { recursive: true });
    await page.screenshot({ path: `${artifacts}dashboard.png`, fullPage: true });
    expect(pageErrors).toEqual([]);
  });

  it('without a token hides the action buttons and the API answers 403', async () => {
    const readOnly = createDashboard(clientApp, { port: 0, receiveEvents: false, refreshInterval: 1 });
    stops.push(() => readOnly.close());
    const address = await readOnly.listen();
    await readOnly.cache.refresh();
    const other = await browser.newPage();
    await other.goto(`${address}/#/workers`);
    await other.locator(`#workers-table tr[data-hostname="${WORKER}"]`).waitFor({ timeout: 15_000 });
    expect(await other.locator('button[name="pool-grow"], button[name="shutdown"]').count()).toBe(0);
    expect(await other.locator('#token-form').isVisible()).toBe(false);
    expect(await other.locator('#rate-limit-form').isVisible()).toBe(false);
    const res = await fetch(`${address}/api/workers/${WORKER}/pool/grow`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${TOKEN}` },
      body: JSON.stringify({ n: 1 }),
    });
    expect(res.status).toBe(403);
    await other.close();
  });
});
