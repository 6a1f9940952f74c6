/**
 * The failure converter used whenever payload encryption is on: error messages and stack traces
 * travel in the failure's `encodedAttributes` payload, which the payload codec encrypts, instead of
 * as plain text (a failure message may quote a phone number or a body).
 *
 * Loaded by path (`DataConverter.failureConverterPath`): the worker bundles it into the workflow
 * sandbox, so it imports @temporalio/common only.
 */
import { DefaultFailureConverter } from '@temporalio/common';

export const failureConverter = new DefaultFailureConverter({ encodeCommonAttributes: true });
