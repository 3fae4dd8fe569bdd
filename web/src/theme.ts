import { createTheme } from "@mantine/core";

/** Sober, legible, high contrast: a government application read for hours. */
export const theme = createTheme({
  primaryColor: "teal",
  primaryShade: 8,
  fontFamily: "system-ui, -apple-system, 'Segoe UI', Roboto, 'Noto Sans', sans-serif",
  defaultRadius: "sm",
});
