import {
  Alert,
  Button,
  Center,
  Code,
  Paper,
  PasswordInput,
  Stack,
  Text,
  TextInput,
  Title,
} from "@mantine/core";
import { useForm } from "@mantine/form";
import { useState } from "react";
import { useTranslation } from "react-i18next";
import { Link, Navigate, useLocation } from "react-router";
import { ApiError, api, unwrap } from "../../api/client.ts";
import { signIn, useSession } from "../../api/session.tsx";
import { LanguageSwitch } from "../../app/LanguageSwitch.tsx";

/** Sign-in with a local account; the code of the second factor when the role requires one. */
export function SignIn() {
  const { t } = useTranslation();
  const session = useSession();
  const location = useLocation();
  const [failure, setFailure] = useState<string | null>(null);
  const [needsCode, setNeedsCode] = useState(false);
  const [busy, setBusy] = useState(false);
  const form = useForm({ initialValues: { username: "", password: "", totp: "" } });
  const from = (location.state as { from?: string } | null)?.from ?? "/";
  if (session.current?.secondFactor) return <Navigate to={from} replace />;
  if (session.current) return <EnrolSecondFactor />;

  const submit = form.onSubmit(async (v) => {
    setBusy(true);
    setFailure(null);
    try {
      await signIn({ username: v.username, password: v.password, ...(v.totp ? { totp: v.totp } : {}) });
      await session.refresh();
    } catch (e) {
      if (e instanceof ApiError && e.code === "TOTP_REQUIRED") setNeedsCode(true);
      else if (e instanceof ApiError && e.status === 429) setFailure(t("session.rateLimited"));
      else if (e instanceof ApiError && e.status === 401) setFailure(t("session.failed"));
      else setFailure(t("errors.network"));
    } finally {
      setBusy(false);
    }
  });

  return (
    <Center mih="100vh" p="md">
      <Paper withBorder p="xl" w={380} component="main">
        <form onSubmit={submit} noValidate>
          <Stack>
            <div>
              <Title order={1} size="h2">
                {t("app.name")}
              </Title>
              <Text c="dimmed" size="sm">
                {t("app.tagline")}
              </Text>
            </div>
            <LanguageSwitch />
            {failure && (
              <Alert color="red" role="alert">
                {failure}
              </Alert>
            )}
            <TextInput
              label={t("session.username")}
              autoComplete="username"
              required
              {...form.getInputProps("username")}
            />
            <PasswordInput
              label={t("session.password")}
              autoComplete="current-password"
              visibilityToggleButtonProps={{ "aria-label": t("session.showPassword") }}
              required
              {...form.getInputProps("password")}
            />
            {needsCode && (
              <TextInput
                label={t("session.totp")}
                description={t("session.totpHelp")}
                inputMode="numeric"
                autoComplete="one-time-code"
                maxLength={6}
                data-autofocus
                {...form.getInputProps("totp")}
              />
            )}
            <Button type="submit" loading={busy}>
              {t("session.signIn")}
            </Button>
            <Link to="/public">{t("nav.public")}</Link>
          </Stack>
        </form>
      </Paper>
    </Center>
  );
}

/**
 * A role that requires a second factor, signed in with its password before it has one: enrol a TOTP
 * (the secret shown once, to type into an authenticator app), then confirm it with a code.
 */
function EnrolSecondFactor() {
  const { t } = useTranslation();
  const session = useSession();
  const [enrolment, setEnrolment] = useState<{ uri: string; secret: string } | null>(null);
  const [code, setCode] = useState("");
  const [failure, setFailure] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const start = async () => {
    setBusy(true);
    setFailure(null);
    try {
      setEnrolment(await unwrap(api.POST("/auth/totp")));
    } catch {
      setFailure(t("errors.network"));
    } finally {
      setBusy(false);
    }
  };
  const confirm = async (e: React.FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setFailure(null);
    try {
      await unwrap(api.POST("/auth/totp/confirm", { body: { code } }));
      await session.refresh();
    } catch {
      setFailure(t("session.failed"));
    } finally {
      setBusy(false);
    }
  };
  return (
    <Center mih="100vh" p="md">
      <Paper withBorder p="xl" w={420} component="main">
        <Stack>
          <Title order={1} size="h2">
            {t("session.enrolTitle")}
          </Title>
          <Text size="sm">{t("session.enrolHelp")}</Text>
          {failure && (
            <Alert color="red" role="alert">
              {failure}
            </Alert>
          )}
          {!enrolment ? (
            <Button onClick={start} loading={busy}>
              {t("session.enrolStart")}
            </Button>
          ) : (
            <form onSubmit={confirm} noValidate>
              <Stack>
                <Text size="sm">{t("session.enrolSecret")}</Text>
                <Code block data-testid="totp-secret">
                  {enrolment.secret}
                </Code>
                <TextInput
                  label={t("session.totp")}
                  inputMode="numeric"
                  autoComplete="one-time-code"
                  maxLength={6}
                  value={code}
                  onChange={(e) => setCode(e.currentTarget.value)}
                />
                <Button type="submit" loading={busy}>
                  {t("session.enrolConfirm")}
                </Button>
              </Stack>
            </form>
          )}
        </Stack>
      </Paper>
    </Center>
  );
}
