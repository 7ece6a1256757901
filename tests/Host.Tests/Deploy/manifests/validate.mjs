// Validates every object of a multi-document YAML stream (the output of `kubectl kustomize <overlay>`) on stdin,
// offline, and prints ONE JSON object on stdout:
//   { "objects": N, "kinds": { "apps/v1/Deployment": 1, ... }, "errors": [ { "object", "path", "message" } ] }
// `kinds` counts the objects that passed, by apiVersion/kind; `errors` lists every failure of every object. The exit
// code is 0 when there is no error, 1 when there is any (a stream that does not parse included), 2 when the script
// itself failed.
//
// Kubernetes' own kinds are checked by kubernetes-models' class for their apiVersion/kind (its OpenAPI schema: types,
// required fields, enums; not unknown fields). A kind it has no class for is an error, never a silent pass, unless
// this script has a schema of its own for it: the Gateway API Inference Extension's InferencePool
// (inference.networking.k8s.io/v1), below.

import { parseAllDocuments } from 'yaml';

// The InferencePool as the v1.0.0 CRD (config/crd/bases/inference.networking.k8s.io_inferencepools.yaml, bundle
// version v1.0.0) gives it. v1.0.0 is the strictest v1 release: later ones only loosened it (endpointPickerRef
// optional, up to 8 target ports, an added appProtocol), so what passes here is accepted by every v1.x CRD. Unknown
// fields are errors, as kubectl's strict field validation makes them; status is left out, since its controller
// writes it and a manifest has none.
const dnsSubdomain = '^$|^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$';
const port = {
  type: 'object',
  required: ['number'],
  properties: { number: { type: 'integer', minimum: 1, maximum: 65535 } },
};
const inferencePool = {
  type: 'object',
  required: ['apiVersion', 'kind', 'metadata', 'spec'],
  properties: {
    apiVersion: { type: 'string', enum: ['inference.networking.k8s.io/v1'] },
    kind: { type: 'string', enum: ['InferencePool'] },
    metadata: {
      type: 'object',
      required: ['name'],
      properties: {
        name: { type: 'string', minLength: 1, maxLength: 253, pattern: dnsSubdomain },
        namespace: { type: 'string' },
        labels: { type: 'object', additionalProperties: { type: 'string' } },
        annotations: { type: 'object', additionalProperties: { type: 'string' } },
      },
    },
    spec: {
      type: 'object',
      required: ['endpointPickerRef', 'selector', 'targetPorts'],
      properties: {
        endpointPickerRef: {
          type: 'object',
          required: ['name'],
          properties: {
            failureMode: { type: 'string', enum: ['FailOpen', 'FailClose'] },
            group: { type: 'string', minLength: 0, maxLength: 253, pattern: dnsSubdomain },
            kind: { type: 'string', minLength: 1, maxLength: 63, pattern: '^[a-zA-Z]([-a-zA-Z0-9]*[a-zA-Z0-9])?$' },
            name: { type: 'string', minLength: 1, maxLength: 253 },
            port,
          },
          // x-kubernetes-validations: self.kind != 'Service' || has(self.port), kind defaulting to Service.
          rule: (ref) => ((ref.kind ?? 'Service') !== 'Service' || ref.port !== undefined
            ? null
            : { path: '/port', message: "port is required when kind is 'Service' or unspecified (defaults to 'Service')" }),
        },
        selector: {
          type: 'object',
          required: ['matchLabels'],
          properties: {
            matchLabels: {
              type: 'object',
              additionalProperties: { type: 'string', minLength: 0, maxLength: 63, pattern: '^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$' },
            },
          },
        },
        targetPorts: { type: 'array', minItems: 1, maxItems: 1, items: port },
      },
    },
  },
};

/** The schemas of this script's own, by apiVersion/kind. */
const ownSchemas = new Map([['inference.networking.k8s.io/v1/InferencePool', inferencePool]]);

