// graphql-codegen's client preset over the committed SDL: typed documents in src/gql/,
// and src/gql/persisted-documents.json, the manifest CATALOG_TRUSTED_DOCUMENTS_FILE loads.
import type { CodegenConfig } from '@graphql-codegen/cli';

const config: CodegenConfig = {
  schema: '../../graphql_schema/schema.graphql',
  documents: ['src/**/*.ts', '!src/gql/**/*'],
  ignoreNoDocuments: false,
  emitLegacyCommonJSImports: false, // relative imports end in .js, as NodeNext wants
  generates: {
    'src/gql/': {
      preset: 'client',
      presetConfig: {
        // Each document carries `__meta__.hash` ("sha256:<hex>", the documentId the client
        // sends); the manifest maps each hash to its text.
        persistedDocuments: { hashAlgorithm: 'sha256' },
        fragmentMasking: false,
      },
      config: {
        enumsAsTypes: true,
        useTypeImports: true,
        scalars: { Date: 'string', DateTime: 'string', JSON: 'unknown' },
      },
    },
  },
};

export default config;
