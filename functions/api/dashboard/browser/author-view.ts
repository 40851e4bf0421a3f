/**
 * One author's view, opened from any author link (`#author=<name>`): their numbers, their suspicious
 * commits, and how their entropy compares with everyone's.
 */
import type { GroupItem, Summary } from '../../read-model.js';
import { api } from './api-client.js';
import { h, replaceChildren } from './dom.js';
import { formatCount, formatEntropy, formatInstant } from './format.js';
import { describeFailure, showFailure } from './panel-error.js';
import { suspiciousTable } from './suspicious-table.js';

const SUSPICIOUS_SHOWN = 100;

export class AuthorView {
  private author: string | undefined;
  private readonly heading: HTMLElement;
  private readonly body: HTMLElement;
  private readonly error: HTMLElement;

  constructor(private readonly section: HTMLElement) {
    this.heading = h('h2', { id: 'author-heading', tabindex: '-1' });
    const close = h('a', { href: '#', class: 'close' }, 'Close author view');
    this.error = h('p', { class: 'error', role: 'alert', hidden: true });
    this.body = h('div');
    section.append(h('div', { class: 'panel-head' }, this.heading, close), this.error, this.body);
  }

  /** Opens (or, with undefined, closes) the view; focus moves to its heading when it opens. */
  async show(author: string | undefined, summary: Summary | undefined): Promise<void> {
    const opening = author !== undefined && author !== this.author;
    this.author = author;
    this.section.hidden = author === undefined;
    if (author === undefined) return;
    this.heading.textContent = `Author: ${author}`;
    if (opening) {
      replaceChildren(this.body, h('p', {}, 'Loading…'));
      this.section.scrollIntoView({ block: 'start' });
      this.heading.focus();
    }
    await this.refresh(summary);
  }

  async refresh(summary: Summary | undefined): Promise<void> {
    const author = this.author;
    if (author === undefined) return;
    try {
      const [stats, suspicious] = await Promise.all([
        api.group('author', author),
        api.suspicious({ author, limit: SUSPICIOUS_SHOWN }),
      ]);
      if (author !== this.author) return;
      showFailure(this.error, undefined);
      replaceChildren(
        this.body,
        numbers(stats),
        entropyComparison(stats, summary),
        h('h3', {}, 'Suspicious commits'),
        suspiciousTable(
          suspicious.items,
          `The latest ${formatCount(suspicious.items.length)} suspicious commits of ${author}`,
        ),
      );
    } catch (error) {
      showFailure(this.error, describeFailure(`author ${author}`, error));
      replaceChildren(this.body);
    }
  }
}

function numbers(stats: GroupItem): HTMLElement {
  const entries: Array<[string, string]> = [
    ['Commits', formatCount(stats.commits)],
    ['Lines added', formatCount(stats.linesAdded)],
    ['Lines deleted', formatCount(stats.linesDeleted)],
    ['Average entropy', formatEntropy(stats.avgEntropy)],
    ['Highest entropy', formatEntropy(stats.maxEntropy)],
    ['Suspicious commits', formatCount(stats.suspiciousCommits)],
    ['First commit', formatInstant(stats.firstEventTime)],
    ['Last commit', formatInstant(stats.lastEventTime)],
  ];
  return h(
    'dl',
    { class: 'tiles compact', 'data-author-tiles': '' },
    ...entries.map(([label, value]) => h('div', { class: 'tile' }, h('dt', {}, label), h('dd', {}, value))),
  );
}

/** Bars on the entropy scale 0–1: the author's average and highest against everyone's average. */
function entropyComparison(stats: GroupItem, summary: Summary | undefined): HTMLElement {
  const overall = summary?.avgEntropy ?? null;
  const bars: Array<[string, number | null, string]> = [
    ['This author, average', stats.avgEntropy, 'author'],
    ['Everyone, average', overall, 'everyone'],
    ['This author, highest', stats.maxEntropy, 'highest'],
  ];
  const sentence =
    stats.avgEntropy === null || overall === null
      ? 'No entropy to compare yet.'
      : `Average entropy ${formatEntropy(stats.avgEntropy)} against ${formatEntropy(overall)} for everyone: ` +
        `${stats.avgEntropy >= overall ? 'higher' : 'lower'} by ${formatEntropy(Math.abs(stats.avgEntropy - overall))}.`;
  return h(
    'figure',
    { class: 'comparison' },
    h('figcaption', {}, sentence),
    h(
      'div',
      { 'aria-hidden': 'true' },
      ...bars.map(([label, value, kind]) => {
        const bar = h('span', { class: `bar ${kind}` });
        bar.style.width = `${Math.round((value ?? 0) * 100)}%`;
        return h(
          'div',
          { class: 'bar-row' },
          h('span', { class: 'bar-label' }, label),
          h('span', { class: 'bar-track' }, bar),
          h('span', { class: 'bar-value' }, formatEntropy(value)),
        );
      }),
    ),
  );
}
