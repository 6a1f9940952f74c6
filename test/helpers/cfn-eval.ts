/**
 * Evaluates the intrinsic functions `infra synth` writes, the way CloudFormation would after a deploy with the
 * parameters' defaults: `Ref` to a pseudo parameter or a parameter, `Fn::Sub` of pseudo parameters, `Fn::If` on the
 * template's conditions (`Fn::Not`, `Fn::Equals`, `Fn::Join` of parameters). A `Ref`/`Fn::GetAtt` of a resource
 * stays symbolic (`{ref: id}`, `{getAtt: [id, attribute]}`) for the tests to follow.
 */
import type { CfnTemplate, Json } from '../../src/infra/cfn';

export interface Deployment {
  accountId: string;
  region: string;
  /** Parameter values other than the defaults. */
  parameters?: Record<string, string>;
}

type Value = Json | { ref: string } | { getAtt: [string, string] } | undefined;

export function evaluate(template: CfnTemplate, deployment: Deployment, value: Json): Value {
  const pseudo: Record<string, string> = {
    'AWS::AccountId': deployment.accountId,
    'AWS::Region': deployment.region,
    'AWS::Partition': 'aws',
  };
  const parameter = (name: string): string | string[] | undefined => {
    const p = template.Parameters?.[name];
    if (!p) return undefined;
    const v = deployment.parameters?.[name] ?? p.Default ?? '';
    return p.Type === 'CommaDelimitedList' ? (v === '' ? [] : v.split(',')) : v;
  };
  const condition = (name: string): boolean => evalAny(template.Conditions![name]) === true;
  function evalAny(v: Json): Value {
    if (Array.isArray(v)) return v.map((x) => evalAny(x)) as Json;
    if (v === null || typeof v !== 'object') return v;
    if ('Ref' in v) {
      const name = v.Ref as string;
      if (name === 'AWS::NoValue') return undefined;
      return pseudo[name] ?? parameter(name) ?? { ref: name };
    }
    if ('Fn::GetAtt' in v) return { getAtt: v['Fn::GetAtt'] as [string, string] };
    if ('Fn::Sub' in v)
      return (v['Fn::Sub'] as string).replace(/\$\{([^}]+)\}/g, (_m, n: string) => pseudo[n] ?? `\${${n}}`);
    if ('Fn::If' in v) {
      const [c, then, otherwise] = v['Fn::If'] as [string, Json, Json];
      return evalAny(condition(c) ? then : otherwise);
    }
    if ('Fn::Not' in v) return !(evalAny((v['Fn::Not'] as Json[])[0]) as boolean);
    if ('Fn::Equals' in v) {
      const [a, b] = (v['Fn::Equals'] as Json[]).map((x) => evalAny(x));
      return JSON.stringify(a) === JSON.stringify(b);
    }
    if ('Fn::Join' in v) {
      const [sep, list] = v['Fn::Join'] as [string, Json];
      return (evalAny(list) as string[]).join(sep);
    }
    return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, evalAny(x)])) as Json;
  }
  return evalAny(value);
}

/** The resources of one type, with their logical ids. */
export function resourcesOf(template: CfnTemplate, type: string): [string, CfnTemplate['Resources'][string]][] {
  return Object.entries(template.Resources).filter(([, r]) => r.Type === type);
}
