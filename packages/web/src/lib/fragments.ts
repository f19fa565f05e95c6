import { gql } from '@urql/solid';

/** One resource or output a plan touches, with its attribute-level diff, as `PlanSummary` draws it. */
const ResourceChangeFields = gql`
  fragment ResourceChangeFields on ResourceChange {
    address
    actions
    attributes {
      path
      before
      after
      beforeSensitive
      afterSensitive
      afterUnknown
      forcesReplacement
    }
  }
`;

/** Everything the plan summary component shows: counts, resources, outputs and the drift the refresh found. */
export const PlanSummaryFields = gql`
  fragment PlanSummaryFields on PlanSummary {
    add
    change
    destroy
    resources {
      ...ResourceChangeFields
    }
    outputs {
      ...ResourceChangeFields
    }
    drift {
      ...ResourceChangeFields
    }
  }
  ${ResourceChangeFields}
`;

/** What a form needs of a template parameter to draw its field and check it as the API will. */
export const TemplateParameterFields = gql`
  fragment TemplateParameterFields on TemplateParameter {
    name
    label
    description
    type
    required
    default
    enum
    secret
    generated
    min
    max
    minLength
    maxLength
    pattern
    providers
  }
`;

/** A refused form: the sentence, and each field's rule and message, for the field's own error. */
export const ValidationErrorsFields = gql`
  fragment ValidationErrorsFields on ValidationErrors {
    message
    fieldErrors {
      field
      rule
      message
    }
  }
`;
