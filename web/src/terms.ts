/**
 * The domain's words, in both languages: case states, tracks, deadline kinds, risks, request types,
 * risk flags, operation statuses. The API answers codes (`awaiting-foreign-ministry-decision`); the app
 * shows these. `useTerm()` falls back to the code itself for a code this table does not know yet.
 */
import { useTranslation } from "react-i18next";

const es = {
  state: {
    "treaty-request-received": "Solicitud recibida",
    "provisional-arrest-requested": "Detención provisional solicitada",
    "provisionally-detained": "Detenido provisionalmente",
    "formal-request-received": "Petición formal recibida",
    "judicial-hearing": "Audiencia judicial",
    "awaiting-judicial-opinion": "En espera de la opinión judicial",
    "awaiting-foreign-ministry-decision": "En espera de la decisión de la SRE",
    "extradition-granted": "Extradición concedida",
    "amparo-pending": "Amparo en trámite",
    "extradition-final": "Extradición firme",
    "surrender-deferred": "Entrega diferida",
    "surrender-scheduled": "Entrega programada",
    "surrender-assigned": "Asignado a un operativo",
    "surrender-in-transit": "En traslado",
    surrendered: "Entregado",
    "initial-appearance": "Primera comparecencia",
    released: "Liberado",
    "extradition-refused": "Extradición negada",
    "freed-for-good": "Libertad definitiva",
    "request-withdrawn": "Solicitud retirada",
    "transfer-requested": "Traslado solicitado",
    "under-analysis": "En análisis",
    "proposed-to-council": "Propuesto al Consejo",
    "council-approved": "Aprobado por el Consejo",
    "council-deferred": "Diferido por el Consejo",
    "council-rejected": "Rechazado por el Consejo",
    "assurances-confirmed": "Garantías confirmadas",
    "ready-for-transfer": "Listo para el traslado",
    "assigned-to-operation": "Asignado a un operativo",
    "in-transit": "En traslado",
    "handed-over": "Entregado",
    "transfer-withdrawn": "Traslado retirado",
  },
  track: { treaty: "Extradición (tratado)", security: "Traslado de seguridad" },
  deadline: {
    "formal-request": "Petición formal",
    objection: "Excepciones",
    evidence: "Pruebas",
    "evidence-extension": "Prórroga de pruebas",
    "judicial-opinion": "Opinión judicial",
    "foreign-ministry-decision": "Decisión de la SRE",
    amparo: "Amparo",
    "custody-window": "Plazo de custodia",
  },
  risk: {
    ASSURANCE_MISSING: "Falta la garantía de no aplicar la pena de muerte a un cargo que la admite",
  },
  requestType: {
    "provisional-arrest": "Detención provisional",
    "formal-extradition": "Extradición formal",
    "security-transfer": "Traslado de seguridad",
    "temporary-surrender": "Entrega temporal",
  },
  riskFlag: {
    "escape-risk": "Riesgo de fuga",
    violent: "Violento",
    "needs-separation": "Requiere separación",
    medical: "Atención médica",
    "high-profile": "Alto perfil",
  },
  operationStatus: {
    planning: "En planeación",
    planned: "Planeado",
    ready: "Listo",
    "in-transit": "En vuelo",
    completed: "Concluido",
    cancelled: "Cancelado",
  },
};

const en: typeof es = {
  state: {
    "treaty-request-received": "Request received",
    "provisional-arrest-requested": "Provisional arrest requested",
    "provisionally-detained": "Provisionally detained",
    "formal-request-received": "Formal request received",
    "judicial-hearing": "Judicial hearing",
    "awaiting-judicial-opinion": "Awaiting the judge's opinion",
    "awaiting-foreign-ministry-decision": "Awaiting the foreign ministry's decision",
    "extradition-granted": "Extradition granted",
    "amparo-pending": "Amparo pending",
    "extradition-final": "Extradition final",
    "surrender-deferred": "Surrender deferred",
    "surrender-scheduled": "Surrender scheduled",
    "surrender-assigned": "Assigned to an operation",
    "surrender-in-transit": "In transit",
    surrendered: "Surrendered",
    "initial-appearance": "Initial appearance",
    released: "Released",
    "extradition-refused": "Extradition refused",
    "freed-for-good": "Freed for good",
    "request-withdrawn": "Request withdrawn",
    "transfer-requested": "Transfer requested",
    "under-analysis": "Under analysis",
    "proposed-to-council": "Proposed to the council",
    "council-approved": "Approved by the council",
    "council-deferred": "Deferred by the council",
    "council-rejected": "Rejected by the council",
    "assurances-confirmed": "Assurances confirmed",
    "ready-for-transfer": "Ready for transfer",
    "assigned-to-operation": "Assigned to an operation",
    "in-transit": "In transit",
    "handed-over": "Handed over",
    "transfer-withdrawn": "Transfer withdrawn",
  },
  track: { treaty: "Extradition (treaty)", security: "Security transfer" },
  deadline: {
    "formal-request": "Formal request",
    objection: "Objections",
    evidence: "Evidence",
    "evidence-extension": "Evidence extension",
    "judicial-opinion": "Judicial opinion",
    "foreign-ministry-decision": "Foreign ministry decision",
    amparo: "Amparo",
    "custody-window": "Custody window",
  },
  risk: {
    ASSURANCE_MISSING: "No no-death-penalty assurance for a charge that carries it",
  },
  requestType: {
    "provisional-arrest": "Provisional arrest",
    "formal-extradition": "Formal extradition",
    "security-transfer": "Security transfer",
    "temporary-surrender": "Temporary surrender",
  },
  riskFlag: {
    "escape-risk": "Escape risk",
    violent: "Violent",
    "needs-separation": "Needs separation",
    medical: "Medical needs",
    "high-profile": "High profile",
  },
  operationStatus: {
    planning: "Planning",
    planned: "Planned",
    ready: "Ready",
    "in-transit": "In flight",
    completed: "Completed",
    cancelled: "Cancelled",
  },
};

export const terms = { es, en };

/** `term("state", "under-analysis")` → "En análisis" / "Under analysis"; an unknown code as it is. */
export function useTerm() {
  const { t } = useTranslation("terms");
  return (group: keyof typeof es, code: string) => t(`${group}.${code}`, { defaultValue: code });
}
