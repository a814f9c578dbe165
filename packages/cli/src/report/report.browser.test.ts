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
  writeFileSync(path.join(dir, 'config', 'propensity.yaml'), 'hyperparameters:\n  xgboost:\n    n_estimators: 60\n');
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const CHANNELS = ['search', 'social', 'display', 'video', 'email', 'affiliate'];
/** The charts each model's report must draw (learning curves whenever the metrics are not training metrics). */
const CASES: [string, string, string[]][] = [
  ['budget', '1200', ['feature-importance', ...CHANNELS.map((c) => `response-${c}`)]],
  ['propensity', '3000', ['feature-importance', 'calibration-curve', 'gains', 'score-histogram']],
  ['anomaly', '1600', ['series-0', 'series-1', 'series-2', 'series-3']],
];

describe('the training report', () => {
  it.each(CASES)('of %s is one self-contained file that renders every chart in headless Chromium with no console errors', async (model, samples, charts) => {
    const stdout = new Sink();
    const stderr = new Sink();
    const code = await run(['train', model, '--samples', samples, '--output', path.join(dir, 'models'), '--config', path.join(dir, 'config'), '--json'], {
      streams: { stdout, stderr, env: {} },
      cwd: dir,
    });
    expect(stderr.text).not.toMatch(/^error/m);
    expect(code).toBe(0);
    const summary = JSON.parse(stdout.text) as { report: string; metrics_from: string };
    expect(summary.report).toMatch(new RegExp(`models/\\w+\\.report\\.html$`));
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
      await page.screenshot({ path: path.join(ARTIFACTS, `${model}-report.png`), fullPage: true });
      const expected = summary.metrics_from === 'training' ? [...charts] : ['learning-curves', ...charts];
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
