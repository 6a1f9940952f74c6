/**
 * Under Node < 22, every process that builds an AWS SDK client printed the SDK's NodeVersionSupportWarning ("versions
 * published after the first week of January 2027 will require node >=22") into the stack's output and every log.
 * The SDK versions this project locks run on Node 20, which it still supports (package.json engines); the warning is
 * about SDK releases we do not use yet. So every entry point (the CLI and, through it, the local stack's children;
 * chaos; bench) sets the SDK's own switch for exactly that warning
 * (https://github.com/aws/aws-sdk-js-v3/issues/7983) before it builds a client; an explicit value in the environment
 * wins (`AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED=false` shows it again). Moving to Node 22 is the real fix.
 */
export function quietSdkNodeVersionWarning(env: NodeJS.ProcessEnv = process.env): void {
  env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
}
