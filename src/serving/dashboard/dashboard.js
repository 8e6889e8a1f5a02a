// Segue's live dashboard: polls /metrics every 2 s and the experiments API every 10 s, and draws the
// charts of dashboard.html with Chart.js (served from /dashboard/chart.js). Counters are differenced
// between polls (rates), histograms between now and the oldest poll within the last minute (percentiles,
// ratios), gauges are charted as read. After every update each chart element carries data-points="N"
// (non-null points drawn), data-series (the series' names) and, when empty, a note saying why; errors on
// the page are listed in #errors.
// The headless-Chromium test (tests/serving/dashboard_chromium_test.cc) reads them.
'use strict';

const POLL_MS = 2000;
const EXPERIMENTS_EVERY = 5;   // polls between experiment refreshes (reports are computed on request)
const HISTORY = 90;            // points per time series: three minutes
const WINDOW_MS = 60000;       // window of the percentiles and ratios
const COLORS = ['#1f77b4', '#d62728', '#2ca02c', '#ff7f0e', '#9467bd', '#8c564b', '#e377c2', '#17becf', '#7f7f7f'];

// ---- errors: kept in #errors so a test (or an operator) sees them -----------------------------------
function recordError(message) {
  document.getElementById('errors').textContent += message + '\n';
}
window.addEventListener('error', (e) => {
  recordError(e.message || 'failed to load ' + (e.target && (e.target.src || e.target.href)));
}, true);
window.addEventListener('unhandledrejection', (e) => recordError('unhandled rejection: ' + e.reason));
const consoleError = console.error.bind(console);
console.error = (...args) => { recordError(args.join(' ')); consoleError(...args); };

// ---- Prometheus text exposition format 0.0.4 -------------------------------------------------------
// Returns Map(name → [{labels, value}]). Comments, HELP/TYPE lines and timestamps are ignored.
function parseMetrics(text) {
  const metrics = new Map();
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '' || line.startsWith('#')) continue;
    const name = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
    if (!name) throw new Error('metrics: bad line: ' + line);
    let i = name[0].length;
    const labels = {};
    if (line[i] === '{') i = parseLabels(line, i + 1, labels);
    const value = parseValue(line.slice(i).trim().split(/\s+/)[0]);
    if (!metrics.has(name[0])) metrics.set(name[0], []);
    metrics.get(name[0]).push({ labels, value });
  }
  return metrics;
}

// Parses `name="value",...}` from line[i]; returns the index after the closing brace.
function parseLabels(line, i, labels) {
  const escapes = { n: '\n', '\\': '\\', '"': '"' };
  while (line[i] !== '}') {
    const eq = line.indexOf('=', i);
    if (eq < 0 || line[eq + 1] !== '"') throw new Error('metrics: bad labels: ' + line);
    const key = line.slice(i, eq).trim();
    let value = '';
    for (i = eq + 2; line[i] !== '"'; ++i) {
      if (i >= line.length) throw new Error('metrics: unterminated label value: ' + line);
      value += line[i] === '\\' ? escapes[line[++i]] : line[i];
    }
    labels[key] = value;
    i = line[i + 1] === ',' ? i + 2 : i + 1;
  }
  return i + 1;
}

function parseValue(token) {
  if (token === '+Inf') return Infinity;
  if (token === '-Inf') return -Infinity;
  return Number(token);
}

// ---- reading parsed metrics ------------------------------------------------------------------------
function total(m, name, keep = () => true) {
  const samples = m.get(name);
  if (!samples) return null;
  return samples.filter((s) => keep(s.labels)).reduce((acc, s) => acc + s.value, 0);
}

// Cumulative bucket counts of histogram `base`, summed over its label sets: [{le, count}] by le.
function buckets(m, base) {
  const byLe = new Map();
  for (const s of m.get(base + '_bucket') || []) {
    const le = parseValue(s.labels.le);
    byLe.set(le, (byLe.get(le) || 0) + s.value);
  }
  return [...byLe.entries()].sort((a, b) => a[0] - b[0]).map(([le, count]) => ({ le, count }));
}

function histogramNames(m) {
  return [...m.keys()].filter((n) => n.endsWith('_bucket')).map((n) => n.slice(0, -'_bucket'.length));
}

// Prometheus's histogram_quantile: linear interpolation inside the bucket holding the q-th observation.
function quantile(q, cumulative) {
  const n = cumulative.length ? cumulative[cumulative.length - 1].count : 0;
  if (n <= 0) return null;
  const rank = q * n;
  for (let i = 0; i < cumulative.length; ++i) {
    if (cumulative[i].count < rank) continue;
    const lower = i > 0 ? cumulative[i - 1].le : 0;
    if (cumulative[i].le === Infinity) return lower;
    const below = i > 0 ? cumulative[i - 1].count : 0;
    const inBucket = cumulative[i].count - below;
    return lower + (cumulative[i].le - lower) * (inBucket > 0 ? (rank - below) / inBucket : 1);
  }
  return null;
}

