// A tiny typed client: sends a document by its id (never its text), as trusted documents
// want, and answers the result typed by the document (graphql-codegen's TypedDocumentNode).
import type { TypedDocumentNode } from '@graphql-typed-document-node/core';

/** One entry of a response's `errors`; refusals carry `extensions.code`. */
export interface GraphQLErrorEntry {
  message: string;
  path?: readonly (string | number)[];
  extensions?: { code?: string; [key: string]: unknown };
}

/** The response: `data` typed by the document, `errors` as the server sent them. */
export interface ExecutionResult<TData> {
  status: number;
  data?: TData | null;
  errors?: readonly GraphQLErrorEntry[];
}

export interface ClientOptions {
  /** The API's /graphql URL. */
  url: string;
  /** Sent with every request, e.g. `{ Authorization: 'Bearer …' }`. */
  headers?: Record<string, string>;
}

/**
 * The `documentId` of a document the client preset generated with `persistedDocuments`:
 * `sha256:` and the hash it put in `__meta__.hash` (the manifest's key).
 */
export function documentIdOf(document: TypedDocumentNode<unknown, never>): string {
  const hash = (document as { __meta__?: { hash?: unknown } }).__meta__?.hash;
  if (typeof hash !== 'string') {
    throw new Error('the document has no __meta__.hash: generate it with persistedDocuments');
  }
  return hash.startsWith('sha256:') ? hash : `sha256:${hash}`;
}

export function createClient({ url, headers = {} }: ClientOptions) {
  return async function execute<TResult, TVariables>(
    document: TypedDocumentNode<TResult, TVariables>,
    // No second argument for a document without variables; its variables otherwise.
    ...[variables]: TVariables extends Record<string, never> ? [] : [TVariables]
  ): Promise<ExecutionResult<TResult>> {
    const response = await fetch(url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        accept: 'application/graphql-response+json',
        ...headers,
      },
      body: JSON.stringify({
        documentId: documentIdOf(document as TypedDocumentNode<unknown, never>),
        variables,
      }),
    });
    const body = (await response.json()) as Omit<ExecutionResult<TResult>, 'status'>;
    return { status: response.status, ...body };
  };
}
