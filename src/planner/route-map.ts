/**
 * The operation's route map on the printed manifests: the staging airport, a line per aircraft along its
 * route to the destination airports, the line's width by the people on board on each leg. Drawn offline,
 * as the web map is: d3-geo projects Natural Earth's countries (world-atlas) and the US Census Bureau's
 * states (us-atlas), read from their npm packages, onto PDFKit's path operators. No tile server: the
 * system runs on closed networks.
 */
import {
  type GeoContext,
  type GeoProjection,
  geoBounds,
  geoCircle,
  geoConicEqualArea,
  geoPath,
} from "d3-geo";
import type {
  Feature,
  FeatureCollection,
  GeometryCollection as Geometries,
  Geometry,
  MultiLineString,
} from "geojson";
import { feature, mesh } from "topojson-client";
import type { GeometryCollection, Topology } from "topojson-specification";
import type { AircraftPlan, Airport } from "./model.ts";
import { packageFile } from "./package-file.ts";

/**
 * One colour per aircraft, the same in the map and in the summary's table (Tableau 10, which stays apart
 * in print); they repeat past ten aircraft, where the table's callsign tells them apart.
 */
const palette = [
  "#4e79a7",
  "#f28e2b",
  "#e15759",
  "#76b7b2",
  "#59a14f",
  "#edc948",
  "#b07aa1",
  "#ff9da7",
  "#9c755f",
  "#bab0ac",
];
export const routeColour = (index: number) => palette[index % palette.length]!;

type Point = [number, number];

/** A shape of the base map and its extent in degrees (west, south, east, north), to skip what is off the map. */
interface Shape {
  geometry: Geometry;
  bounds: [[number, number], [number, number]];
}

interface Atlas {
  land: Shape[];
  borders: Shape[];
  states: Shape[];
}

let atlas: Atlas | undefined;

/**
 * The base map, read once per process (about 0.9 MB of TopoJSON) when first drawn: land by country,
 * country borders and US state lines, each line apart so that those off the map are not drawn.
 */
function loadAtlas(): Atlas {
  if (!atlas) {
    const read = (file: string) => JSON.parse(packageFile(file).toString("utf8")) as Topology;
    const world = read("world-atlas/countries-50m.json");
    const us = read("us-atlas/states-10m.json");
    const countries = world.objects.countries as GeometryCollection;
    const states = us.objects.states as GeometryCollection;
    const shape = (geometry: Geometry): Shape => ({ geometry, bounds: geoBounds(geometry) });
    const lines = (m: MultiLineString) =>
      m.coordinates.map((coordinates) => shape({ type: "LineString", coordinates }));
    atlas = {
      land: (feature(world, countries) as FeatureCollection).features.map((f) => shape(f.geometry)),
      borders: lines(mesh(world, countries, (a, b) => a !== b)),
      states: lines(mesh(us, states, (a, b) => a !== b)),
    };
  }
  return atlas;
}

/**
 * What of the world the map shows, in degrees, from its edges projected back (and the poles, if on
 * the map); undefined when that cannot be told (the edge is off the globe, or the map spans the
 * antimeridian), and then nothing is skipped.
 */
function visibleBounds(projection: GeoProjection, box: MapBox) {
  const edge: Point[] = [];
  for (let k = 0; k <= 24; k++) {
    const [x, y] = [box.x + (k / 24) * box.width, box.y + (k / 24) * box.height];
    edge.push([x, box.y], [x, box.y + box.height], [box.x, y], [box.x + box.width, y]);
  }
  const lonLat = edge.map((p) => projection.invert?.(p));
  if (lonLat.some((p) => !p || !Number.isFinite(p[0]) || !Number.isFinite(p[1]))) return undefined;
  const lons = lonLat.map((p) => p![0]);
  const lats = lonLat.map((p) => p![1]);
  const inBox = (p: [number, number] | null) =>
    !!p && p[0] >= box.x && p[0] <= box.x + box.width && p[1] >= box.y && p[1] <= box.y + box.height;
  const [west, east] = [Math.min(...lons) - 2, Math.max(...lons) + 2];
  if (east - west > 180 || inBox(projection([0, 90])) || inBox(projection([0, -90]))) return undefined;
  return { west, east, south: Math.min(...lats) - 2, north: Math.max(...lats) + 2 };
}

