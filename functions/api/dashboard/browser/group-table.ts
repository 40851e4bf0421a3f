/**
 * A top list of one dimension (authors, modules or languages): sortable by every sort the API
 * offers (the column headers are buttons), paged with previous/next. An author's name opens the
 * author's view.
 */
import type { Dimension } from '../../../shared/vocabulary.js';
import type { GroupSort, SortOrder } from '../../listing-vocabulary.js';
import type { ApiGroupPage, GroupItem } from '../../read-model.js';
import { api, type GroupListing } from './api-client.js';
import { h, replaceChildren } from './dom.js';
import { formatCount, formatEntropy } from './format.js';
import { authorHref } from './navigation.js';
import { describeFailure, showFailure } from './panel-error.js';

const PAGE_SIZE = 10;

interface Column {
  sort: GroupSort;
  label: string;
  value: (item: GroupItem) => string;
  title?: (item: GroupItem) => string;
}

const COLUMNS: readonly Column[] = [
  { sort: 'commits', label: 'Commits', value: (item) => formatCount(item.commits) },
  {
    sort: 'churn',
    label: 'Churn',
    value: (item) => formatCount(item.linesAdded + item.linesDeleted),
    title: (item) => `${formatCount(item.linesAdded)} lines added, ${formatCount(item.linesDeleted)} deleted`,
  },
  { sort: 'avgEntropy', label: 'Avg entropy', value: (item) => formatEntropy(item.avgEntropy) },
  { sort: 'suspicious', label: 'Suspicious', value: (item) => formatCount(item.suspiciousCommits) },
];

const LABELS: Readonly<Record<Dimension, string>> = {
  author: 'Author',
  module: 'Module',
  language: 'Language',
};

export class GroupTable {
  private listing: GroupListing = { sort: 'commits', order: 'desc', limit: PAGE_SIZE, offset: 0 };
  private page: ApiGroupPage | undefined;
  private readonly table: HTMLElement;
  private readonly pager: HTMLElement;
  private readonly error: HTMLElement;

  /**
   * @param dimension - which listing
   * @param panel - the panel element; the table, pager and error line are created inside it
   */
  constructor(
    private readonly dimension: Dimension,
    panel: HTMLElement,
  ) {
    this.error = h('p', { class: 'error', role: 'alert', hidden: true });
    this.table = h('div', { class: 'table-scroll' });
    this.pager = h('div', { class: 'pager' });
    panel.append(this.error, this.table, this.pager);
  }

  async refresh(): Promise<void> {
    try {
      this.page = await api.groups(this.dimension, this.listing);
      showFailure(this.error, undefined);
      this.render();
    } catch (error) {
      showFailure(this.error, describeFailure(`the ${LABELS[this.dimension].toLowerCase()}s`, error));
    }
  }

  /** The keys on the current page, e.g. for the author filter's suggestions. */
  keys(): string[] {
    return (this.page?.items ?? []).map((item) => item[this.dimension] ?? '');
  }

  private sortBy(sort: GroupSort): void {
    const order: SortOrder = this.listing.sort === sort && this.listing.order === 'desc' ? 'asc' : 'desc';
    this.listing = { ...this.listing, sort, order, offset: 0 };
    void this.refresh().then(() => this.focusSortButton(sort));
  }

  private goTo(offset: number): void {
    this.listing = { ...this.listing, offset };
    void this.refresh();
  }

  private focusSortButton(sort: GroupSort): void {
    this.table.querySelector<HTMLButtonElement>(`button[data-sort="${sort}"]`)?.focus();
  }

  private render(): void {
    const page = this.page;
    if (!page) return;
    const { sort, order } = this.listing;
    const header = h(
      'tr',
      { role: 'row' },
      h('th', { scope: 'col', role: 'columnheader' }, LABELS[this.dimension]),
      ...COLUMNS.map((column) => {
        const active = column.sort === sort;
        const button = h(
          'button',
          {
            type: 'button',
            class: 'sort',
            'data-sort': column.sort,
            title: `Sort by ${column.label.toLowerCase()}`,
          },
          column.label,
          h('span', { 'aria-hidden': 'true' }, active ? (order === 'desc' ? ' ▼' : ' ▲') : ''),
        );
        button.addEventListener('click', () => this.sortBy(column.sort));
        return h(
          'th',
          {
            scope: 'col',
            role: 'columnheader',
            class: 'num',
            'aria-sort': active ? (order === 'desc' ? 'descending' : 'ascending') : 'none',
          },
          button,
        );
      }),
    );
    const rows = page.items.map((item) => {
      const key = item[this.dimension] ?? '';
      const name = this.dimension === 'author' ? h('a', { href: authorHref(key) }, key) : key;
      return h(
        'tr',
        { role: 'row' },
        h('th', { scope: 'row', role: 'rowheader' }, name),
        ...COLUMNS.map((column) =>
          h('td', { role: 'cell', class: 'num', title: column.title?.(item) }, column.value(item)),
        ),
      );
    });
    const caption = `${LABELS[this.dimension]}s by ${COLUMNS.find((c) => c.sort === sort)?.label.toLowerCase()}, ${order === 'desc' ? 'highest' : 'lowest'} first`;
    // Explicit roles: a narrow card lays the table out as a grid (styles.css), and some browsers drop
    // the table semantics of elements whose display is changed.
    replaceChildren(
      this.table,
      h(
        'table',
        { role: 'table', class: 'group-table', 'data-dimension': this.dimension },
        h('caption', {}, caption),
        h('thead', { role: 'rowgroup' }, header),
        h('tbody', { role: 'rowgroup' }, ...rows),
      ),
    );
    this.renderPager(page);
  }

  private renderPager(page: ApiGroupPage): void {
    const first = page.total === 0 ? 0 : page.offset + 1;
    const last = page.offset + page.items.length;
    const previous = h('button', { type: 'button', disabled: page.offset === 0 }, '← Previous');
    const next = h('button', { type: 'button', disabled: last >= page.total }, 'Next →');
    previous.addEventListener('click', () => this.goTo(Math.max(0, page.offset - PAGE_SIZE)));
    next.addEventListener('click', () => this.goTo(page.offset + PAGE_SIZE));
    replaceChildren(
      this.pager,
      previous,
      h(
        'span',
        { class: 'range' },
        `${formatCount(first)}–${formatCount(last)} of ${formatCount(page.total)}`,
      ),
      next,
    );
  }
}
