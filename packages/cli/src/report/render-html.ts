import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { ReportChart, ReportSection, ReportTable, TrainingReport } from './report-data';

/** Chart.js's browser build, read once from the installed package and inlined into every report. */
let chartJsSource: string | undefined;
function chartJs(): string {
  // chart.js exports no subpath for its UMD file: it sits beside the CommonJS entry.
  chartJsSource ??= readFileSync(path.join(path.dirname(require.resolve('chart.js')), 'chart.umd.min.js'), 'utf8');
  return chartJsSource;
}

const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
/** JSON inside <script>: no "</script>" or "<!--" can end it early. */
const scriptJson = (value: unknown) =>
  JSON.stringify(value, (_k, v: unknown) => (typeof v === 'number' && !Number.isFinite(v) ? null : v)).replace(/</g, '\\u003c');

function formatNumber(v: number | string | null): string {
  if (v === null) return 'n/a';
  if (typeof v === 'string') return escapeHtml(v);
  if (!Number.isFinite(v)) return 'n/a';
  const abs = Math.abs(v);
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e9)) return v.toExponential(3);
  return Number(v.toPrecision(5)).toLocaleString('en-US', { maximumFractionDigits: 6 });
}

function table(t: ReportTable): string {
  const head = t.columns.map((c) => `<th>${escapeHtml(c)}</th>`).join('');
  const body = t.rows.map((r) => `<tr>${r.map((v) => `<td>${formatNumber(v)}</td>`).join('')}</tr>`).join('\n');
  return `<h3>${escapeHtml(t.title)}</h3><table><thead><tr>${head}</tr></thead><tbody>${body}</tbody></table>`;
}

function chartBox(c: ReportChart): string {
  return `<figure class="chart"><figcaption><strong>${escapeHtml(c.title)}</strong>${c.caption ? `<br><span>${escapeHtml(c.caption)}</span>` : ''}</figcaption><div class="canvas"><canvas id="${escapeHtml(c.id)}" data-chart="${escapeHtml(c.id)}"></canvas></div></figure>`;
}

function section(s: ReportSection): string {
  return `<section><h2>${escapeHtml(s.title)}</h2>${s.text ? `<p>${escapeHtml(s.text)}</p>` : ''}<div class="grid">${s.charts.map(chartBox).join('')}</div>${(s.tables ?? []).map(table).join('')}</section>`;
}

/**
 * One self-contained HTML file: styles, data and Chart.js inline, so it opens offline from disk,
 * attached to an email or as an MLflow artifact, with no request at view time.
 */
