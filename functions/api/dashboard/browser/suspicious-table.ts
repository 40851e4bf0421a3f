/**
 * Suspicious commits, latest first, filterable by reason and author; also the author view's list.
 */
import { SUSPICION_REASONS, type SuspicionReason } from '../../../shared/vocabulary.js';
import type { SuspiciousCommit } from '../../read-model.js';
import { api, type SuspiciousFilter } from './api-client.js';
import { h, replaceChildren } from './dom.js';
import { formatCount, formatEntropy, formatInstant } from './format.js';
import { authorHref } from './navigation.js';
import { describeFailure, showFailure } from './panel-error.js';

const REASON_LABELS: Readonly<Record<SuspicionReason, string>> = {
  entropy: 'high entropy',
  'author-outlier': 'author outlier',
};

/** A table of suspicious commits. */
export function suspiciousTable(items: readonly SuspiciousCommit[], caption: string): HTMLElement {
  if (items.length === 0) return h('p', { class: 'empty' }, 'No suspicious commits match.');
  return h(
    'div',
    { class: 'table-scroll' },
    h(
      'table',
      { class: 'suspicious' },
      h('caption', {}, caption),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, 'Event time'),
          h('th', { scope: 'col' }, 'Commit'),
          h('th', { scope: 'col' }, 'Author'),
          h('th', { scope: 'col' }, 'File'),
          h('th', { scope: 'col', class: 'num' }, 'Entropy'),
          h('th', { scope: 'col', class: 'num' }, 'Lines (+/−)'),
          h('th', { scope: 'col' }, 'Reason'),
        ),
      ),
      h(
        'tbody',
        {},
        ...items.map((item) =>
          h(
            'tr',
            { 'data-reason': item.reason },
            h('td', { class: 'time' }, formatInstant(item.eventTime)),
            h('td', { class: 'key', title: item.commitId }, item.commitId),
            h('td', { class: 'key' }, h('a', { href: authorHref(item.author) }, item.author)),
            h('td', { class: 'path', title: item.filePath }, item.filePath),
            h('td', { class: 'num' }, formatEntropy(item.entropy)),
            h('td', { class: 'num' }, `${formatCount(item.linesAdded)} / ${formatCount(item.linesDeleted)}`),
            h('td', {}, h('span', { class: `badge ${item.reason}` }, REASON_LABELS[item.reason])),
          ),
        ),
      ),
    ),
  );
}

/** The suspicious-commits panel: a filter form above the table. */
export class SuspiciousPanel {
  private filter: SuspiciousFilter = { limit: 50 };
  private readonly result: HTMLElement;
  private readonly error: HTMLElement;

  constructor(
    panel: HTMLElement,
    private readonly authorSuggestions: HTMLDataListElement,
  ) {
    const reason = h(
      'select',
      { id: 'suspicious-reason', name: 'reason' },
      h('option', { value: '' }, 'any reason'),
      ...SUSPICION_REASONS.map((value) => h('option', { value }, REASON_LABELS[value])),
    );
    const author = h('input', {
      id: 'suspicious-author',
      name: 'author',
      type: 'search',
      list: authorSuggestions.id,
      placeholder: 'any author',
      autocomplete: 'off',
    });
    const limit = h(
      'select',
      { id: 'suspicious-limit', name: 'limit' },
      ...[25, 50, 100, 250].map((value) =>
        h('option', { value, selected: value === this.filter.limit }, value),
      ),
    );
    const form = h(
      'form',
      { class: 'filters', role: 'search', 'aria-label': 'Filter suspicious commits' },
      h('label', { for: reason.id }, 'Reason'),
      reason,
      h('label', { for: author.id }, 'Author'),
      author,
      h('label', { for: limit.id }, 'Show'),
      limit,
      h('button', { type: 'submit' }, 'Apply'),
    );
    const apply = () => {
      const chosen = reason.value as SuspicionReason | '';
      this.filter = {
        limit: Number(limit.value),
        author: author.value.trim() === '' ? undefined : author.value.trim(),
        reason: chosen === '' ? undefined : chosen,
      };
      void this.refresh();
    };
    form.addEventListener('submit', (event) => {
      event.preventDefault();
      apply();
    });
    reason.addEventListener('change', apply);
    limit.addEventListener('change', apply);
    this.error = h('p', { class: 'error', role: 'alert', hidden: true });
    this.result = h('div', { 'aria-live': 'polite' });
    panel.append(form, this.error, this.result);
  }

  async refresh(): Promise<void> {
    try {
      const { items } = await api.suspicious(this.filter);
      showFailure(this.error, undefined);
      const which = [
        this.filter.reason ? REASON_LABELS[this.filter.reason] : undefined,
        this.filter.author ? `by ${this.filter.author}` : undefined,
      ].filter(Boolean);
      const caption = `The latest ${formatCount(items.length)} suspicious commits${which.length > 0 ? ` (${which.join(', ')})` : ''}`;
      replaceChildren(this.result, suspiciousTable(items, caption));
    } catch (error) {
      showFailure(this.error, describeFailure('the suspicious commits', error));
    }
  }

  /** Suggests these authors in the author filter. */
  suggestAuthors(authors: readonly string[]): void {
    replaceChildren(this.authorSuggestions, ...authors.map((value) => h('option', { value })));
  }
}
