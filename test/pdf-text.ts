import { getDocument } from "pdfjs-dist/legacy/build/pdf.mjs";

/**
 * The text of a PDF as a reader's tools extract it (pdf.js, as a browser does): per page, its lines top to
 * bottom, each line's pieces left to right joined by a space (a table row reads as its cells in order).
 */
export async function pdfLines(pdf: Uint8Array): Promise<string[][]> {
  const task = getDocument({ data: new Uint8Array(pdf) });
  const doc = await task.promise;
  const pages: string[][] = [];
  for (let n = 1; n <= doc.numPages; n++) {
    const content = await (await doc.getPage(n)).getTextContent();
    const lines = new Map<number, { x: number; text: string }[]>();
    for (const item of content.items) {
      if (!("str" in item) || !item.str.trim()) continue;
      const [x, y] = [item.transform[4] as number, item.transform[5] as number];
      // Pieces of one line share a baseline (to within rounding).
      const key = [...lines.keys()].find((k) => Math.abs(k - y) < 1.5) ?? y;
      lines.set(key, [...(lines.get(key) ?? []), { x, text: item.str.trim() }]);
    }
    pages.push(
      [...lines.entries()]
        .sort(([a], [b]) => b - a)
        .map(([, pieces]) =>
          pieces
            .sort((a, b) => a.x - b.x)
            .map((p) => p.text)
            .join(" "),
        ),
    );
  }
  await task.destroy();
  return pages;
}
