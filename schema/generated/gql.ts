/* eslint-disable */
import * as types from './graphql';
import type { TypedDocumentNode as DocumentNode } from '@graphql-typed-document-node/core';

/**
 * Map of all GraphQL operations in the project.
 *
 * This map has several performance disadvantages:
 * 1. It is not tree-shakeable, so it will include all operations in the project.
 * 2. It is not minifiable, so the string of a GraphQL query will be multiple times inside the bundle.
 * 3. It does not support dead code elimination, so it will add unused operations.
 *
 * Therefore it is highly recommended to use the babel or swc plugin for production.
 * Learn more about it here: https://the-guild.dev/graphql/codegen/plugins/presets/preset-client#reducing-bundle-size
 */
type Documents = {
    "mutation CancelCashout($input: CancelCashoutInput!) {\n  cancelCashout(input: $input) {\n    __typename\n    ... on CancelCashoutSuccess {\n      changed\n      cashout {\n        ...CashoutFields\n      }\n    }\n    ...ErrorFields\n  }\n}": typeof types.CancelCashoutDocument,
    "mutation CancelCashouts($input: CancelCashoutsInput!) {\n  cancelCashouts(input: $input) {\n    __typename\n    ... on CancelCashoutsSuccess {\n      results {\n        __typename\n        ... on CancelCashoutSuccess {\n          changed\n          cashout {\n            ...CashoutFields\n          }\n        }\n        ...ErrorFields\n      }\n    }\n    ...ErrorFields\n  }\n}": typeof types.CancelCashoutsDocument,
    "query Cashout($cashoutId: ID, $externalId: String) {\n  cashout(cashoutId: $cashoutId, externalId: $externalId) {\n    __typename\n    ...CashoutFields\n    ...ErrorFields\n  }\n}": typeof types.CashoutDocument,
    "subscription CashoutEvents($cashoutIds: [ID!], $after: ID) {\n  cashoutEvents(cashoutIds: $cashoutIds, after: $after) {\n    __typename\n    ...CashoutEventFields\n    ... on ValidationError {\n      message\n      issues {\n        path\n        message\n      }\n    }\n  }\n}": typeof types.CashoutEventsDocument,
    "query CashoutHistory($cashoutId: ID!, $first: Int, $after: String) {\n  cashout(cashoutId: $cashoutId) {\n    __typename\n    ... on Cashout {\n      ...CashoutFields\n      hold {\n        ...HoldFields\n      }\n      updatedAt\n      history(first: $first, after: $after) {\n        edges {\n          cursor\n          node {\n            ...CashoutEventFields\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n    ...ErrorFields\n  }\n}": typeof types.CashoutHistoryDocument,
    "query CashoutsOnHold($status: [CashoutStatus!], $first: Int, $after: String) {\n  cashouts(status: $status, first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        ...CashoutFields\n        hold {\n          ...HoldFields\n        }\n        updatedAt\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}": typeof types.CashoutsOnHoldDocument,
    "fragment CashoutFields on Cashout {\n  cashoutId\n  externalId\n  status\n  statusCode\n  statusDescription\n  rejection {\n    code\n    reason\n  }\n}\n\nfragment ErrorFields on Error {\n  message\n  ... on ValidationError {\n    issues {\n      path\n      message\n    }\n  }\n  ... on CashoutNotFoundError {\n    code\n  }\n  ... on InvalidStatusTransitionError {\n    code\n    currentStatus\n    requestedStatus\n  }\n  ... on D24RequestError {\n    code\n    kind\n  }\n  ... on D24UnavailableError {\n    retryable\n    outcome\n  }\n}\n\nfragment HoldFields on CashoutHold {\n  by\n  reason\n  since\n}\n\nfragment CashoutEventFields on CashoutEvent {\n  id\n  cashoutId\n  at\n  action\n  actor\n  reason\n  resultType\n  outcome\n  d24Code\n  changed\n  previousStatus\n  requestId\n  cashout {\n    status\n    statusDescription\n  }\n}": typeof types.CashoutFieldsFragmentDoc,
    "mutation HoldCashout($input: HoldCashoutInput!) {\n  holdCashout(input: $input) {\n    __typename\n    ... on HoldCashoutSuccess {\n      changed\n      cashout {\n        ...CashoutFields\n      }\n    }\n    ...ErrorFields\n  }\n}": typeof types.HoldCashoutDocument,
    "mutation HoldCashouts($input: HoldCashoutsInput!) {\n  holdCashouts(input: $input) {\n    __typename\n    ... on HoldCashoutsSuccess {\n      results {\n        __typename\n        ... on HoldCashoutSuccess {\n          changed\n          cashout {\n            ...CashoutFields\n          }\n        }\n        ...ErrorFields\n      }\n    }\n    ...ErrorFields\n  }\n}": typeof types.HoldCashoutsDocument,
    "mutation ReleaseCashout($input: ReleaseCashoutInput!) {\n  releaseCashout(input: $input) {\n    __typename\n    ... on ReleaseCashoutSuccess {\n      changed\n      cashout {\n        ...CashoutFields\n      }\n    }\n    ...ErrorFields\n  }\n}": typeof types.ReleaseCashoutDocument,
    "mutation ReleaseCashouts($input: ReleaseCashoutsInput!) {\n  releaseCashouts(input: $input) {\n    __typename\n    ... on ReleaseCashoutsSuccess {\n      results {\n        __typename\n        ... on ReleaseCashoutSuccess {\n          changed\n          cashout {\n            ...CashoutFields\n          }\n        }\n        ...ErrorFields\n      }\n    }\n    ...ErrorFields\n  }\n}": typeof types.ReleaseCashoutsDocument,
};
const documents: Documents = {
    "mutation CancelCashout($input: CancelCashoutInput!) {\n  cancelCashout(input: $input) {\n    __typename\n    ... on CancelCashoutSuccess {\n      changed\n      cashout {\n        ...CashoutFields\n      }\n    }\n    ...ErrorFields\n  }\n}": types.CancelCashoutDocument,
    "mutation CancelCashouts($input: CancelCashoutsInput!) {\n  cancelCashouts(input: $input) {\n    __typename\n    ... on CancelCashoutsSuccess {\n      results {\n        __typename\n        ... on CancelCashoutSuccess {\n          changed\n          cashout {\n            ...CashoutFields\n          }\n        }\n        ...ErrorFields\n      }\n    }\n    ...ErrorFields\n  }\n}": types.CancelCashoutsDocument,
    "query Cashout($cashoutId: ID, $externalId: String) {\n  cashout(cashoutId: $cashoutId, externalId: $externalId) {\n    __typename\n    ...CashoutFields\n    ...ErrorFields\n  }\n}": types.CashoutDocument,
    "subscription CashoutEvents($cashoutIds: [ID!], $after: ID) {\n  cashoutEvents(cashoutIds: $cashoutIds, after: $after) {\n    __typename\n    ...CashoutEventFields\n    ... on ValidationError {\n      message\n      issues {\n        path\n        message\n      }\n    }\n  }\n}": types.CashoutEventsDocument,
    "query CashoutHistory($cashoutId: ID!, $first: Int, $after: String) {\n  cashout(cashoutId: $cashoutId) {\n    __typename\n    ... on Cashout {\n      ...CashoutFields\n      hold {\n        ...HoldFields\n      }\n      updatedAt\n      history(first: $first, after: $after) {\n        edges {\n          cursor\n          node {\n            ...CashoutEventFields\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n    ...ErrorFields\n  }\n}": types.CashoutHistoryDocument,
    "query CashoutsOnHold($status: [CashoutStatus!], $first: Int, $after: String) {\n  cashouts(status: $status, first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        ...CashoutFields\n        hold {\n          ...HoldFields\n        }\n        updatedAt\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}": types.CashoutsOnHoldDocument,
    "fragment CashoutFields on Cashout {\n  cashoutId\n  externalId\n  status\n  statusCode\n  statusDescription\n  rejection {\n    code\n    reason\n  }\n}\n\nfragment ErrorFields on Error {\n  message\n  ... on ValidationError {\n    issues {\n      path\n      message\n    }\n  }\n  ... on CashoutNotFoundError {\n    code\n  }\n  ... on InvalidStatusTransitionError {\n    code\n    currentStatus\n    requestedStatus\n  }\n  ... on D24RequestError {\n    code\n    kind\n  }\n  ... on D24UnavailableError {\n    retryable\n    outcome\n  }\n}\n\nfragment HoldFields on CashoutHold {\n  by\n  reason\n  since\n}\n\nfragment CashoutEventFields on CashoutEvent {\n  id\n  cashoutId\n  at\n  action\n  actor\n  reason\n  resultType\n  outcome\n  d24Code\n  changed\n  previousStatus\n  requestId\n  cashout {\n    status\n    statusDescription\n  }\n}": types.CashoutFieldsFragmentDoc,
    "mutation HoldCashout($input: HoldCashoutInput!) {\n  holdCashout(input: $input) {\n    __typename\n    ... on HoldCashoutSuccess {\n      changed\n      cashout {\n        ...CashoutFields\n      }\n    }\n    ...ErrorFields\n  }\n}": types.HoldCashoutDocument,
    "mutation HoldCashouts($input: HoldCashoutsInput!) {\n  holdCashouts(input: $input) {\n    __typename\n    ... on HoldCashoutsSuccess {\n      results {\n        __typename\n        ... on HoldCashoutSuccess {\n          changed\n          cashout {\n            ...CashoutFields\n          }\n        }\n        ...ErrorFields\n      }\n    }\n    ...ErrorFields\n  }\n}": types.HoldCashoutsDocument,
    "mutation ReleaseCashout($input: ReleaseCashoutInput!) {\n  releaseCashout(input: $input) {\n    __typename\n    ... on ReleaseCashoutSuccess {\n      changed\n      cashout {\n        ...CashoutFields\n      }\n    }\n    ...ErrorFields\n  }\n}": types.ReleaseCashoutDocument,
    "mutation ReleaseCashouts($input: ReleaseCashoutsInput!) {\n  releaseCashouts(input: $input) {\n    __typename\n    ... on ReleaseCashoutsSuccess {\n      results {\n        __typename\n        ... on ReleaseCashoutSuccess {\n          changed\n          cashout {\n            ...CashoutFields\n          }\n        }\n        ...ErrorFields\n      }\n    }\n    ...ErrorFields\n  }\n}": types.ReleaseCashoutsDocument,
};

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 *
 *
 * @example
 * ```ts
 * const query = graphql(`query GetUser($id: ID!) { user(id: $id) { name } }`);
 * ```
 *
 * The query argument is unknown!
 * Please regenerate the types.
 */
