import { defineSearchAttributeKey, SearchAttributeType } from '@temporalio/common';

/**
 * Custom search attributes. Only ids and status words: never personal data (people are staff
 * ids, children are pseudonymous case references). Registered by the worker at start-up.
 */
export const stageKey = defineSearchAttributeKey('JcoStage', SearchAttributeType.KEYWORD);
export const leadStatusKey = defineSearchAttributeKey('JcoLeadStatus', SearchAttributeType.KEYWORD);
export const partnersKey = defineSearchAttributeKey('JcoPartners', SearchAttributeType.KEYWORD_LIST);
/** People who may decide at least one open task of the workflow (the inbox index). */
export const assigneesKey = defineSearchAttributeKey('JcoAssignees', SearchAttributeType.KEYWORD_LIST);

/** When the workflow last changed what it shows: lets readers fetch only what changed since. */
export const updatedAtKey = defineSearchAttributeKey('JcoUpdatedAt', SearchAttributeType.DATETIME);

/** The proposed or agreed lead partner. */
export const leadPartnerKey = defineSearchAttributeKey('JcoLeadPartner', SearchAttributeType.KEYWORD);
/** The earliest deadline among open tasks; absent when none is open. Overdue = before now. */
export const nextDueKey = defineSearchAttributeKey('JcoNextDueAt', SearchAttributeType.DATETIME);
/** The commission's title, for free-text search (a service name, never a person's). */
export const titleKey = defineSearchAttributeKey('JcoTitle', SearchAttributeType.TEXT);

/** When a referral is next heard by the Resource Allocation Panel (an agenda, no personal data). */
export const panelAtKey = defineSearchAttributeKey('JcoPanelAt', SearchAttributeType.DATETIME);

export const searchAttributeKeys = [stageKey, leadStatusKey, partnersKey, assigneesKey, updatedAtKey, leadPartnerKey, nextDueKey, titleKey, panelAtKey];