/** The shapes on the map; a shape across the antimeridian (west > east) is always kept. */
function onMap(shapes: Shape[], view: ReturnType<typeof visibleBounds>): Geometry[] {
  return shapes
    .filter(
      ({ bounds: [[w, s], [e, n]] }) =>
        !view || w > e || (w <= view.east && e >= view.west && s <= view.north && n >= view.south),
    )
    .map((shape) => shape.geometry);
}

export interface MapBox {
  x: number;
  y: number;
  width: number;
  height: number;
}

/**
 * A conic equal-area projection centred on the airports of the operation, fitted to the box with room
 * around each airport (an operation to one nearby airport still shows the region).
 */
function projectionFor(airports: Airport[], box: MapBox): GeoProjection {
  const lons = airports.map((a) => a.lon);
  const lats = airports.map((a) => a.lat);
  const lat0 = Math.min(...lats);
  const lat1 = Math.max(...lats);
  const around: FeatureCollection = {
    type: "FeatureCollection",
    features: airports.map(
      (a): Feature => ({
        type: "Feature",
        properties: {},
        geometry: geoCircle().center([a.lon, a.lat]).radius(3)(),
      }),
    ),
  };
  const pad = 10;
  return geoConicEqualArea()
    .rotate([-(Math.min(...lons) + Math.max(...lons)) / 2, 0])
    .parallels([lat0, lat1 === lat0 ? lat0 + 1 : lat1])
    .fitExtent(
      [
        [box.x + pad, box.y + pad],
        [box.x + box.width - pad, box.y + box.height - pad],
      ],
      around,
    )
    .clipExtent([
      [box.x, box.y],
      [box.x + box.width, box.y + box.height],
    ]);
}

/**
 * d3-geo's path drawing onto PDFKit's path operators. A point within half a point (0.2 mm) of the last
 * one drawn is left out: the atlases have more detail than a map this size shows.
 */
function pdfContext(doc: PDFKit.PDFDocument): GeoContext {
  let last: Point = [Number.NaN, Number.NaN];
  return {
    beginPath: () => {},
    moveTo: (x, y) => {
      doc.moveTo(x, y);
      last = [x, y];
    },
    lineTo: (x, y) => {
      if (Math.abs(x - last[0]) + Math.abs(y - last[1]) < 0.5) return;
      doc.lineTo(x, y);
      last = [x, y];
    },
    closePath: () => doc.closePath(),
    arc: (x, y, r) => doc.circle(x, y, r),
  };
}

/** The people on board on each leg of an aircraft's route (all of them, then fewer after each stop). */
function onBoardPerLeg(a: AircraftPlan): number[] {
  return a.legs.map((_, k) => a.manifest.filter((m) => m.stop > k).length);
}

interface Label {
  text: string;
  at: Point;
  bold: boolean;
}

/**
 * Places each label beside its airport where it overlaps no airport and no label placed before (right,
 * left, above, below, then further out), and draws it.
 */
function drawLabels(doc: PDFKit.PDFDocument, labels: Label[], box: MapBox) {
  // The airports' marks first: no label may hide one.
  const placed = labels.map(({ at: [x, y] }) => ({ x: x - 3.5, y: y - 3.5, w: 7, h: 7 }));
  const overlaps = (r: (typeof placed)[number]) =>
    placed.some((p) => r.x < p.x + p.w && p.x < r.x + r.w && r.y < p.y + p.h && p.y < r.y + r.h);
  for (const l of labels) {
    doc.font(l.bold ? "Bold" : "Body").fontSize(7);
    const w = doc.widthOfString(l.text);
    const h = 8;
    const [x, y] = l.at;
    const candidates: { x: number; y: number; w: number; h: number }[] = [];
    for (const d of [5, 14, 24])
      for (const [cx, cy] of [
        [x + d, y - h / 2],
        [x - d - w, y - h / 2],
        [x - w / 2, y - d - h],
        [x - w / 2, y + d],
      ] as Point[])
        candidates.push({
          x: Math.min(Math.max(cx, box.x + 2), box.x + box.width - w - 2),
          y: Math.min(Math.max(cy, box.y + 2), box.y + box.height - h - 2),
          w,
          h,
        });
    const r = candidates.find((c) => !overlaps(c)) ?? candidates[0]!;
    placed.push(r);
    doc
      .save()
      .rect(r.x - 1, r.y - 0.5, w + 2, h)
      .fillOpacity(0.75)
      .fill("#ffffff")
      .restore();
    doc.fillColor("#222222").text(l.text, r.x, r.y + 0.5, { lineBreak: false });
  }
}