function bucketDelta(now, before) {
  const old = new Map(before.map((b) => [b.le, b.count]));
  return now.map((b) => ({ le: b.le, count: b.count - (old.get(b.le) || 0) }));
}

// ---- charts ----------------------------------------------------------------------------------------
// A Chart.js chart inside a .chart element, with a note shown instead of it when there is nothing to draw.
class Panel {
  constructor(element, type, options = {}) {
    this.element = element;
    const canvas = document.createElement('canvas');
    this.note = document.createElement('p');
    this.note.className = 'note';
    element.append(canvas, this.note);
    this.chart = new Chart(canvas, {
      type,
      data: { labels: [], datasets: [] },
      options: { animation: false, maintainAspectRatio: false, spanGaps: true, ...options },
    });
  }

  // series: [{label, data}]; an empty or all-null chart shows `emptyNote`.
  show(labels, series, emptyNote) {
    this.chart.data.labels = labels;
    this.chart.data.datasets = series.map((s, i) => ({
      borderColor: COLORS[i % COLORS.length], backgroundColor: COLORS[i % COLORS.length],
      pointRadius: 0, borderWidth: 2, ...s,
    }));
    this.chart.update('none');
    const points = series.reduce((n, s) => n + s.data.filter((v) => v !== null && Number.isFinite(v)).length, 0);
    this.element.dataset.points = String(points);
    this.element.dataset.series = series.map((s) => s.label).join(',');
    this.note.textContent = points > 0 ? '' : emptyNote;
  }

  destroy() { this.chart.destroy(); }
}

// Time series sharing one time axis: push() appends a point per series (null where a series has none).
class TimeSeries {
  constructor(panel) { this.panel = panel; this.times = []; this.series = new Map(); }

  push(time, values, emptyNote) {
    this.times.push(time.toLocaleTimeString());
    for (const [label, value] of Object.entries(values)) {
      if (!this.series.has(label)) this.series.set(label, new Array(this.times.length - 1).fill(null));
    }
    for (const [label, data] of this.series) data.push(label in values ? values[label] : null);
    if (this.times.length > HISTORY) {
      this.times.shift();
      for (const data of this.series.values()) data.shift();
    }
    this.panel.show(this.times, [...this.series].map(([label, data]) => ({ label, data })), emptyNote);
  }
}

const logScaleMs = { scales: { y: { type: 'logarithmic', title: { display: true, text: 'ms' } } } };
const countAxis = { scales: { y: { min: 0, suggestedMax: 1 } } };  // never negative; a flat zero stays at the bottom
let panels = null;  // created once Chart.js is known to have loaded (end of this file)

function createPanels() {
  const at = (id) => document.getElementById(id);
  return {
    events: new TimeSeries(new Panel(at('events'), 'line', countAxis)),
    latency: new Panel(at('latency'), 'bar', logScaleMs),
    score: new Panel(at('score'), 'bar', { plugins: { legend: { display: false } } }),
    psi: new TimeSeries(new Panel(at('psi'), 'line', countAxis)),
    rates: new TimeSeries(new Panel(at('rates'), 'line', { scales: { y: { min: 0, max: 100 } } })),
    pushes: new TimeSeries(new Panel(at('pushes'), 'line', countAxis)),
    lag: new TimeSeries(new Panel(at('lag'), 'line', countAxis)),
  };
}

// ---- what each chart shows -------------------------------------------------------------------------
function perSecond(now, before, seconds, name, keep) {
  const a = total(now, name, keep);
  const b = total(before, name, keep);
  return a === null || b === null ? null : Math.max(0, a - b) / seconds;
}

function drawEvents(now, before, seconds, time) {
  const values = {};
  const types = new Set((now.get('segue_events_accepted_total') || []).map((s) => s.labels.type));
  for (const type of types) {
    values[type] = perSecond(now, before, seconds, 'segue_events_accepted_total', (l) => l.type === type);
  }
  values.rejected = perSecond(now, before, seconds, 'segue_events_rejected_total');
  values.duplicate = perSecond(now, before, seconds, 'segue_events_duplicate_total');
  panels.events.push(time, values, 'no events yet');
}

