/**
 * The CloudFormation template model `infra synth` writes: plain JSON values, the intrinsic functions it uses, and a
 * builder that refuses two resources, parameters, conditions or outputs with one logical id (a silent overwrite would
 * drop a resource). The template anatomy: https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/template-anatomy.html
 */

/** Any JSON value a template holds (intrinsic functions are objects too). */
export type Json = string | number | boolean | null | Json[] | { [key: string]: Json };

export interface CfnResource {
  Type: string;
  Properties: Record<string, Json>;
  Condition?: string;
  DependsOn?: string[];
  DeletionPolicy?: 'Retain' | 'Delete';
  UpdateReplacePolicy?: 'Retain' | 'Delete';
}

export interface CfnParameter {
  Type: 'String' | 'CommaDelimitedList';
  Description: string;
  Default?: string;
  AllowedPattern?: string;
}

export interface CfnOutput {
  Description: string;
  Value: Json;
  Condition?: string;
}

export interface CfnTemplate {
  AWSTemplateFormatVersion: '2010-09-09';
  Description: string;
  Parameters?: Record<string, CfnParameter>;
  Conditions?: Record<string, Json>;
  Resources: Record<string, CfnResource>;
  Outputs?: Record<string, CfnOutput>;
}

export const ref = (name: string): Json => ({ Ref: name });
export const getAtt = (name: string, attribute: string): Json => ({ 'Fn::GetAtt': [name, attribute] });
/** `Fn::Sub` with `${AWS::Partition}`, `${AWS::Region}`, `${AWS::AccountId}` and logical ids in the string. */
export const sub = (text: string): Json => ({ 'Fn::Sub': text });
export const ifThen = (condition: string, then: Json, otherwise: Json): Json => ({
  'Fn::If': [condition, then, otherwise],
});
export const NO_VALUE: Json = { Ref: 'AWS::NoValue' };

/** A logical id (alphanumeric, https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/resources-section-structure.html) from names: `rsms-dlr-primary` → `RsmsDlrPrimary`. */
export function logicalId(...parts: string[]): string {
  const id = parts
    .flatMap((p) => p.split(/[^A-Za-z0-9]+/))
    .filter((w) => w.length > 0)
    .map((w) => w[0].toUpperCase() + w.slice(1))
    .join('');
  if (!/^[A-Za-z]/.test(id)) return `R${id}`;
  return id;
}

/** An IAM policy document. */
export function policyDocument(statements: Json[]): Json {
  return { Version: '2012-10-17', Statement: statements };
}

/** Builds one template; every `add*` throws on a logical id used twice. */
export class TemplateBuilder {
  private readonly template: CfnTemplate;

  constructor(description: string) {
    this.template = { AWSTemplateFormatVersion: '2010-09-09', Description: description, Resources: {} };
  }

  has(id: string): boolean {
    return id in this.template.Resources;
  }

  resource(id: string, resource: CfnResource): string {
    if (this.has(id) || id in (this.template.Parameters ?? {})) {
      throw new Error(
        `two resources of the template would have the logical id ${id}: rename one of them in the config`,
      );
    }
    this.template.Resources[id] = resource;
    return id;
  }

  parameter(id: string, parameter: CfnParameter): string {
    const parameters = (this.template.Parameters ??= {});
    if (id in parameters) throw new Error(`two parameters of the template would be named ${id}`);
    parameters[id] = parameter;
    return id;
  }

  condition(id: string, condition: Json): string {
    const conditions = (this.template.Conditions ??= {});
    if (id in conditions) throw new Error(`two conditions of the template would be named ${id}`);
    conditions[id] = condition;
    return id;
  }

  output(id: string, output: CfnOutput): void {
    const outputs = (this.template.Outputs ??= {});
    if (id in outputs)
      throw new Error(`two outputs of the template would be named ${id}: rename one of them in the config`);
    outputs[id] = output;
  }

  build(): CfnTemplate {
    return structuredClone(this.template);
  }
}
