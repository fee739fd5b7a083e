/**
 * What runs a vLLM service beyond its pods (pure): the KEDA ScaledObject (autoscaling.ts) and the
 * monitors, alerts and dashboard (observability.ts), with the platform add-ons deciding which exist.
 */
import type { PlatformContract } from "../platform/contract.ts";
import { WAKE_TRIGGER, renderScaledObject, resolveAutoscaling, wakeSeries } from "./autoscaling.ts";
import type { EffectiveService } from "./defaults.ts";
import { vllmMetrics } from "./metrics.ts";
import { alertThresholds, renderDashboardConfigMap, renderPrometheusRule, renderServiceMonitor, vllmAlertRules, vllmDashboard, wakeAlertRule } from "./observability.ts";
import { metadata, selector, serviceNames } from "./render.ts";

/** Pulumi child roles (`<name>-<role>`) of the custom resources below: identity, never rename. */
export const OPERATION_ROLES = { scaledObject: "scaler", serviceMonitor: "monitor", prometheusRule: "alerts", dashboard: "dashboard" } as const;

export function renderVllmOperations(svc: EffectiveService, contract: PlatformContract) {
  const name = serviceNames(svc.name).workload;
  const target = { ...metadata(svc, contract, name), serviceLabels: selector(svc), port: "http", path: "/metrics" };
  const scaling = resolveAutoscaling(svc.scaling, contract.namespace, svc.engineVersion);
  // monitors need the Prometheus Operator CRDs: present with "install", expected with an existing Prometheus
  const monitored = contract.addons.prometheusUrl !== null;
  const m = vllmMetrics(svc.engineVersion);
  const wakes = scaling?.triggers.some((t) => t.kind === "prometheus" && t.name === WAKE_TRIGGER) === true;
  const wakeRules = wakes ? [wakeAlertRule(target, wakeSeries(name, contract.namespace))] : [];
  return {
    scaledObject: scaling === undefined ? undefined : renderScaledObject(scaling, target, contract),
    serviceMonitor: monitored ? renderServiceMonitor(target) : undefined,
    prometheusRule: monitored ? renderPrometheusRule(target, [...vllmAlertRules(target, m, alertThresholds(svc.scaling.autoscaling)), ...wakeRules]) : undefined,
    dashboard: monitored ? renderDashboardConfigMap(target, vllmDashboard(target, m)) : undefined,
  };
}
