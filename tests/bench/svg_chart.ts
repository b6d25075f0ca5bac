/**
 * A line chart as a standalone SVG (no library): series of (x, y) points on linear axes, for
 * the benchmark report (latency against rate, memory against connections).
 *
 * @module
 */

/** One line of the chart. */
export interface Series {
  name: string;
  points: [number, number][];
}

const COLOURS = ["#d9480f", "#1971c2", "#2f9e44", "#7048e8"];

function escape(text: string): string {
  return text.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

function niceMax(value: number): number {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 2.5, 5, 10]) if (value <= step * power) return step * power;
  return 10 * power;
}

/** The SVG text of a chart 640×360. */
export function lineChart(
  title: string,
  xLabel: string,
  yLabel: string,
  series: Series[],
): string {
  const width = 640, height = 360, left = 70, right = 160, top = 40, bottom = 50;
  const all = series.flatMap((s) => s.points).filter(([x, y]) => isFinite(x) && isFinite(y));
  const xMax = niceMax(Math.max(0, ...all.map(([x]) => x)));
  const yMax = niceMax(Math.max(0, ...all.map(([, y]) => y)));
  const px = (x: number) => left + (x / xMax) * (width - left - right);
  const py = (y: number) => height - bottom - (y / yMax) * (height - top - bottom);
  const parts = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" ` +
    `viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="${width}" height="${height}" fill="#fff"/>`,
    `<text x="${width / 2 - right / 2 + left / 2}" y="22" text-anchor="middle" font-size="14">` +
    `${escape(title)}</text>`,
  ];
  for (let i = 0; i <= 5; i++) {
    const y = (yMax * i) / 5, x = (xMax * i) / 5;
    parts.push(
      `<line x1="${left}" x2="${width - right}" y1="${py(y)}" y2="${py(y)}" stroke="#eee"/>`,
      `<text x="${left - 6}" y="${py(y) + 4}" text-anchor="end">${+y.toPrecision(3)}</text>`,
      `<text x="${px(x)}" y="${height - bottom + 16}" text-anchor="middle">${+x.toPrecision(
        3,
      )}</text>`,
    );
  }
  parts.push(
    `<line x1="${left}" x2="${width - right}" y1="${py(0)}" y2="${py(0)}" stroke="#333"/>`,
    `<line x1="${left}" x2="${left}" y1="${top}" y2="${py(0)}" stroke="#333"/>`,
    `<text x="${(left + width - right) / 2}" y="${height - 12}" text-anchor="middle">` +
      `${escape(xLabel)}</text>`,
    `<text transform="translate(16 ${(top + height - bottom) / 2}) rotate(-90)" ` +
      `text-anchor="middle">${escape(yLabel)}</text>`,
  );
  series.forEach((s, i) => {
    const colour = COLOURS[i % COLOURS.length];
    const points = s.points.filter(([x, y]) => isFinite(x) && isFinite(y));
    if (points.length > 0) {
      parts.push(
        `<polyline fill="none" stroke="${colour}" stroke-width="2" points="` +
          points.map(([x, y]) => `${px(x).toFixed(1)},${py(y).toFixed(1)}`).join(" ") + `"/>`,
        ...points.map(([x, y]) =>
          `<circle cx="${px(x).toFixed(1)}" cy="${py(y).toFixed(1)}" r="3" fill="${colour}"/>`
        ),
      );
    }
    parts.push(
      `<rect x="${width - right + 14}" y="${
        top + i * 20
      }" width="12" height="12" fill="${colour}"/>`,
      `<text x="${width - right + 32}" y="${top + i * 20 + 10}">${escape(s.name)}</text>`,
    );
  });
  parts.push("</svg>");
  return parts.join("\n") + "\n";
}
