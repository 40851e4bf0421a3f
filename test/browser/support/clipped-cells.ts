/**
 * Whether every cell of a card's tables can be seen: measured from the layout the browser computed,
 * as a person would see it, not from the styles that should produce it.
 */
import type { Page } from 'playwright-core';

/**
 * What a person could not see whole in the cards: a table cell whose box reaches outside its card, a
 * cell whose content spills out of it, an element of the card that scrolls or clips sideways. Each is
 * described in a line naming the card; empty when everything is visible.
 *
 * @param page - a page with the dashboard drawn
 * @param cards - a selector of the cards, e.g. `#top-lists .panel`
 */
export function clippedCells(page: Page, cards: string): Promise<string[]> {
  // No helper functions inside: tsx (esbuild's keepNames) would wrap them in a `__name` the page lacks.
  return page.evaluate((selector) => {
    const found: string[] = [];
    for (const card of document.querySelectorAll<HTMLElement>(selector)) {
      const box = card.getBoundingClientRect();
      for (const cell of card.querySelectorAll<HTMLElement>('th, td')) {
        const name = `${cell.tagName.toLowerCase()} "${cell.textContent?.trim().slice(0, 40)}"`;
        const cellBox = cell.getBoundingClientRect();
        if (
          cellBox.left < box.left ||
          cellBox.right > box.right ||
          cellBox.top < box.top ||
          cellBox.bottom > box.bottom
        ) {
          found.push(
            `#${card.id}: ${name} spans x ${cellBox.left}–${cellBox.right}, the card ${box.left}–${box.right}`,
          );
        }
        if (cell.scrollWidth > cell.clientWidth) {
          found.push(`#${card.id}: ${name} holds ${cell.scrollWidth} px in ${cell.clientWidth} px`);
        }
      }
      for (const element of [card, ...card.querySelectorAll<HTMLElement>('*')]) {
        const sideways = getComputedStyle(element).overflowX;
        if (sideways !== 'visible' && element.scrollWidth > element.clientWidth) {
          found.push(
            `#${card.id}: ${element.tagName.toLowerCase()}.${element.className} (overflow-x ${sideways}) ` +
              `is ${element.scrollWidth} px wide in ${element.clientWidth} px`,
          );
        }
      }
    }
    return found;
  }, cards);
}