/** Checks a value against one of the small schemas above; returns [{ path, message }], empty when it passes. */
function check(schema, value, path = '') {
  const at = path || '/';
  const type = Array.isArray(value) ? 'array' : value === null ? 'null' : Number.isInteger(value) ? 'integer' : typeof value;
  if (schema.type !== type && !(schema.type === 'number' && type === 'integer')) {
    return [{ path: at, message: `must be ${schema.type}, not ${type}` }];
  }

  const errors = [];
  if (schema.enum && !schema.enum.includes(value)) {
    errors.push({ path: at, message: `must be one of ${schema.enum.map((item) => JSON.stringify(item)).join(', ')}` });
  }
  if (schema.minimum !== undefined && value < schema.minimum) {
    errors.push({ path: at, message: `must be >= ${schema.minimum}` });
  }
  if (schema.maximum !== undefined && value > schema.maximum) {
    errors.push({ path: at, message: `must be <= ${schema.maximum}` });
  }
  if (schema.minLength !== undefined && value.length < schema.minLength) {
    errors.push({ path: at, message: `must have at least ${schema.minLength} characters` });
  }
  if (schema.maxLength !== undefined && value.length > schema.maxLength) {
    errors.push({ path: at, message: `must have at most ${schema.maxLength} characters` });
  }
  if (schema.pattern !== undefined && !new RegExp(schema.pattern).test(value)) {
    errors.push({ path: at, message: `must match ${schema.pattern}` });
  }
  if (type === 'array') {
    if (schema.minItems !== undefined && value.length < schema.minItems) {
      errors.push({ path: at, message: `must have at least ${schema.minItems} items` });
    }
    if (schema.maxItems !== undefined && value.length > schema.maxItems) {
      errors.push({ path: at, message: `must have at most ${schema.maxItems} items` });
    }
    value.forEach((item, index) => errors.push(...check(schema.items, item, `${path}/${index}`)));
  }
  if (type === 'object') {
    for (const name of schema.required ?? []) {
      if (value[name] === undefined) {
        errors.push({ path: `${path}/${name}`, message: 'is required' });
      }
    }
    for (const [name, item] of Object.entries(value)) {
      const itemSchema = schema.properties?.[name] ?? schema.additionalProperties;
      if (itemSchema === undefined) {
        errors.push({ path: `${path}/${name}`, message: 'is not a field of this kind' });
      } else {
        errors.push(...check(itemSchema, item, `${path}/${name}`));
      }
    }
    const broken = errors.length === 0 && schema.rule ? schema.rule(value) : null;
    if (broken) {
      errors.push({ path: `${path}${broken.path}`, message: broken.message });
    }
  }
  return errors;
}

/** kubernetes-models' class for an apiVersion/kind, or null when it has none. */
async function modelClass(apiVersion, kind) {
  // The core group's apiVersion is "v1" (module kubernetes-models/v1); the others' "group/version".
  let module;
  try {
    module = await import(`kubernetes-models/${apiVersion}`);
  } catch (error) {
    if (error.code === 'ERR_PACKAGE_PATH_NOT_EXPORTED' || error.code === 'ERR_MODULE_NOT_FOUND') {
      return null;
    }
    throw error;
  }
  const model = module[kind];
  return typeof model === 'function' && model.apiVersion === apiVersion && model.kind === kind ? model : null;
}

/** Every failure of one object, as [{ path, message }]. */
async function validate(object) {
  if (object === null || typeof object !== 'object' || Array.isArray(object)) {
    return [{ path: '/', message: 'must be an object' }];
  }
  const { apiVersion, kind } = object;
  if (typeof apiVersion !== 'string' || typeof kind !== 'string') {
    return [{ path: '/', message: 'must have a string apiVersion and kind' }];
  }

  const schema = ownSchemas.get(`${apiVersion}/${kind}`);
  if (schema) {
    return check(schema, object);
  }
  const Model = await modelClass(apiVersion, kind);
  if (!Model) {
    return [{ path: '/', message: `no schema for ${apiVersion}/${kind} (neither kubernetes-models nor validate.mjs has one)` }];
  }
  try {
    new Model(object).validate();
    return [];
  } catch (error) {
    if (!Array.isArray(error.errors)) {
      throw error;
    }
    return error.errors.map((item) => ({ path: item.instancePath || '/', message: item.message }));
  }
}

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) {
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

try {
  const summary = { objects: 0, kinds: {}, errors: [] };
  const documents = parseAllDocuments(await readStdin());
  for (const [index, document] of documents.entries()) {
    if (document.errors.length > 0) {
      summary.errors.push(...document.errors.map((error) => ({ object: `document ${index}`, path: '/', message: error.message })));
      continue;
    }
    const object = document.toJS();
    if (object === null || object === undefined) {
      continue; // An empty document, e.g. after a trailing ---.
    }

    summary.objects += 1;
    const name = `${object?.apiVersion}/${object?.kind}`;
    const errors = await validate(object);
    if (errors.length === 0) {
      summary.kinds[name] = (summary.kinds[name] ?? 0) + 1;
    } else {
      const label = `${name} ${object?.metadata?.name ?? `(document ${index})`}`;
      summary.errors.push(...errors.map((error) => ({ object: label, ...error })));
    }
  }

  process.stdout.write(`${JSON.stringify(summary)}\n`);
  process.exitCode = summary.errors.length === 0 ? 0 : 1;
} catch (error) {
  process.stderr.write(`${error?.stack ?? error}\n`);
  process.exitCode = 2;
}