function drawPushes(now, before, seconds, time) {
  panels.pushes.push(time, {
    'trigger pushes': perSecond(now, before, seconds, 'segue_trigger_pushes_total'),
    published: perSecond(now, before, seconds, 'segue_push_published_total'),
    'stream deliveries': perSecond(now, before, seconds, 'segue_push_deliveries_total'),
    'webhook sent': perSecond(now, before, seconds, 'segue_push_webhook_sent_total'),
    dropped: perSecond(now, before, seconds, 'segue_push_dropped_total'),
  }, 'no push metrics');
}

// Percent of `part` among `all` over the window; null when nothing happened in it.
function windowPercent(now, oldest, name, part) {
  const all = total(now, name) - total(oldest, name);
  return all > 0 ? 100 * (total(now, name, part) - total(oldest, name, part)) / all : null;
}

function drawRates(now, oldest, time) {
  const values = {};
  if (now.has('segue_recommendations_total')) {
    values['fallback responses'] = windowPercent(now, oldest, 'segue_recommendations_total',
                                                 (l) => (l.source || '').startsWith('fallback'));
  }
  if (now.has('segue_recommendation_cache_lookups_total')) {
    values['cache hits'] = windowPercent(now, oldest, 'segue_recommendation_cache_lookups_total',
                                         (l) => l.result === 'hit');
  }
  panels.rates.push(time, values, 'no recommendations in the last minute');
}

// p50/p90/p99 of every *_seconds histogram (all label sets together), over the window.
function drawLatency(now, oldest) {
  const names = histogramNames(now).filter((n) => n.endsWith('_seconds'));
  const labels = [];
  const series = [0.5, 0.9, 0.99].map((q) => ({ label: 'p' + Math.round(q * 100), data: [] }));
  for (const name of names) {
    const window = bucketDelta(buckets(now, name), buckets(oldest, name));
    labels.push(name.replace(/^segue_/, '').replace(/_seconds$/, ''));
    series.forEach((s, i) => {
      const v = quantile([0.5, 0.9, 0.99][i], window);
      s.data.push(v === null ? null : Math.max(v * 1000, 1e-3));
    });
  }
  panels.latency.show(labels, series, 'nothing timed in the last minute');
}

// The score histogram: a rolling one when the server exports it (any histogram named *score* other than
// the since-start segue_disengagement_score), else segue_disengagement_score.
function scoreHistogramName(m) {
  const names = histogramNames(m).filter((n) => n.includes('score') && !n.endsWith('_seconds'));
  return names.find((n) => n !== 'segue_disengagement_score') || names.find((n) => n === 'segue_disengagement_score');
}

function modelLoaded(m, scoreName) {
  const count = scoreName ? total(m, scoreName + '_count') : 0;
  return m.has('segue_score_psi') || total(m, 'segue_disengagement_threshold') > 0 || count > 0;
}

function drawScore(now, time) {
  const name = scoreHistogramName(now);
  const loaded = modelLoaded(now, name);
  const cumulative = name ? buckets(now, name) : [];
  const labels = [];
  const counts = [];
  cumulative.forEach((b, i) => {
    const lower = i > 0 ? cumulative[i - 1].le : 0;
    labels.push(b.le === Infinity ? '> ' + lower : lower.toFixed(2) + '–' + b.le.toFixed(2));
    counts.push(b.count - (i > 0 ? cumulative[i - 1].count : 0));
  });
  document.getElementById('score-title').textContent =
    'Disengagement score histogram' + (name ? ' (' + name + ')' : '');
  panels.score.show(loaded ? labels : [], [{ label: 'scores', data: loaded ? counts : [] }],
                    loaded ? 'no scores yet' : 'no model loaded');
  const psi = total(now, 'segue_score_psi');
  const psiNote = loaded ? 'no reference histogram in the model bundle (segue_score_psi absent)' : 'no model loaded';
  panels.psi.push(time, { PSI: loaded ? psi : null }, psiNote);
}

function drawLag(now, time) {
  panels.lag.push(time, { 'lag (events)': total(now, 'segue_pipeline_lag_events') }, 'no pipeline yet');
}

// ---- experiments -----------------------------------------------------------------------------------
const experimentCharts = new Map();
const RATE_METRICS = ['trigger_rate', 'trigger_precision', 'false_positive_rate', 'click_through', 'skip_rate',
                      'exit_rate'];

function format(metric) {
  if (!metric || metric.value === null || metric.value === undefined) return '–';
  const ci = metric.ci95 ? ' [' + metric.ci95.map((x) => x.toPrecision(3)).join(', ') + ']' : '';
  return metric.value.toPrecision(3) + ci + (metric.n !== undefined ? ' n=' + metric.n : '');
}

