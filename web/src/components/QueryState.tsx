import { Alert, type AlertProps, Button, Center, Loader } from "@mantine/core";
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

/**
 * What a user reads when a write was refused: a rule's refusal (409, 422) in the server's words, which
 * name the rule and the record; anything else by its code, in the page's language.
 */
export function useRefusalText() {
  const text = useErrorText();
  return (error: unknown) =>
    error instanceof ApiError && (error.status === 409 || error.status === 422) ? error.message : text(error);
}

/** A write's refusal, as an alert above its form (nothing when there is none). */
export function RefusalAlert({
  error,
  title,
  ...rest
}: { error: unknown; title?: string } & Omit<AlertProps, "title">) {
  const text = useRefusalText();
  if (!error) return null;
  return (
    <Alert color="red" role="alert" title={title} {...rest}>
      {text(error)}
    </Alert>
  );
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
        <Loader role="status" aria-label={t("common.loading")} />
      </Center>
    );
  if (query.error || query.data === undefined)
    return <ErrorAlert error={query.error} onRetry={() => void query.refetch()} />;
  return <>{children(query.data)}</>;
}
