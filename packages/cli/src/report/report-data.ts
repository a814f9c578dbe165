/** One chart of a training report, drawn by Chart.js in the page. */
export interface ReportChart {
  id: string;
  title: string;
  /** What the chart shows, in a sentence a reader can act on. */
  caption?: string;
  kind: 'line' | 'bar';
  xLabel?: string;
  yLabel?: string;
  /** Horizontal bars (feature importance). */
  horizontal?: boolean;
  labels?: (string | number)[];
  series: ReportSeries[];
}

export interface ReportSeries {
  label: string;
  /** y values aligned with `labels`, or {x, y} points. */
  data: (number | null)[] | { x: number; y: number | null }[];
  /** Fill the area to the previous series (an interval band). */
  fillToPrevious?: boolean;
  dashed?: boolean;
  /** Points only, no line (markers such as the optimum). */
  pointsOnly?: boolean;
}

export interface ReportTable {
  title: string;
  columns: string[];
  rows: (string | number | null)[][];
}

/** A model-specific part of the report (budget response curves, propensity calibration...). */
export interface ReportSection {
  title: string;
  text?: string;
  charts: ReportChart[];
  tables?: ReportTable[];
}

/** Everything a training report shows; rendered to one self-contained HTML file. */
export interface TrainingReport {
  title: string;
  model: string;
  createdAt: string;
  bundle: string;
  data: { source: string; rows: number; columns: { name: string; kind: string; missing: number; summary: string }[] };
  target: string | null;
  metrics: Readonly<Record<string, number>>;
  metricsFrom: string;
  bestIteration: number;
  /** Per-iteration metrics (learning curves). */
  history: Readonly<Record<string, readonly number[]>>;
  /** Feature importance (e.g. total gain), largest first. */
  importance: { feature: string; value: number }[];
  importanceKind: string;
  sections: ReportSection[];
  timings: Readonly<Record<string, number>>;
}
