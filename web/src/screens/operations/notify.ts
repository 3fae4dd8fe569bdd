import { notifications } from "@mantine/notifications";
import { useTranslation } from "react-i18next";

/** A short notice in a corner, its close button named in the page's language. */
export function useNotify() {
  const { t } = useTranslation("operations");
  return (color: string, message: string) =>
    notifications.show({ color, message, closeButtonProps: { "aria-label": t("close") } });
}
