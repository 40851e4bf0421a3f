/**
 * The "Faults injected" panel: when the embedded runtime runs with `--chaos`, the faults its proxies
 * injected so far, one row per service (from `/_local/chaos`, asked once the API's answers carry the
 * runtime's chaos header). Hidden otherwise: without `--chaos` no answer carries it, and a deployed API
 * has neither the header nor the route.
 */
import type { ChaosService, ChaosStatus, FaultKindName } from '../../../../local/chaos/chaos-spec.js';
import { announcesChaos, getJson } from './api-client.js';
import { h, replaceChildren } from './dom.js';
import { formatCount } from './format.js';

/** Relative to the page, like every call of the dashboard. */
const CHAOS_ROUTE = '_local/chaos';

export class ChaosPanel {
  private off = false;

  /** @param section - the panel's section, hidden until chaos is found on */
  constructor(private readonly section: HTMLElement) {}

  async refresh(): Promise<void> {
    // A deployed API has no such route: it is asked once an answer of the API said chaos is on.
    if (this.off || !announcesChaos()) return;
    let status: ChaosStatus;
    try {
      status = await getJson<ChaosStatus>(CHAOS_ROUTE);
    } catch {
      // No such route (deployed), or the runtime is away: nothing to show, nothing to ask again.
      this.turnOff();
      return;
    }
    if (!status.enabled) return this.turnOff();
    this.render(status);
  }

  private turnOff(): void {
    this.off = true;
    this.section.hidden = true;
  }

  private render(status: Extract<ChaosStatus, { enabled: true }>): void {
    const services = Object.keys(status.injected) as ChaosService[];
    const rows = services.map((service) => {
      const kinds = Object.entries(status.injected[service]) as Array<[FaultKindName, number]>;
      const total = kinds.reduce((sum, [, count]) => sum + count, 0);
      const detail = kinds.map(([kind, count]) => `${kind} ${formatCount(count)}`).join(', ');
      return h(
        'tr',
        { 'data-service': service, 'data-value': total },
        h('th', { scope: 'row' }, service),
        h('td', { class: 'num' }, formatCount(total)),
        h('td', { class: 'num' }, formatCount(status.calls[service])),
        h('td', {}, detail || '–'),
      );
    });
    const rules = status.rules.map((rule) => `${rule.service}:${rule.kind}=${rule.ratePercent}%`).join(', ');
    replaceChildren(
      this.section,
      h('h2', { id: 'chaos-heading' }, 'Faults injected'),
      h('p', { class: 'note' }, `--chaos ${rules || '(no rule)'} · seed ${status.seed}`),
      h(
        'table',
        {},
        h(
          'thead',
          {},
          h(
            'tr',
            {},
            h('th', { scope: 'col' }, 'Service'),
            h('th', { scope: 'col', class: 'num' }, 'Faults'),
            h('th', { scope: 'col', class: 'num' }, 'Calls'),
            h('th', { scope: 'col' }, 'By kind'),
          ),
        ),
        h('tbody', {}, ...rows),
      ),
    );
    this.section.hidden = false;
  }
}
