// Errors raised by the template engine. Messages follow Go's text/template
// shapes ("template: NAME:LINE: ..."), so callers can show them as they are.

/** The source does not parse (Go's Parse error). */
export class TemplateParseError extends Error {
  readonly code = 'VQ_ERR_TEMPLATE_PARSE';
  constructor(message: string) {
    super(message);
    this.name = 'TemplateParseError';
  }
}

/** Rendering failed (Go's ExecError): names the template, line and action. */
export class TemplateExecError extends Error {
  readonly code = 'VQ_ERR_TEMPLATE_EXEC';
  readonly template: string;
  /** What was rendered before the failure; Go has already written it to its writer. */
  readonly partial: string;
  constructor(template: string, message: string, partial = '') {
    super(message);
    this.name = 'TemplateExecError';
    this.template = template;
    this.partial = partial;
  }
}
