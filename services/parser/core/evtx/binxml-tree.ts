// The parsed shape of Binary XML before substitution: template definitions are parsed once per chunk into
// this tree and rendered once per record with that record's substitution values.

export interface TextContent {
  readonly kind: 'text';
  /** Unescaped text of value tokens. */
  readonly text: string;
}

/** Markup that is already XML (character and entity references, CDATA, processing instructions). */
export interface MarkupContent {
  readonly kind: 'markup';
  readonly xml: string;
}

export interface SubstitutionContent {
  readonly kind: 'substitution';
  readonly index: number;
  readonly optional: boolean;
}

export interface ElementContent {
  readonly kind: 'element';
  readonly name: string;
  readonly attributes: readonly Attribute[];
  /** undefined for an empty element (`<Provider .../>`). */
  readonly children: readonly Content[] | undefined;
}

export interface TemplateContent {
  readonly kind: 'template';
  readonly body: readonly Content[];
  readonly values: readonly TemplateValue[];
}

export type Content = TextContent | MarkupContent | SubstitutionContent | ElementContent | TemplateContent;

export interface Attribute {
  readonly name: string;
  readonly value: readonly Content[];
}

/** One entry of a template instance's substitution array: its type and where its bytes are in the chunk. */
export interface TemplateValue {
  readonly type: number;
  readonly offset: number;
  readonly size: number;
}