export function renderReportHtml(report: TrainingReport, modelSections: ReportSection[] = report.sections): string {
  const curves = Object.entries(report.history);
  const learning: ReportChart[] = curves.length === 0 ? [] : [{
    id: 'learning-curves',
    title: 'Learning curves',
    caption: `Metric per boosting iteration; the best iteration (${report.bestIteration}) is the one kept.`,
    kind: 'line',
    xLabel: 'iteration',
    yLabel: 'metric',
    labels: Array.from({ length: Math.max(...curves.map(([, v]) => v.length)) }, (_, i) => i + 1),
    series: curves.map(([name, values]) => ({ label: name, data: [...values] })),
  }];
  const importance: ReportChart[] = report.importance.length === 0 ? [] : [{
    id: 'feature-importance',
    title: `Feature importance (${report.importanceKind})`,
    kind: 'bar',
    horizontal: true,
    labels: report.importance.map((f) => f.feature),
    series: [{ label: report.importanceKind, data: report.importance.map((f) => f.value) }],
  }];
  const overview: ReportSection = {
    title: 'Training',
    charts: [...learning, ...importance],
    tables: [
      { title: `Metrics (${report.metricsFrom} set)`, columns: ['metric', 'value'], rows: Object.entries(report.metrics).map(([k, v]) => [k, v]) },
      { title: 'Timings', columns: ['step', 'seconds'], rows: Object.entries(report.timings).map(([k, v]) => [k, Number((v / 1000).toFixed(3))]) },
    ],
  };
  const dataTable: ReportTable = {
    title: `Data: ${report.data.rows.toLocaleString('en-US')} rows from ${report.data.source}`,
    columns: ['column', 'kind', 'missing', 'summary'],
    rows: report.data.columns.map((c) => [c.name, c.kind, c.missing, c.summary]),
  };
  const sections = [overview, ...modelSections];
  const charts = sections.flatMap((s) => s.charts);
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(report.title)}</title>
<style>
  body { font: 14px/1.45 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; margin: 0; color: #1d2430; background: #f6f7f9; }
  header { background: #1d2430; color: #fff; padding: 18px 28px; }
  header h1 { margin: 0 0 4px; font-size: 20px; }
  header p { margin: 0; opacity: .8; }
  main { padding: 12px 28px 40px; max-width: 1280px; }
  section { background: #fff; border: 1px solid #e2e5ea; border-radius: 8px; padding: 12px 18px; margin: 16px 0; }
  h2 { font-size: 17px; margin: 6px 0 10px; } h3 { font-size: 14px; margin: 14px 0 6px; }
  .grid { display: grid; grid-template-columns: repeat(auto-fill, minmax(520px, 1fr)); gap: 16px; }
  figure.chart { margin: 0; } figcaption span { color: #5b6472; font-size: 12px; }
  .canvas { position: relative; height: 300px; }
  table { border-collapse: collapse; font-variant-numeric: tabular-nums; }
  td, th { border-bottom: 1px solid #e2e5ea; padding: 4px 12px 4px 0; text-align: left; }
  .kv { display: flex; flex-wrap: wrap; gap: 8px 28px; }
</style>
</head>
<body>
<header><h1>${escapeHtml(report.title)}</h1><p>${escapeHtml(report.model)} model &middot; trained ${escapeHtml(report.createdAt)} &middot; target ${escapeHtml(report.target ?? '(configured)')} &middot; bundle ${escapeHtml(report.bundle)}</p></header>
<main>
${sections.map(section).join('\n')}
<section>${table(dataTable)}</section>
</main>
<script>${chartJs()}</script>
<script type="application/json" id="kdap-charts">${scriptJson(charts)}</script>
<script>
(function () {
  var palette = ['#2563eb', '#dc2626', '#16a34a', '#9333ea', '#ea580c', '#0891b2', '#4b5563'];
  var charts = JSON.parse(document.getElementById('kdap-charts').textContent);
  charts.forEach(function (c) {
    var canvas = document.getElementById(c.id);
    var datasets = c.series.map(function (s, i) {
      var color = palette[i % palette.length];
      return {
        label: s.label, data: s.data, borderColor: color, backgroundColor: s.fillToPrevious ? color + '33' : color,
        fill: s.fillToPrevious ? '-1' : false, borderDash: s.dashed ? [6, 4] : [], showLine: !s.pointsOnly,
        pointRadius: s.pointsOnly ? 6 : 0, borderWidth: s.pointsOnly ? 2 : 1.5, tension: 0
      };
    });
    var linearX = c.series.some(function (s) { return s.data.length && typeof s.data[0] === 'object' && s.data[0] !== null; });
    new Chart(canvas, {
      type: c.kind,
      data: { labels: c.labels, datasets: datasets },
      options: {
        animation: false, responsive: true, maintainAspectRatio: false, indexAxis: c.horizontal ? 'y' : 'x',
        plugins: { legend: { display: c.series.length > 1 } },
        scales: {
          x: Object.assign({ title: { display: !!c.xLabel, text: c.xLabel } }, linearX ? { type: 'linear' } : {}),
          y: { title: { display: !!c.yLabel, text: c.yLabel } }
        }
      }
    });
    canvas.setAttribute('data-rendered', 'true');
  });
})();
</script>
</body>
</html>
`;
}
