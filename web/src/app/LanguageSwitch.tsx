import { SegmentedControl } from "@mantine/core";
import { useTranslation } from "react-i18next";
import { languages } from "../i18n.ts";

export function LanguageSwitch() {
  const { t, i18n } = useTranslation();
  return (
    <SegmentedControl
      size="xs"
      aria-label={t("language.label")}
      value={i18n.language}
      onChange={(lng) => void i18n.changeLanguage(lng)}
      data={languages.map((l) => ({ value: l, label: t(`language.${l}`) }))}
    />
  );
}
