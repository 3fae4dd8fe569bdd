/**
 * A map of transfer routes, drawn offline: Natural Earth countries (world-atlas) and US states
 * (us-atlas) as TopoJSON in the app's own files, projected with d3-geo into SVG. No tile server: the
 * system runs on closed networks. The outlines load in their own chunk, when a map is first shown.
 */
import { Box, Skeleton, Table, VisuallyHidden } from "@mantine/core";
import { useQuery } from "@tanstack/react-query";
import { geoConicConformal, geoPath } from "d3-geo";
import type { Feature, FeatureCollection, MultiLineString } from "geojson";
import { useTranslation } from "react-i18next";
import { feature, mesh } from "topojson-client";
import type { GeometryCollection, Topology } from "topojson-specification";
import { useFormat } from "../i18n.ts";

export interface Airport {
  code: string;
  name: string;
  lat: number;
  lon: number;
}
export interface Route {
  from: Airport;
  to: Airport;
  people: number;
  /** e.g. the aircraft's callsign or the operation's code. */
  label?: string;
  /** The line's colour (a CSS colour); one for all routes by default. */
  color?: string;
}

async function loadOutlines() {
  const [world, us] = await Promise.all([
    import("world-atlas/countries-110m.json"),
    import("us-atlas/states-10m.json"),
  ]);
  const w = world.default as unknown as Topology<{ countries: GeometryCollection }>;
  const u = us.default as unknown as Topology<{ states: GeometryCollection }>;
  return {
    countries: feature(w, w.objects.countries) as FeatureCollection,
    states: mesh(u, u.objects.states, (a, b) => a !== b) as MultiLineString,
  };
}

const width = 720;
const height = 440;

export function RouteMap({ routes, title }: { routes: Route[]; title: string }) {
  const { t } = useTranslation();
  const f = useFormat();
  const outlines = useQuery({
    queryKey: ["map-outlines"],
    queryFn: loadOutlines,
    staleTime: Number.POSITIVE_INFINITY,
  });
  const airports = new Map<string, Airport>();
  for (const r of routes) {
    airports.set(r.from.code, r.from);
    airports.set(r.to.code, r.to);
  }
  const points: Feature = {
    type: "Feature",
    properties: {},
    geometry: { type: "MultiPoint", coordinates: [...airports.values()].map((a) => [a.lon, a.lat]) },
  };
  const projection = geoConicConformal()
    .parallels([20, 45])
    .rotate([100, 0])
    .fitExtent(
      [
        [40, 30],
        [width - 40, height - 30],
      ],
      airports.size > 1 ? points : { type: "Sphere" },
    );
  const path = geoPath(projection);
  const most = Math.max(1, ...routes.map((r) => r.people));
  const strokeOf = (people: number) => 1 + (people / most) * 7;
  return (
    <Box>
      {outlines.isPending ? (
        <Skeleton h={height / 2} />
      ) : (
        <svg
          viewBox={`0 0 ${width} ${height}`}
          role="img"
          aria-label={title}
          style={{ width: "100%", height: "auto" }}
        >
          <title>{title}</title>
          <rect width={width} height={height} fill="var(--mantine-color-blue-0)" />
          {outlines.data?.countries.features.map((c, i) => (
            <path
              key={String(c.id ?? i)}
              d={path(c) ?? ""}
              fill="var(--mantine-color-gray-1)"
              stroke="var(--mantine-color-gray-5)"
              strokeWidth={0.5}
            />
          ))}
          {outlines.data && (
            <path
              d={path(outlines.data.states) ?? ""}
              fill="none"
              stroke="var(--mantine-color-gray-4)"
              strokeWidth={0.4}
            />
          )}
          {routes.map((r) => (
            <path
              key={`${r.from.code}-${r.to.code}-${r.label ?? ""}`}
              d={
                path({
                  type: "LineString",
                  coordinates: [
                    [r.from.lon, r.from.lat],
                    [r.to.lon, r.to.lat],
                  ],
                }) ?? ""
              }
              fill="none"
              stroke={r.color ?? "var(--mantine-color-teal-8)"}
              strokeOpacity={0.75}
              strokeWidth={strokeOf(r.people)}
              strokeLinecap="round"
            />
          ))}
          {[...airports.values()].map((a) => {
            const [x, y] = projection([a.lon, a.lat]) ?? [0, 0];
            return (
              <g key={a.code} transform={`translate(${x},${y})`}>
                <circle r={4} fill="var(--mantine-color-dark-7)" />
                <text
                  x={6}
                  y={-6}
                  fontSize={12}
                  fontWeight={600}
                  fill="var(--mantine-color-dark-9)"
                  paintOrder="stroke"
                  stroke="white"
                  strokeWidth={3}
                >
                  {a.code}
                </text>
              </g>
            );
          })}
        </svg>
      )}
      <VisuallyHidden>
        <Table>
          <caption>{title}</caption>
          <tbody>
            {routes.map((r) => (
              <tr key={`${r.from.code}-${r.to.code}-${r.label ?? ""}`}>
                <td>{`${r.label ? `${r.label}: ` : ""}${r.from.name} → ${r.to.name}`}</td>
                <td>{`${f.number(r.people)} ${t("common.people")}`}</td>
              </tr>
            ))}
          </tbody>
        </Table>
      </VisuallyHidden>
    </Box>
  );
}