/**
 * Draws the route map into `box`: land, country borders, US state lines, then each aircraft's route as
 * gentle curves (aircraft flying the same leg are drawn side by side), then the airports and their labels:
 * the staging airport as a square, each destination as a dot with its code and the people leaving there.
 */
export function drawRouteMap(
  doc: PDFKit.PDFDocument,
  box: MapBox,
  input: { airports: Airport[]; aircraft: AircraftPlan[] },
) {
  const byCode = new Map(input.airports.map((a) => [a.code, a]));
  const used = [...new Set(input.aircraft.flatMap((a) => a.route))].flatMap((c) => byCode.get(c) ?? []);
  if (used.length === 0) return;
  const projection = projectionFor(used, box);
  const at = (code: string): Point | undefined => {
    const a = byCode.get(code);
    const p = a ? projection([a.lon, a.lat]) : null;
    return p ? [p[0], p[1]] : undefined;
  };
  const path = geoPath(projection, pdfContext(doc));
  const { land, borders, states } = loadAtlas();
  const view = visibleBounds(projection, box);
  const draw = (shapes: Shape[]) =>
    path({ type: "GeometryCollection", geometries: onMap(shapes, view) } as Geometries);

  doc.save();
  doc.rect(box.x, box.y, box.width, box.height).clip();
  doc.rect(box.x, box.y, box.width, box.height).fill("#e4edf4");
  draw(land);
  doc.fill("#f6f4ee");
  draw(states);
  doc.lineWidth(0.3).stroke("#c4c4c4");
  draw(borders);
  doc.lineWidth(0.6).stroke("#8c8c8c");

  // Legs flown by several aircraft are spread apart, so each aircraft's line shows.
  const sharing = new Map<string, number>();
  const legKey = (from: string, to: string) => [from, to].sort().join("-");
  for (const a of input.aircraft)
    for (const l of a.legs) sharing.set(legKey(l.from, l.to), (sharing.get(legKey(l.from, l.to)) ?? 0) + 1);
  const drawn = new Map<string, number>();
  const most = Math.max(1, ...input.aircraft.map((a) => a.people));
  input.aircraft.forEach((a, i) => {
    const onBoard = onBoardPerLeg(a);
    a.legs.forEach((l, k) => {
      const from = at(l.from);
      const to = at(l.to);
      if (!from || !to) return;
      const key = legKey(l.from, l.to);
      const n = sharing.get(key)!;
      const j = drawn.get(key) ?? 0;
      drawn.set(key, j + 1);
      const [dx, dy] = [to[0] - from[0], to[1] - from[1]];
      const length = Math.hypot(dx, dy) || 1;
      const bend = 0.12 * length + (j - (n - 1) / 2) * 7;
      // The bend is always to the same side of the leg whichever way it is flown.
      const side = l.from < l.to ? 1 : -1;
      const control: Point = [
        (from[0] + to[0]) / 2 + (side * -dy * bend) / length,
        (from[1] + to[1]) / 2 + (side * dx * bend) / length,
      ];
      doc
        .moveTo(...from)
        .quadraticCurveTo(...control, ...to)
        .lineWidth(0.8 + (3.2 * onBoard[k]!) / most)
        .lineCap("round")
        .strokeOpacity(0.9)
        .stroke(routeColour(i));
    });
  });

  const leaving = new Map<string, number>();
  for (const a of input.aircraft)
    for (const m of a.manifest) leaving.set(m.leavesAt, (leaving.get(m.leavesAt) ?? 0) + 1);
  const staging = new Set(input.aircraft.map((a) => a.route[0] ?? a.staging));
  const labels: Label[] = [];
  for (const code of [...staging, ...leaving.keys()]) {
    const p = at(code);
    if (!p) continue;
    if (staging.has(code)) {
      doc.rect(p[0] - 3, p[1] - 3, 6, 6).fillAndStroke("#222222", "#ffffff");
      labels.push({ text: code, at: p, bold: true });
    } else {
      doc.circle(p[0], p[1], 2.6).lineWidth(0.8).fillAndStroke("#222222", "#ffffff");
      labels.push({ text: `${code} ${leaving.get(code)}`, at: p, bold: false });
    }
  }
  drawLabels(doc, labels, box);
  doc.restore();
  doc.rect(box.x, box.y, box.width, box.height).lineWidth(0.5).stroke("#666666");
}
