// Renders conversations with a Hugging Face chat template, as transformers' apply_chat_template does, and prints the
// texts: the reference Ember's chat templates are tested against (tests/Models.Tests/Chat/OfficialChatTemplateTests.cs).
//
// stdin, one JSON object:
//   { "template": "...", "bos_token": "<s>", "eos_token": "</s>",
//     "semantics": "python" | "javascript",        (optional, default "python"; see below)
//     "cases": [ { "messages": [ { "role", "content" } ], "continue_final_message": false } ] }
// stdout, one JSON object, a result per case in order:
//   { "results": [ { "text": "..." } | { "error": "..." } ] }
// `error` is the message of what the template raised (raise_exception) or of the continue_final_message cut's own
// failure. The exit code is 0 when every case has a result (errors included), 2 when the script itself failed.
//
// The template runs in @huggingface/jinja, with transformers' environment: trim_blocks and lstrip_blocks (the library
// always sets both), bos_token and eos_token, add_generation_prompt false, and raise_exception throwing its message
// (a global the library declares itself, as `(message) => { throw new Error(message); }`, and refuses to redeclare).
//
// Python is the reference: transformers runs the template in Python's Jinja2. @huggingface/jinja differs from it in
// two ways that matter to these templates, and with "semantics": "python" (the default) the script renders as Python:
// - str.strip()/lstrip()/rstrip() are JavaScript's trim(), trimStart(), trimEnd(), which strip another set of
//   characters: JavaScript also strips U+FEFF, Python also strips U+001C-U+001F and U+0085. Here those three
//   methods strip Python's set while the template renders.
// - == and != are JavaScript's loose equality (left.value == right.value): '' == false, ' \n ' == false and
//   '0' == false are true, so Llama 2's `system_message != false` drops the <<SYS>> block of an empty, white space
//   or "0" system message, which Python keeps. Here == and != compare as Python does: numbers and booleans by value
//   (True == 1), anything else by type and value (lists and dicts item by item).
// "semantics": "javascript" renders with the library as it is, to show those differences.

// continue_final_message follows transformers (utils/chat_template_utils.py, render_jinja_template): render the whole
// conversation, then cut the text right after the last occurrence of the final message's content, stripped (keeping
// its trailing white space where the template kept it there too).

import { Environment, Interpreter, Template } from '@huggingface/jinja';

// Python's str.isspace() characters: what str.strip() with no argument removes (Python 3, any Unicode version since 6.3).
const PYTHON_WHITESPACE = new Set([
  0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x1c, 0x1d, 0x1e, 0x1f, 0x20, 0x85, 0xa0, 0x1680,
  0x2000, 0x2001, 0x2002, 0x2003, 0x2004, 0x2005, 0x2006, 0x2007, 0x2008, 0x2009, 0x200a,
  0x2028, 0x2029, 0x202f, 0x205f, 0x3000,
]);

function isPythonSpace(text, index) {
  return PYTHON_WHITESPACE.has(text.charCodeAt(index));
}

function pyLstrip(text) {
  let start = 0;
  while (start < text.length && isPythonSpace(text, start)) start++;
  return text.slice(start);
}

function pyRstrip(text) {
  let end = text.length;
  while (end > 0 && isPythonSpace(text, end - 1)) end--;
  return text.slice(0, end);
}

function pyStrip(text) {
  return pyRstrip(pyLstrip(text));
}

// Python's == between two runtime values of @huggingface/jinja.
const NUMBERS = new Set(['IntegerValue', 'FloatValue', 'BooleanValue']);
function pythonEquals(left, right) {
  if (NUMBERS.has(left.type) && NUMBERS.has(right.type)) {
    return Number(left.value) === Number(right.value);
  }

  if (left.type !== right.type) {
    return false;
  }

  if (left.type === 'ArrayValue' || left.type === 'TupleValue') {
    return left.value.length === right.value.length && left.value.every((item, i) => pythonEquals(item, right.value[i]));
  }

  if (left.type === 'ObjectValue') {
    return left.value.size === right.value.size
      && [...left.value].every(([key, item]) => right.value.has(key) && pythonEquals(item, right.value.get(key)));
  }

  return left.value === right.value;
}

// The library's BooleanValue class (not exported): Environment.set returns the runtime value it made.
const BooleanValue = new Environment().set('probe', true).constructor;

// Runs `action` with the library's strip() and == / != as Python's (see above).
function withPythonSemantics(action) {
  const saved = [String.prototype.trim, String.prototype.trimStart, String.prototype.trimEnd];
  const binary = Interpreter.prototype.evaluateBinaryExpression;
  String.prototype.trim = function trim() { return pyStrip(String(this)); };
  String.prototype.trimStart = function trimStart() { return pyLstrip(String(this)); };
  String.prototype.trimEnd = function trimEnd() { return pyRstrip(String(this)); };
  Interpreter.prototype.evaluateBinaryExpression = function evaluateBinaryExpression(node, environment) {
    const operator = node.operator.value;
    if (operator !== '==' && operator !== '!=') {
      return binary.call(this, node, environment);
    }

    const equal = pythonEquals(this.evaluate(node.left, environment), this.evaluate(node.right, environment));
    return new BooleanValue(operator === '==' ? equal : !equal);
  };
  try {
    return action();
  } finally {
    [String.prototype.trim, String.prototype.trimStart, String.prototype.trimEnd] = saved;
    Interpreter.prototype.evaluateBinaryExpression = binary;
  }
}

// transformers' continue_final_message cut, on the rendered text (Python's strip: it runs in Python).
function continueFinalMessage(rendered, messages) {
  const final = messages[messages.length - 1].content;
  const stripped = pyStrip(final);
  if (!rendered.includes(stripped)) {
    throw new Error('continue_final_message is set but the final message does not appear in the chat after applying the chat template!');
  }

  const location = rendered.lastIndexOf(stripped);
  const leftStripped = pyLstrip(final);
  if (rendered.slice(location, location + leftStripped.length) === final) {
    // The template keeps the message's spacing, or the message has no trailing spacing.
    return rendered.slice(0, location + leftStripped.length);
  }

  // The template trimmed the message's trailing spacing.
  return rendered.slice(0, location + stripped.length);
}

function renderCase(template, input, item) {
  const render = () => template.render({
    messages: item.messages,
    bos_token: input.bos_token,
    eos_token: input.eos_token,
    add_generation_prompt: false,
  });
  try {
    const rendered = (input.semantics ?? 'python') === 'python' ? withPythonSemantics(render) : render();
    return { text: item.continue_final_message ? continueFinalMessage(rendered, item.messages) : rendered };
  } catch (error) {
    return { error: error instanceof Error ? error.message : String(error) };
  }
}

async function readStdin() {
  const chunks = [];
  for await (const chunk of process.stdin) chunks.push(chunk);
  return Buffer.concat(chunks).toString('utf8');
}

try {
  const input = JSON.parse(await readStdin());
  if (!['python', 'javascript'].includes(input.semantics ?? 'python')) {
    throw new Error(`semantics must be "python" or "javascript", not ${JSON.stringify(input.semantics)}`);
  }

  const template = new Template(input.template);
  const results = input.cases.map((item) => renderCase(template, input, item));
  process.stdout.write(JSON.stringify({ results }));
} catch (error) {
  process.stderr.write(`render.mjs failed: ${error instanceof Error ? error.stack : String(error)}\n`);
  process.exit(2);
}
