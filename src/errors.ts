// One place for the project's error codes (STYLE.md: VQ_ERR_*). Throw
// VaqueroError for expected failures a caller handles; plain Error stays for
// programmer errors.

export const ErrorCodes = {
  VQ_ERR_USAGE: 'bad command-line usage',
  VQ_ERR_CONFIG: 'a configuration value is missing or wrong',
  VQ_ERR_INJECTED: 'a fault injected on purpose (tests, drills)',
  VQ_ERR_IO: 'a file or folder could not be read',
  VQ_ERR_SOT_LAYOUT: 'the source of truth is not laid out as Vaquero expects',
  VQ_ERR_YAML: 'a YAML document does not parse',
  VQ_ERR_MODEL_INVALID: 'the model failed validation',
  VQ_ERR_NOT_FOUND: 'no such object in the model',
  VQ_ERR_TEMPLATE_PARSE: 'a template does not parse',
  VQ_ERR_TEMPLATE_EXEC: 'a template failed while rendering',
  VQ_ERR_DHCP_MALFORMED: 'a DHCP packet does not decode',
  VQ_ERR_DHCP_OPTION: 'a custom dhcp_options value does not fit its type',
  VQ_ERR_SUPERVISOR_GAVE_UP: 'a supervisor exhausted its restart budget, stopped its children and escalated',
  VQ_ERR_CHILD_START: 'a supervised child failed to start',
  VQ_ERR_MAILBOX_FULL: 'an actor mailbox is over its limit; the message was not delivered',
  VQ_ERR_ACTOR_DOWN: 'the actor is not running (restarting or stopped); the message was not delivered',
  VQ_ERR_ASK_TIMEOUT: 'an actor did not reply in time',
} as const;

export type ErrorCode = keyof typeof ErrorCodes;

export class VaqueroError extends Error {
  readonly code: ErrorCode;
  constructor(code: ErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'VaqueroError';
    this.code = code;
  }
}

export function isVaqueroError(e: unknown): e is VaqueroError {
  return e instanceof VaqueroError;
}
