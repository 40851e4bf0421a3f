/**
 * The timeline chart: commits and suspicious commits per event-time window, drawn with uPlot
 * (canvas). Drag across the chart to zoom, double-click to reset; the buttons beside it do the same
 * from the keyboard. Its text alternative is a sentence (the chart's accessible name) and a table of
 * the windows in view.
 */
import uPlot from 'uplot';
import type { TimelineWindow } from '../../read-model.js';
import { h, replaceChildren } from './dom.js';
import { formatCount, formatEntropy, formatInstant } from './format.js';
import { describeTimeline, type TimelineSeries, toSeries } from './timeline-data.js';

const HEIGHT = 280;
/** The table of windows lists at most this many rows (the windows in view, latest first). */
const TABLE_ROWS = 500;

const COLORS = { commits: '#2563eb', suspicious: '#dc2626' } as const;

/** 24-hour, ISO-style tick labels (uPlot's default is US-style); the date shows where it changes. */
const TIME_AXIS_FORMATS: uPlot.Axis.Values = [
  [3600 * 24 * 365, '{YYYY}', null, null, null, null, null, null, 1],
  [3600 * 24 * 28, '{YYYY}-{MM}', '\n{YYYY}', null, null, null, null, null, 1],
  [3600 * 24, '{MM}-{DD}', '\n{YYYY}', null, null, null, null, null, 1],
  [60, '{HH}:{mm}', '\n{YYYY}-{MM}-{DD}', null, '\n{YYYY}-{MM}-{DD}', null, null, null, 1],
  [1, '{HH}:{mm}:{ss}', '\n{YYYY}-{MM}-{DD}', null, '\n{YYYY}-{MM}-{DD}', null, null, null, 1],
];

export interface TimelineElements {
  chart: HTMLElement;
  description: HTMLElement;
  table: HTMLElement;
  controls: HTMLElement;
}

export class TimelineChart {
  private plot: uPlot | undefined;
  private windows: readonly TimelineWindow[] = [];
  private series: TimelineSeries = { x: [], commits: [], suspicious: [] };
  private zoomed = false;

  constructor(
    private readonly elements: TimelineElements,
    private readonly windowSeconds: number,
  ) {
    for (const button of elements.controls.querySelectorAll<HTMLButtonElement>('button[data-zoom]')) {
      button.addEventListener('click', () => this.zoom(button.dataset.zoom ?? 'reset'));
    }
    new ResizeObserver(() => this.plot?.setSize({ width: this.width(), height: HEIGHT })).observe(
      elements.chart,
    );
  }

  /** Draws the windows (oldest first); keeps the zoom the user chose. */
  update(windows: readonly TimelineWindow[]): void {
    this.windows = windows;
    this.series = toSeries(windows, this.windowSeconds);
    const data: uPlot.AlignedData = [this.series.x, this.series.commits, this.series.suspicious];
    if (this.plot) this.plot.setData(data, !this.zoomed);
    else this.plot = new uPlot(this.options(), data, this.elements.chart);
    this.elements.chart.dataset.windows = String(windows.length);
    this.elements.chart.dataset.points = String(this.series.x.length);
    this.elements.chart.setAttribute('aria-label', describeTimeline(windows, this.windowSeconds));
    this.elements.description.textContent = describeTimeline(windows, this.windowSeconds);
    this.renderTable();
  }

  private options(): uPlot.Options {
    return {
      width: this.width(),
      height: HEIGHT,
      tzDate: (seconds) => uPlot.tzDate(new Date(seconds * 1000), 'Etc/UTC'),
      cursor: { drag: { x: true, y: false } },
      scales: { x: { time: true }, y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
      series: [
        { value: '{YYYY}-{MM}-{DD} {HH}:{mm}' },
        { label: 'Commits', scale: 'y', stroke: COLORS.commits, fill: 'rgba(37, 99, 235, 0.12)', width: 1.5 },
        { label: 'Suspicious', scale: 'suspicious', stroke: COLORS.suspicious, width: 1.5 },
      ],
      axes: [
        { values: TIME_AXIS_FORMATS },
        { scale: 'y', label: 'commits', stroke: COLORS.commits },
        {
          scale: 'suspicious',
          side: 1,
          label: 'suspicious',
          stroke: COLORS.suspicious,
          grid: { show: false },
        },
      ],
      hooks: {
        setScale: [
          (plot, key) => {
            if (key !== 'x') return;
            const { min, max } = plot.scales.x ?? {};
            this.zoomed =
              min !== undefined &&
              max !== undefined &&
              (min > (this.series.x[0] ?? min) || max < (this.series.x.at(-1) ?? max));
            this.renderTable();
          },
        ],
      },
    };
  }

  private width(): number {
    return Math.max(280, this.elements.chart.clientWidth);
  }

  /** Keyboard zoom: `in` halves the range around its centre, `out` doubles it, `earlier`/`later` pan. */
  private zoom(action: string): void {
    const plot = this.plot;
    const first = this.series.x[0];
    const last = this.series.x.at(-1);
    if (!plot || first === undefined || last === undefined) return;
    if (action === 'reset') {
      plot.setScale('x', { min: first, max: last });
      return;
    }
    const min = plot.scales.x?.min ?? first;
    const max = plot.scales.x?.max ?? last;
    const span = max - min;
    const centre = (min + max) / 2;
    const minimumSpan = this.windowSeconds * 4;
    const next =
      action === 'in'
        ? {
            min: centre - Math.max(span / 4, minimumSpan / 2),
            max: centre + Math.max(span / 4, minimumSpan / 2),
          }
        : action === 'out'
          ? { min: centre - span, max: centre + span }
          : action === 'earlier'
            ? { min: min - span / 4, max: max - span / 4 }
            : { min: min + span / 4, max: max + span / 4 };
    plot.setScale('x', { min: Math.max(first, next.min), max: Math.min(last, next.max) });
  }

  /** The windows in view as a table, latest first: the chart's numbers for screen readers and copying. */
  private renderTable(): void {
    const min = this.plot?.scales.x?.min ?? Number.NEGATIVE_INFINITY;
    const max = this.plot?.scales.x?.max ?? Number.POSITIVE_INFINITY;
    const inView = this.windows.filter((window) => {
      const x = Date.parse(window.windowStart) / 1000;
      return x >= min && x <= max;
    });
    const shown = inView.slice(-TABLE_ROWS).reverse();
    replaceChildren(
      this.elements.table,
      h(
        'p',
        {},
        inView.length > shown.length
          ? `The latest ${formatCount(shown.length)} of the ${formatCount(inView.length)} windows in view.`
          : `${formatCount(inView.length)} windows in view.`,
      ),
      h(
        'div',
        { class: 'table-scroll' },
        h(
          'table',
          {},
          h(
            'thead',
            {},
            h(
              'tr',
              {},
              h('th', { scope: 'col' }, 'Window start'),
              h('th', { scope: 'col', class: 'num' }, 'Commits'),
              h('th', { scope: 'col', class: 'num' }, 'Suspicious'),
              h('th', { scope: 'col', class: 'num' }, 'Avg entropy'),
            ),
          ),
          h(
            'tbody',
            {},
            ...shown.map((window) =>
              h(
                'tr',
                {},
                h('td', {}, formatInstant(window.windowStart)),
                h('td', { class: 'num' }, formatCount(window.commits)),
                h('td', { class: 'num' }, formatCount(window.suspiciousCommits)),
                h('td', { class: 'num' }, formatEntropy(window.avgEntropy)),
              ),
            ),
          ),
        ),
      ),
    );
  }
}
