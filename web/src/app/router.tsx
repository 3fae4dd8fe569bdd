import { lazy } from "react";
import { createBrowserRouter } from "react-router";
import { SignIn } from "../screens/signin/SignIn.tsx";
import { Layout } from "./Layout.tsx";

// Each screen is its own chunk, loaded when first shown: the first load carries only the frame.
const Dashboard = lazy(() => import("../screens/dashboard/Dashboard.tsx"));
const Operations = lazy(() => import("../screens/operations/Operations.tsx"));
const OperationBoard = lazy(() => import("../screens/operations/OperationBoard.tsx"));
const PublicFigures = lazy(() => import("../screens/public/PublicFigures.tsx"));

export const router = createBrowserRouter([
  { path: "/sign-in", element: <SignIn /> },
  { path: "/public", element: <PublicFigures /> },
  {
    element: <Layout />,
    children: [
      { index: true, element: <Dashboard /> },
      { path: "/operations", element: <Operations /> },
      { path: "/operations/:id", element: <OperationBoard /> },
    ],
  },
]);
