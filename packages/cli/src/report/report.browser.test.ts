import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { Writable } from 'node:stream';
import { chromium } from 'playwright-core';
import { run } from '../index';

/** Debian's Chromium (installed by scripts/setup.sh); a test tool's own browser download cannot work here. */
const CHROMIUM = process.env.KDAP_CHROMIUM ?? '/usr/bin/chromium';
/** Screenshots kept for a person to look at (gitignored). */
const ARTIFACTS = path.resolve(__dirname, '../../../../test-artifacts');

class Sink extends Writable {
  text = '';
  override _write(chunk: Buffer, _e: string, done: () => void): void {
    this.text += chunk.toString();
    done();
  }
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'kdap-report-'));
  mkdirSync(path.join(dir, 'config'));
  writeFileSync(path.join(dir, 'config', 'budget_optimizer.yaml'), 'hyperparameters:\n  lightgbm:\n    n_estimators: 40\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('the training report', () => {
  it('is one self-contained file that renders every chart in headless Chromium with no console errors', async () => {
    const stdout = new Sink();
    const stderr = new Sink();
    const code = await run(['train', 'budget', '--samples', '1200', '--output', path.join(dir, 'models'), '--config', path.join(dir, 'config'), '--json'], {
      streams: { stdout, stderr, env: {} },
      cwd: dir,
    });
    expect(stderr.text).not.toMatch(/^error/m);
    expect(code).toBe(0);
    const summary = JSON.parse(stdout.text) as { report: string; metrics_from: string };
    expect(summary.report).toBe(path.join(dir, 'models', 'budget_optimizer.report.html'));
    const html = readFileSync(summary.report, 'utf8');
    // Offline: no external script, stylesheet or image.
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)=["']?https?:/i);

    const browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    });
    try {
      const page = await browser.newPage({ viewport: { width: 1300, height: 900 } });
      const problems: string[] = [];
      page.on('console', (m) => {
        if (m.type() === 'error' || m.type() === 'warning') problems.push(`${m.type()}: ${m.text()}`);
      });
      page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
      const requests: string[] = [];
      page.on('request', (r) => {
        if (!r.url().startsWith('file:')) requests.push(r.url());
      });
      await page.goto(`file://${summary.report}`);
      // Page code as strings: the test program has no DOM types.
      await page.waitForFunction("document.querySelectorAll('canvas').length > 0 && [...document.querySelectorAll('canvas')].every((c) => c.getAttribute('data-rendered') === 'true')");
      // Every chart drew something: count non-transparent pixels of each canvas.
      const painted = (await page.evaluate(`[...document.querySelectorAll('canvas')].map((c) => {
        const { data } = c.getContext('2d').getImageData(0, 0, c.width, c.height);
        let n = 0;
        for (let i = 3; i < data.length; i += 4) if (data[i] > 0) n++;
        return { id: c.id, width: c.width, height: c.height, painted: n };
      })`)) as { id: string; width: number; height: number; painted: number }[];
      mkdirSync(ARTIFACTS, { recursive: true });
      await page.screenshot({ path: path.join(ARTIFACTS, 'budget-report.png'), fullPage: true });
      // Feature importance, one response curve per synthetic channel (6), and learning curves
      // whenever training held out a validation set (the curves are validation metrics).
      const expected = ['feature-importance', ...['search', 'social', 'display', 'video', 'email', 'affiliate'].map((c) => `response-${c}`)];
      if (summary.metrics_from === 'validation') expected.unshift('learning-curves');
      expect(painted.map((p) => p.id)).toEqual(expected);
      for (const p of painted) {
        expect(p.width).toBeGreaterThan(100);
        expect(p.painted).toBeGreaterThan(2000);
      }
      expect(problems).toEqual([]);
      expect(requests).toEqual([]);
    } finally {
      await browser.close();
    }
  });
});