function reportTable(report) {
  const metrics = [...new Set(report.arms.flatMap((a) => Object.keys(a.metrics)))];
  const head = ['metric', ...report.arms.map((a) => a.name + ' (' + a.kind + ', ' + a.listeners + ' listeners, ' + a.sessions + ' sessions)'),
                ...(report.differences || []).map((d) => d.arm + ' − ' + d.baseline)];
  const rows = metrics.map((name) => [name, ...report.arms.map((a) => format(a.metrics[name])),
                                      ...(report.differences || []).map((d) => format(d.metrics[name]))]);
  const table = document.createElement('table');
  for (const [i, cells] of [head, ...rows].entries()) {
    const tr = table.insertRow();
    for (const text of cells) {
      const cell = document.createElement(i === 0 ? 'th' : 'td');
      cell.textContent = text;
      tr.append(cell);
    }
  }
  return table;
}

function showExperiment(container, experiment, report) {
  const section = document.createElement('div');
  const title = document.createElement('h3');
  title.textContent = experiment.id + (experiment.enabled ? '' : ' (disabled)') +
                      (experiment.description ? ': ' + experiment.description : '');
  const chartElement = document.createElement('div');
  chartElement.className = 'chart';
  chartElement.id = 'experiment-' + experiment.id;
  section.append(title, chartElement);
  container.append(section);
  const panel = new Panel(chartElement, 'bar', { scales: { y: { min: 0, max: 1 } } });
  experimentCharts.set(experiment.id, panel);
  if (!report) {
    panel.show([], [], 'no report');
    return;
  }
  panel.show(RATE_METRICS, report.arms.map((arm) => ({
    label: arm.name, data: RATE_METRICS.map((m) => (arm.metrics[m] ? arm.metrics[m].value : null)),
  })), 'no outcomes yet');
  section.append(reportTable(report));
}

// The server is down, restarting or refusing: not a fault of the page.
class Unavailable extends Error {}

async function request(url) {
  try {
    return await fetch(url, { cache: 'no-store' });
  } catch (e) {
    throw new Unavailable(url + ': ' + e.message);
  }
}

async function fetchJson(url) {
  const response = await request(url);
  if (!response.ok) return { status: response.status };
  return { status: response.status, body: await response.json() };
}

async function refreshExperiments() {
  const container = document.getElementById('experiments');
  const list = await fetchJson('/v1/experiments');
  const experiments = list.body ? list.body.experiments : [];
  const reports = await Promise.all(experiments.map((e) =>
    fetchJson('/v1/experiments/' + encodeURIComponent(e.id) + '/report').then((r) => r.body)));
  for (const panel of experimentCharts.values()) panel.destroy();
  experimentCharts.clear();
  container.replaceChildren();
  const empty = document.createElement('p');
  empty.className = 'empty';
  if (list.status !== 200 && list.status !== 404) empty.textContent = 'experiments unavailable (HTTP ' + list.status + ')';
  else if (experiments.length === 0) empty.textContent = 'no experiments';
  container.append(empty);
  experiments.forEach((e, i) => showExperiment(container, e, reports[i]));
}

// ---- polling ---------------------------------------------------------------------------------------
const snapshots = [];  // {time, metrics}, oldest first, spanning the last WINDOW_MS
let polls = 0;

async function fetchMetrics() {
  const response = await request('/metrics');
  if (!response.ok) throw new Unavailable('/metrics answered HTTP ' + response.status);
  return response.text();
}

async function poll() {
  const now = { time: new Date(), metrics: parseMetrics(await fetchMetrics()) };
  const previous = snapshots[snapshots.length - 1];
  while (snapshots.length > 0 && now.time - snapshots[0].time > WINDOW_MS) snapshots.shift();
  snapshots.push(now);
  const oldest = snapshots[0].metrics;
  if (previous) {
    const seconds = (now.time - previous.time) / 1000;
    drawEvents(now.metrics, previous.metrics, seconds, now.time);
    drawPushes(now.metrics, previous.metrics, seconds, now.time);
    drawRates(now.metrics, oldest, now.time);
  }
  drawLatency(now.metrics, oldest);
  drawScore(now.metrics, now.time);
  drawLag(now.metrics, now.time);
  if (polls++ % EXPERIMENTS_EVERY === 0) await refreshExperiments();
}

async function loop() {
  const status = document.getElementById('status');
  try {
    await poll();
    status.textContent = 'updated ' + new Date().toLocaleTimeString();
  } catch (e) {
    status.textContent = 'update failed: ' + e.message;
    if (!(e instanceof Unavailable)) recordError(e.stack || String(e));
  }
  setTimeout(loop, POLL_MS);
}

if (typeof Chart === 'undefined') {
  recordError('Chart.js did not load from /dashboard/chart.js');
} else {
  panels = createPanels();
  loop();
}
