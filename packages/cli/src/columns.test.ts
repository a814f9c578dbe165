import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { cliWorkspace, kdap } from './testing/run-kdap';

/** Renames header cells of a CSV file in place: the user's own column names. */
function renameHeader(file: string, renames: Record<string, string>): void {
  const [header, ...rest] = readFileSync(file, 'utf8').split('\n');
  writeFileSync(file, [header!.split(',').map((c) => renames[c] ?? c).join(','), ...rest].join('\n'));
}

const { dir, configDir } = cliWorkspace('kdap-cli-columns-');

describe("kdap train on a CSV with the user's own column names (column flags)", () => {
  it('budget: --channel-column/--spend-column/--date-column/--target train, the report is written, score and info use the mapping', async () => {
    const data = path.join(dir, 'marketing.csv');
    expect((await kdap(['synth', 'budget', '--samples', '900', '--output', data, '--seed', '5'], dir)).code).toBe(0);
    renameHeader(data, { channel_id: 'medium', current_spend: 'cost', date: 'day', return: 'revenue' });

    const out = path.join(dir, 'models');
    const flags = ['--channel-column', 'medium', '--spend-column', 'cost', '--date-column', 'day', '--target', 'revenue'];
    const train = await kdap(['train', 'budget', '--data', data, ...flags, '--output', out, '--config', configDir, '--json'], dir);
    expect(train.stderr).not.toMatch(/error/i);
    expect(train.code).toBe(0);
    const summary = JSON.parse(train.stdout) as { bundle: string; report: string; columns: Record<string, string>; metrics: Record<string, number> };
    expect(summary.columns).toEqual({ channel: 'medium', spend: 'cost', date: 'day' });
    expect(Number.isFinite(summary.metrics.rmse)).toBe(true);
    // The report traced one response curve per channel, found through the user's channel column.
    expect(readFileSync(summary.report, 'utf8')).toMatch(/Response curve: search/);

    const scores = path.join(dir, 'budget-scores.json');
    const scored = await kdap(['score', '--model', summary.bundle, '--data', data, '--output', scores], dir);
    expect(scored.stderr).toBe('');
    expect(scored.code).toBe(0);
    const records = JSON.parse(readFileSync(scores, 'utf8')) as { channel_id: string; optimal_spend: number }[];
    expect(records).toHaveLength(900);
    expect(new Set(records.map((r) => r.channel_id))).toContain('search');
    expect(records.every((r) => Number.isFinite(r.optimal_spend))).toBe(true);

    const info = await kdap(['info', summary.bundle], dir);
    expect(info.stdout).toMatch(/columns\s+channel: medium; spend: cost; date: day/);
  }, 120_000);

  it('propensity: --id-column and --target, results keyed by the user id', async () => {
    const data = path.join(dir, 'customers.csv');
    expect((await kdap(['synth', 'propensity', '--samples', '2000', '--output', data, '--seed', '3'], dir)).code).toBe(0);
    renameHeader(data, { customer_id: 'user_id', converted: 'bought' });
    const out = path.join(dir, 'models');
    const train = await kdap(['train', 'propensity', '--data', data, '--id-column', 'user_id', '--target', 'bought', '--output', out, '--config', configDir, '--no-report', '--json'], dir);
    expect(train.code).toBe(0);
    const summary = JSON.parse(train.stdout) as { bundle: string };
    const scores = path.join(dir, 'propensity-scores.json');
    expect((await kdap(['score', '--model', summary.bundle, '--data', data, '--output', scores], dir)).code).toBe(0);
    const records = JSON.parse(readFileSync(scores, 'utf8')) as { customer_id: string }[];
    const ids = readFileSync(data, 'utf8').split('\n').slice(1, 4).map((line) => line.split(',')[0]);
    expect(records.slice(0, 3).map((r) => r.customer_id)).toEqual(ids);
  }, 120_000);

  it('anomaly: --date-column, --value-column and --series-column (a comma-separated list)', async () => {
    const data = path.join(dir, 'kpis.csv');
    expect((await kdap(['synth', 'anomaly', '--samples', '1600', '--output', data, '--seed', '4'], dir)).code).toBe(0);
    renameHeader(data, { date: 'day', value: 'amount', channel_id: 'medium', metric: 'kpi' });
    const out = path.join(dir, 'models');
    const flags = ['--date-column', 'day', '--value-column', 'amount', '--series-column', 'medium,kpi'];
    const train = await kdap(['train', 'anomaly', '--data', data, ...flags, '--output', out, '--no-report', '--json'], dir);
    expect(train.stderr).not.toMatch(/error/i);
    expect(train.code).toBe(0);
    const summary = JSON.parse(train.stdout) as { bundle: string; columns: Record<string, unknown> };
    expect(summary.columns).toEqual({ date: 'day', series: ['medium', 'kpi'], value: 'amount' });
    const scores = path.join(dir, 'anomaly-scores.json');
    expect((await kdap(['score', '--model', summary.bundle, '--data', data, '--output', scores], dir)).code).toBe(0);
    expect((JSON.parse(readFileSync(scores, 'utf8')) as unknown[]).length).toBeGreaterThan(0);
  }, 120_000);

  it.each([
    {
      name: 'a flag the model has no role for',
      argv: ['train', 'propensity', '--samples', '100', '--channel-column', 'medium'],
      code: 2,
      message: "--channel-column applies to budget models, not 'propensity'. Its column flags: --date-column, --id-column.",
    },
    { name: 'an empty series column', argv: ['train', 'anomaly', '--samples', '100', '--series-column', 'medium,'], code: 2, message: "--series-column needs column names separated by commas. Got 'medium,'." },
  ])('refuses $name (exit $code, one line)', async ({ argv, code, message }) => {
    const result = await kdap([...argv, '--output', path.join(dir, 'never')], dir);
    expect(result.code).toBe(code);
    expect(result.stderr.trim()).toBe(`error: ${message}`);
  });

  it('names the column and the flag when the data uses its own names without the flags (exit 1)', async () => {
    const data = path.join(dir, 'unmapped.csv');
    expect((await kdap(['synth', 'budget', '--samples', '200', '--output', data], dir)).code).toBe(0);
    renameHeader(data, { channel_id: 'medium' });
    const result = await kdap(['train', 'budget', '--data', data, '--output', path.join(dir, 'never'), '--config', configDir], dir);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/has no column 'channel_id' \(the channel column\)\..* Its columns are: .*medium.*\. On the command line: --channel-column <name>\./);
  });
});
