import { temporal } from '@temporalio/proto';

const { History } = temporal.api.history.v1;

/** Stored histories are protobuf objects as JSON (enums by name, bytes in base64). */
export function historyAsJSON(history: temporal.api.history.v1.IHistory): string {
  return JSON.stringify(History.toObject(History.fromObject(history), { longs: String, enums: String, bytes: String }), null, 1);
}

export function historyFromJSON(text: string): temporal.api.history.v1.History {
  return History.fromObject(JSON.parse(text));
}
