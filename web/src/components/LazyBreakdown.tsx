import { Skeleton } from "@mantine/core";
import { type ComponentProps, lazy, Suspense } from "react";
import type { Breakdown as Eager } from "./Figures.tsx";

// The charts library is the largest part of the app: its chunk loads after the figures are drawn, so the
// running total shows without waiting for it.
const Breakdown = lazy(() => import("./Figures.tsx").then((m) => ({ default: m.Breakdown })));

/** A breakdown (chart and table), its chart code loaded on first use; a placeholder meanwhile. */
export function LazyBreakdown(props: ComponentProps<typeof Eager>) {
  return (
    <Suspense fallback={<Skeleton h={160} />}>
      <Breakdown {...props} />
    </Suspense>
  );
}
