/**
 * Runs the sign-in example (examples/sign-in/server.mjs) for test/browser/sign-in.test.ts as a reader runs it, with
 * one addition made through the server's own `generateCode` option: each code is also written to stdout as
 * `{"code": …}`, where the test — playing the user's phone — reads it. The example has no other way to reveal a
 * code. Stdout also carries the server's log lines (`{"event": …}`) and, once it listens, `{"url": …}`.
 * Environment: RESILIENT_SMS_CONFIG (the local stack's config), SIGN_IN_USE_CASE.
 */
import { connectResilientSms, loadConfig } from 'resilient-sms';
import { randomCode, startSignInServer } from '../../examples/sign-in/server.mjs';

const { client, close } = await connectResilientSms(loadConfig(process.env.RESILIENT_SMS_CONFIG));
const server = await startSignInServer({
  sms: client,
  useCase: process.env.SIGN_IN_USE_CASE,
  port: 0,
  generateCode: () => {
    const code = randomCode();
    process.stdout.write(`${JSON.stringify({ code })}\n`);
    return code;
  },
});
process.stdout.write(`${JSON.stringify({ url: server.url })}\n`);
process.once('SIGTERM', () => {
  void server
    .close()
    .then(close)
    .finally(() => process.exit(0));
});
