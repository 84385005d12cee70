import type { CodegenConfig } from '@graphql-codegen/cli';

// Generates, from the committed schema and example operations, what a frontend needs; a test fails on drift.
const config: CodegenConfig = {
  schema: 'schema/schema.graphql',
  documents: 'schema/operations/*.graphql',
  ignoreNoDocuments: false,
  generates: {
    // Typed documents (TypedDocumentNode) for Apollo Client, urql and any other client.
    'schema/generated/': {
      preset: 'client',
      presetConfig: {
        fragmentMasking: false,
        // persisted-documents.json: the manifest TRUSTED_DOCUMENTS=required accepts.
        persistedDocuments: { mode: 'embedHashInDocument', hashAlgorithm: 'sha256' },
      },
      // DateTime arrives as its RFC 3339 text.
      config: { useTypeImports: true, enumsAsTypes: true, scalars: { DateTime: 'string' } },
    },
    // Apollo InMemoryCache({ possibleTypes }) needs the union and interface members.
    'schema/generated/possible-types.ts': {
      plugins: ['fragment-matcher'],
      config: { apolloClientVersion: 3, useExplicitTyping: true },
    },
    // urql's Graphcache reads the schema (unions, interfaces) from this introspection.
    'schema/generated/urql-introspection.ts': {
      plugins: ['urql-introspection'],
      config: { module: 'es2015', useTypeImports: true },
    },
  },
};

export default config;
