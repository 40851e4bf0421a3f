/**
 * The overview tiles: totals from `/stats/summary` and how long ago the last batch was ingested.
 * Each value carries its raw number in `data-value`, so tests compare it with the API exactly.
 */
import type { Summary } from '../../read-model.js';
import { h, replaceChildren } from './dom.js';
import { formatAgo, formatCount, formatEntropy, formatInstant } from './format.js';

interface Tile {
  key: string;
  label: string;
  /** Instants read better a size smaller than counts. */
  time?: boolean;
  value: (summary: Summary, nowMs: number) => { text: string; raw: string; title?: string };
}

const count = (pick: (summary: Summary) => number) => (summary: Summary) => ({
  text: formatCount(pick(summary)),
  raw: String(pick(summary)),
});

const instant = (pick: (summary: Summary) => string | null) => (summary: Summary) => ({
  text: formatInstant(pick(summary)),
  raw: pick(summary) ?? '',
});

const TILES: readonly Tile[] = [
  { key: 'commits', label: 'Commits', value: count((s) => s.commits) },
  { key: 'authors', label: 'Authors', value: count((s) => s.authors) },
  { key: 'linesAdded', label: 'Lines added', value: count((s) => s.linesAdded) },
  { key: 'linesDeleted', label: 'Lines deleted', value: count((s) => s.linesDeleted) },
  {
    key: 'avgEntropy',
    label: 'Average entropy',
    value: (s) => ({
      text: formatEntropy(s.avgEntropy),
      raw: s.avgEntropy === null ? '' : String(s.avgEntropy),
    }),
  },
  { key: 'suspiciousCommits', label: 'Suspicious commits', value: count((s) => s.suspiciousCommits) },
  { key: 'firstEventTime', label: 'First event', time: true, value: instant((s) => s.firstEventTime) },
  { key: 'lastEventTime', label: 'Last event', time: true, value: instant((s) => s.lastEventTime) },
  {
    key: 'lastIngestedAt',
    label: 'Last batch ingested',
    value: (s, nowMs) =>
      s.lastIngestedAt === null
        ? { text: 'never', raw: '' }
        : {
            text: formatAgo(nowMs - Date.parse(s.lastIngestedAt)),
            raw: s.lastIngestedAt,
            title: formatInstant(s.lastIngestedAt),
          },
  },
];

/** Renders the tiles into the overview's `<dl>`. */
export function renderOverview(list: HTMLElement, summary: Summary, nowMs: number): void {
  replaceChildren(
    list,
    ...TILES.map((tile) => {
      const { text, raw, title } = tile.value(summary, nowMs);
      return h(
        'div',
        { class: 'tile' },
        h('dt', {}, tile.label),
        h(
          'dd',
          { 'data-tile': tile.key, 'data-value': raw, title, class: tile.time ? 'instant' : undefined },
          text,
        ),
      );
    }),
  );
}
