/**
 * The dashboard's entry: wires the panels to the API and keeps them live.
 */
import 'uplot/dist/uPlot.min.css';
import './styles.css';
import { settings } from '../../../shared/settings.js';
import type { Summary, TimelineWindow } from '../../read-model.js';
import { api } from './api-client.js';
import { AuthorView } from './author-view.js';
import { ChaosPanel } from './chaos-panel.js';
import { byId } from './dom.js';
import { formatAgo, formatClock, formatWindow } from './format.js';
import { FreshnessTracker } from './freshness.js';
import { GroupTable } from './group-table.js';
import { LiveRefresh } from './live-refresh.js';
import { authorInHash } from './navigation.js';
import { renderOverview } from './overview.js';
import { describeFailure, showFailure } from './panel-error.js';
import { SuspiciousPanel } from './suspicious-table.js';
import { TimelineChart } from './timeline-chart.js';

const REFRESH_MS = settings.api.dashboardRefreshSeconds * 1000;
/** Three refreshes without a change: the replay is over (or paused). */
const QUIET_MS = 3 * REFRESH_MS;
/** Timeline pages read per refresh (1000 windows each). */
const MAX_TIMELINE_PAGES = 20;
const { windowSeconds } = settings.analytics;

const status = byId('live-status');
const tiles = byId('tiles');
const overviewError = byId('overview-error');
const timelineError = byId('timeline-error');
byId('timeline-window').textContent = `${formatWindow(windowSeconds)} windows of event time (UTC)`;

const chart = new TimelineChart(
  {
    chart: byId('timeline-chart'),
    description: byId('timeline-description'),
    table: byId('timeline-table'),
    controls: byId('timeline-controls'),
  },
  windowSeconds,
);
const lists = {
  author: new GroupTable('author', byId('top-authors')),
  module: new GroupTable('module', byId('top-modules')),
  language: new GroupTable('language', byId('top-languages')),
};
const suspicious = new SuspiciousPanel(
  byId('suspicious-panel'),
  byId<HTMLDataListElement>('author-suggestions'),
);
const authorView = new AuthorView(byId('author-view'));
const chaos = new ChaosPanel(byId('chaos-panel'));
const freshness = new FreshnessTracker(QUIET_MS);

let summary: Summary | undefined;
let refreshedAtMs: number | undefined;
let problem: string | undefined;
let paused = false;

async function loadSummary(): Promise<void> {
  try {
    summary = await api.summary();
    showFailure(overviewError, undefined);
    renderOverview(tiles, summary, Date.now());
    problem = undefined;
  } catch (error) {
    problem = describeFailure('the overview', error);
    showFailure(overviewError, problem);
  }
}

async function loadTimeline(): Promise<void> {
  try {
    const windows: TimelineWindow[] = [];
    let from: string | undefined;
    for (let page = 0; page < MAX_TIMELINE_PAGES; page += 1) {
      const timeline = await api.timeline(from);
      windows.push(...timeline.items);
      if (timeline.nextFrom === null) break;
      from = timeline.nextFrom;
    }
    showFailure(timelineError, undefined);
    chart.update(windows);
  } catch (error) {
    showFailure(timelineError, describeFailure('the timeline', error));
  }
}

async function refreshAll(): Promise<void> {
  await Promise.all([
    // The summary's answer says whether the runtime injects faults (chaos-panel.ts).
    loadSummary().then(() => chaos.refresh()),
    loadTimeline(),
    lists.author.refresh(),
    lists.module.refresh(),
    lists.language.refresh(),
    suspicious.refresh(),
  ]);
  await authorView.refresh(summary);
  suspicious.suggestAuthors(lists.author.keys());
  refreshedAtMs = Date.now();
  showStatus();
}

function showStatus(): void {
  status.classList.toggle('problem', problem !== undefined);
  if (problem !== undefined) {
    status.textContent = `${problem} Retrying every ${settings.api.dashboardRefreshSeconds} s.`;
    return;
  }
  if (!summary || refreshedAtMs === undefined) return;
  const fresh = freshness.observe(summary, refreshedAtMs);
  const every = paused
    ? 'paused while this tab is hidden'
    : `refreshing every ${settings.api.dashboardRefreshSeconds} s`;
  status.dataset.freshness = fresh.state;
  status.textContent =
    fresh.state === 'empty'
      ? `No commits yet; ${every}.`
      : fresh.state === 'changing'
        ? `Live: data changing, updated ${formatClock(refreshedAtMs)}; ${every}.`
        : `Data stopped changing: nothing new since ${formatClock(fresh.changedAtMs)} ` +
          `(${formatAgo(refreshedAtMs - fresh.changedAtMs)}); ${every}.`;
}

const live = new LiveRefresh(refreshAll, REFRESH_MS, (isPaused) => {
  paused = isPaused;
  showStatus();
});

window.addEventListener('hashchange', () => void authorView.show(authorInHash(location.hash), summary));
void authorView.show(authorInHash(location.hash), summary);
live.start();
