import { Alert, Button, Center, Loader } from "@mantine/core";
import type { ReactNode } from "react";
import { useTranslation } from "react-i18next";
import { ApiError } from "../api/client.ts";

/** The message a user reads for an API error: by its code where the app knows it, else the code. */
export function useErrorText() {
  const { t, i18n } = useTranslation();
  return (error: unknown) => {
    if (!(error instanceof ApiError)) return t("errors.network");
    if (error.code === "NETWORK") return t("errors.network");
    const key = `errors.${error.code}`;
    return i18n.exists(key) ? t(key) : t("errors.other", { code: error.code });
  };
}

export function ErrorAlert({ error, onRetry }: { error: unknown; onRetry?: () => void }) {
  const { t } = useTranslation();
  const text = useErrorText();
  return (
    <Alert color="red" title={t("common.error")} role="alert">
      {text(error)}
      {onRetry && (
        <Button variant="outline" color="red.9" size="xs" ml="md" onClick={onRetry}>
          {t("common.retry")}
        </Button>
      )}
    </Alert>
  );
}

/** A query's three states: loading, failed (with retry), or its data drawn by `children`. */
export function QueryState<T>({
  query,
  children,
}: {
  query: { isPending: boolean; error: unknown; data: T | undefined; refetch: () => unknown };
  children: (data: T) => ReactNode;
}) {
  const { t } = useTranslation();
  if (query.isPending)
    return (
      <Center p="xl">
        <Loader aria-label={t("common.loading")} />
      </Center>
    );
  if (query.error || query.data === undefined)
    return <ErrorAlert error={query.error} onRetry={() => void query.refetch()} />;
  return <>{children(query.data)}</>;
}