export function graphql(source: string): unknown;

/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation CancelCashout($input: CancelCashoutInput!) {\n  cancelCashout(input: $input) {\n    __typename\n    ... on CancelCashoutSuccess {\n      changed\n      cashout {\n        ...CashoutFields\n      }\n    }\n    ...ErrorFields\n  }\n}"): (typeof documents)["mutation CancelCashout($input: CancelCashoutInput!) {\n  cancelCashout(input: $input) {\n    __typename\n    ... on CancelCashoutSuccess {\n      changed\n      cashout {\n        ...CashoutFields\n      }\n    }\n    ...ErrorFields\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation CancelCashouts($input: CancelCashoutsInput!) {\n  cancelCashouts(input: $input) {\n    __typename\n    ... on CancelCashoutsSuccess {\n      results {\n        __typename\n        ... on CancelCashoutSuccess {\n          changed\n          cashout {\n            ...CashoutFields\n          }\n        }\n        ...ErrorFields\n      }\n    }\n    ...ErrorFields\n  }\n}"): (typeof documents)["mutation CancelCashouts($input: CancelCashoutsInput!) {\n  cancelCashouts(input: $input) {\n    __typename\n    ... on CancelCashoutsSuccess {\n      results {\n        __typename\n        ... on CancelCashoutSuccess {\n          changed\n          cashout {\n            ...CashoutFields\n          }\n        }\n        ...ErrorFields\n      }\n    }\n    ...ErrorFields\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query Cashout($cashoutId: ID, $externalId: String) {\n  cashout(cashoutId: $cashoutId, externalId: $externalId) {\n    __typename\n    ...CashoutFields\n    ...ErrorFields\n  }\n}"): (typeof documents)["query Cashout($cashoutId: ID, $externalId: String) {\n  cashout(cashoutId: $cashoutId, externalId: $externalId) {\n    __typename\n    ...CashoutFields\n    ...ErrorFields\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "subscription CashoutEvents($cashoutIds: [ID!], $after: ID) {\n  cashoutEvents(cashoutIds: $cashoutIds, after: $after) {\n    __typename\n    ...CashoutEventFields\n    ... on ValidationError {\n      message\n      issues {\n        path\n        message\n      }\n    }\n  }\n}"): (typeof documents)["subscription CashoutEvents($cashoutIds: [ID!], $after: ID) {\n  cashoutEvents(cashoutIds: $cashoutIds, after: $after) {\n    __typename\n    ...CashoutEventFields\n    ... on ValidationError {\n      message\n      issues {\n        path\n        message\n      }\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query CashoutHistory($cashoutId: ID!, $first: Int, $after: String) {\n  cashout(cashoutId: $cashoutId) {\n    __typename\n    ... on Cashout {\n      ...CashoutFields\n      hold {\n        ...HoldFields\n      }\n      updatedAt\n      history(first: $first, after: $after) {\n        edges {\n          cursor\n          node {\n            ...CashoutEventFields\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n    ...ErrorFields\n  }\n}"): (typeof documents)["query CashoutHistory($cashoutId: ID!, $first: Int, $after: String) {\n  cashout(cashoutId: $cashoutId) {\n    __typename\n    ... on Cashout {\n      ...CashoutFields\n      hold {\n        ...HoldFields\n      }\n      updatedAt\n      history(first: $first, after: $after) {\n        edges {\n          cursor\n          node {\n            ...CashoutEventFields\n          }\n        }\n        pageInfo {\n          hasNextPage\n          endCursor\n        }\n      }\n    }\n    ...ErrorFields\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "query CashoutsOnHold($status: [CashoutStatus!], $first: Int, $after: String) {\n  cashouts(status: $status, first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        ...CashoutFields\n        hold {\n          ...HoldFields\n        }\n        updatedAt\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}"): (typeof documents)["query CashoutsOnHold($status: [CashoutStatus!], $first: Int, $after: String) {\n  cashouts(status: $status, first: $first, after: $after) {\n    edges {\n      cursor\n      node {\n        ...CashoutFields\n        hold {\n          ...HoldFields\n        }\n        updatedAt\n      }\n    }\n    pageInfo {\n      hasNextPage\n      endCursor\n    }\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "fragment CashoutFields on Cashout {\n  cashoutId\n  externalId\n  status\n  statusCode\n  statusDescription\n  rejection {\n    code\n    reason\n  }\n}\n\nfragment ErrorFields on Error {\n  message\n  ... on ValidationError {\n    issues {\n      path\n      message\n    }\n  }\n  ... on CashoutNotFoundError {\n    code\n  }\n  ... on InvalidStatusTransitionError {\n    code\n    currentStatus\n    requestedStatus\n  }\n  ... on D24RequestError {\n    code\n    kind\n  }\n  ... on D24UnavailableError {\n    retryable\n    outcome\n  }\n}\n\nfragment HoldFields on CashoutHold {\n  by\n  reason\n  since\n}\n\nfragment CashoutEventFields on CashoutEvent {\n  id\n  cashoutId\n  at\n  action\n  actor\n  reason\n  resultType\n  outcome\n  d24Code\n  changed\n  previousStatus\n  requestId\n  cashout {\n    status\n    statusDescription\n  }\n}"): (typeof documents)["fragment CashoutFields on Cashout {\n  cashoutId\n  externalId\n  status\n  statusCode\n  statusDescription\n  rejection {\n    code\n    reason\n  }\n}\n\nfragment ErrorFields on Error {\n  message\n  ... on ValidationError {\n    issues {\n      path\n      message\n    }\n  }\n  ... on CashoutNotFoundError {\n    code\n  }\n  ... on InvalidStatusTransitionError {\n    code\n    currentStatus\n    requestedStatus\n  }\n  ... on D24RequestError {\n    code\n    kind\n  }\n  ... on D24UnavailableError {\n    retryable\n    outcome\n  }\n}\n\nfragment HoldFields on CashoutHold {\n  by\n  reason\n  since\n}\n\nfragment CashoutEventFields on CashoutEvent {\n  id\n  cashoutId\n  at\n  action\n  actor\n  reason\n  resultType\n  outcome\n  d24Code\n  changed\n  previousStatus\n  requestId\n  cashout {\n    status\n    statusDescription\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation HoldCashout($input: HoldCashoutInput!) {\n  holdCashout(input: $input) {\n    __typename\n    ... on HoldCashoutSuccess {\n      changed\n      cashout {\n        ...CashoutFields\n      }\n    }\n    ...ErrorFields\n  }\n}"): (typeof documents)["mutation HoldCashout($input: HoldCashoutInput!) {\n  holdCashout(input: $input) {\n    __typename\n    ... on HoldCashoutSuccess {\n      changed\n      cashout {\n        ...CashoutFields\n      }\n    }\n    ...ErrorFields\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation HoldCashouts($input: HoldCashoutsInput!) {\n  holdCashouts(input: $input) {\n    __typename\n    ... on HoldCashoutsSuccess {\n      results {\n        __typename\n        ... on HoldCashoutSuccess {\n          changed\n          cashout {\n            ...CashoutFields\n          }\n        }\n        ...ErrorFields\n      }\n    }\n    ...ErrorFields\n  }\n}"): (typeof documents)["mutation HoldCashouts($input: HoldCashoutsInput!) {\n  holdCashouts(input: $input) {\n    __typename\n    ... on HoldCashoutsSuccess {\n      results {\n        __typename\n        ... on HoldCashoutSuccess {\n          changed\n          cashout {\n            ...CashoutFields\n          }\n        }\n        ...ErrorFields\n      }\n    }\n    ...ErrorFields\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation ReleaseCashout($input: ReleaseCashoutInput!) {\n  releaseCashout(input: $input) {\n    __typename\n    ... on ReleaseCashoutSuccess {\n      changed\n      cashout {\n        ...CashoutFields\n      }\n    }\n    ...ErrorFields\n  }\n}"): (typeof documents)["mutation ReleaseCashout($input: ReleaseCashoutInput!) {\n  releaseCashout(input: $input) {\n    __typename\n    ... on ReleaseCashoutSuccess {\n      changed\n      cashout {\n        ...CashoutFields\n      }\n    }\n    ...ErrorFields\n  }\n}"];
/**
 * The graphql function is used to parse GraphQL queries into a document that can be used by GraphQL clients.
 */
export function graphql(source: "mutation ReleaseCashouts($input: ReleaseCashoutsInput!) {\n  releaseCashouts(input: $input) {\n    __typename\n    ... on ReleaseCashoutsSuccess {\n      results {\n        __typename\n        ... on ReleaseCashoutSuccess {\n          changed\n          cashout {\n            ...CashoutFields\n          }\n        }\n        ...ErrorFields\n      }\n    }\n    ...ErrorFields\n  }\n}"): (typeof documents)["mutation ReleaseCashouts($input: ReleaseCashoutsInput!) {\n  releaseCashouts(input: $input) {\n    __typename\n    ... on ReleaseCashoutsSuccess {\n      results {\n        __typename\n        ... on ReleaseCashoutSuccess {\n          changed\n          cashout {\n            ...CashoutFields\n          }\n        }\n        ...ErrorFields\n      }\n    }\n    ...ErrorFields\n  }\n}"];

export function graphql(source: string) {
  return (documents as any)[source] ?? {};
}

export type DocumentType<TDocumentNode extends DocumentNode<any, any>> = TDocumentNode extends DocumentNode<  infer TType,  any>  ? TType  : never;