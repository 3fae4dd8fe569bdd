import "@mantine/core/styles.css";
import "@mantine/notifications/styles.css";
import "./print.css";
import { MantineProvider } from "@mantine/core";
import { Notifications } from "@mantine/notifications";
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { StrictMode, Suspense } from "react";
import { createRoot } from "react-dom/client";
import { I18nextProvider } from "react-i18next";
import { RouterProvider } from "react-router";
import { ApiError } from "./api/client.ts";
import { SessionProvider } from "./api/session.tsx";
import { router } from "./app/router.tsx";
import { i18n } from "./i18n.ts";
import { statsQuery } from "./screens/dashboard/Dashboard.tsx";
import { cssVariablesResolver, theme } from "./theme.ts";

const queries = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 15_000,
      // A refusal or a missing record does not get better by asking again.
      retry: (n, e) => n < 2 && !(e instanceof ApiError && e.status >= 400 && e.status < 500),
    },
  },
});

// The landing page's figures are asked for beside the session, not after it: the first load waits for one
// round trip fewer. (Signed out, the answer is a 401 and the sign-in shows as usual.)
if (location.pathname === "/") void queries.prefetchQuery(statsQuery);

const root = document.getElementById("root");
if (!root) throw new Error("no #root element");
createRoot(root).render(
  <StrictMode>
    <I18nextProvider i18n={i18n}>
      <MantineProvider theme={theme} cssVariablesResolver={cssVariablesResolver}>
        <Notifications />
        <QueryClientProvider client={queries}>
          <SessionProvider>
            <Suspense>
              <RouterProvider router={router} />
            </Suspense>
          </SessionProvider>
        </QueryClientProvider>
      </MantineProvider>
    </I18nextProvider>
  </StrictMode>,
);
