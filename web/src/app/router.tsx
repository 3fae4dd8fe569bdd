import { lazy } from "react";
import { createBrowserRouter } from "react-router";
import Dashboard from "../screens/dashboard/Dashboard.tsx";
import { SignIn } from "../screens/signin/SignIn.tsx";
import { Layout } from "./Layout.tsx";

// Each screen is its own chunk, loaded when first shown: the first load carries the frame and the dashboard
// (the landing page) only.
const Operations = lazy(() => import("../screens/operations/Operations.tsx"));
const OperationBoard = lazy(() => import("../screens/operations/OperationBoard.tsx"));
const PublicFigures = lazy(() => import("../screens/public/PublicFigures.tsx"));
const RequestsPage = lazy(() => import("../screens/requests/RequestsPage.tsx"));
const HandoversPage = lazy(() => import("../screens/handovers/HandoversPage.tsx"));
const CouncilPage = lazy(() => import("../screens/council/CouncilPage.tsx"));
const PeopleList = lazy(() => import("../screens/people/PeopleList.tsx"));
const AuditPage = lazy(() => import("../screens/audit/AuditPage.tsx"));
const PersonPage = lazy(() => import("../screens/people/PersonPage.tsx"));
const NotificationsPage = lazy(() => import("../screens/notifications/NotificationsPage.tsx"));
const CaseBoard = lazy(() => import("../screens/cases/CaseBoard.tsx"));
const CasePage = lazy(() => import("../screens/cases/CasePage.tsx"));

export const router = createBrowserRouter([
  { path: "/sign-in", element: <SignIn /> },
  { path: "/public", element: <PublicFigures /> },
  {
    element: <Layout />,
    children: [
      { index: true, element: <Dashboard /> },
      { path: "people", element: <PeopleList /> },
      { path: "people/:id", element: <PersonPage /> },
      { path: "requests", element: <RequestsPage /> },
      { path: "cases", element: <CaseBoard /> },
      { path: "handovers", element: <HandoversPage /> },
      { path: "council", element: <CouncilPage /> },
      { path: "audit", element: <AuditPage /> },
      { path: "notifications", element: <NotificationsPage /> },
      { path: "cases/:id", element: <CasePage /> },
      { path: "operations", element: <Operations /> },
      { path: "operations/:id", element: <OperationBoard /> },
    ],
  },
]);
