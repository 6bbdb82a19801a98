// Renders the harness's medians as a small SVG (no dependency): one panel per figure, one
// horizontal bar per peer, operatorkit's bars highlighted.

/** One panel: a figure's median per peer. */
export interface Panel {
  title: string;
  unit: string;
  values: Array<{ label: string; value: number | undefined; ours: boolean }>;
}

const esc = (s: string) => s.replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;");

function fmt(v: number): string {
  return v >= 100 ? v.toFixed(0) : v >= 10 ? v.toFixed(1) : v.toFixed(2);
}

/** The SVG text for `panels`, two per row, with `caption` under the title. */
export function renderChart(title: string, caption: string, panels: Panel[]): string {
  const W = 520, labelW = 240, barW = 210, rowH = 18, padTop = 26;
  const rows = Math.max(...panels.map((p) => p.values.length));
  const panelH = padTop + rows * rowH + 12;
  const cols = 2;
  const width = cols * W + 20;
  const height = 56 + Math.ceil(panels.length / cols) * panelH;
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" ` +
    `viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    `<rect width="100%" height="100%" fill="#ffffff"/>`,
    `<text x="10" y="20" font-size="15" font-weight="bold">${esc(title)}</text>`,
    `<text x="10" y="38" fill="#555">${esc(caption)}</text>`,
  ];
  panels.forEach((p, n) => {
    const x0 = 10 + (n % cols) * W;
    const y0 = 50 + Math.floor(n / cols) * panelH;
    const max = Math.max(...p.values.map((v) => v.value ?? 0)) || 1;
    out.push(
      `<text x="${x0}" y="${y0 + 16}" font-weight="bold">${esc(p.title)} (${
        esc(p.unit)
      }, lower is better)</text>`,
    );
    p.values.forEach((v, i) => {
      const y = y0 + padTop + i * rowH;
      out.push(
        `<text x="${x0 + labelW - 6}" y="${y + 12}" text-anchor="end">${esc(v.label)}</text>`,
      );
      if (v.value === undefined) {
        out.push(`<text x="${x0 + labelW}" y="${y + 12}" fill="#999">not measured</text>`);
        return;
      }
      const w = Math.max(1, Math.round((v.value / max) * barW));
      out.push(
        `<rect x="${x0 + labelW}" y="${y + 2}" width="${w}" height="${rowH - 5}" fill="${
          v.ours ? "#2a7ab0" : "#b8b8b8"
        }"/>`,
        `<text x="${x0 + labelW + w + 4}" y="${y + 12}">${fmt(v.value)}</text>`,
      );
    });
  });
  out.push("</svg>");
  return out.join("\n") + "\n";
}
