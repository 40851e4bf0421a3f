/**
 * Whether the timeline chart drew: uPlot draws on a canvas, so its pixels are read back.
 */
import type { Page } from 'playwright-core';

/** How many pixels of the chart's canvas are not blank. */
export function paintedPixels(page: Page): Promise<number> {
  return page.evaluate(() => {
    const canvas = document.querySelector<HTMLCanvasElement>('#timeline-chart canvas');
    const context = canvas?.getContext('2d');
    if (!canvas || !context) return 0;
    const { data } = context.getImageData(0, 0, canvas.width, canvas.height);
    let painted = 0;
    for (let index = 3; index < data.length; index += 4) if ((data[index] ?? 0) > 0) painted += 1;
    return painted;
  });
}
