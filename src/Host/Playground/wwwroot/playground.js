// Ember's playground: a chat over the host's own OpenAI-compatible streaming endpoint, a model picker from
// models/search, and a live view of /stats. Everything the model or the server says is rendered with textContent,
// never as HTML. With Auth:Tokens set, the token asked for is kept in sessionStorage (this tab only).

const ACCOUNT = 'playground';
const TOKEN_KEY = 'ember.token';
const STATS_EVERY_MS = 2000;

const $ = id => document.getElementById(id);
const api = path => `/client/v4/accounts/${ACCOUNT}/ai${path}`;

const state = {
  token: sessionStorage.getItem(TOKEN_KEY),
  history: [],
  controller: null,
  statsTimer: null,
};

class Unauthorized extends Error {}

function headers() {
  const result = { 'Content-Type': 'application/json' };
  if (state.token) {
    result.Authorization = `Bearer ${state.token}`;
  }
  return result;
}

async function call(path, init = {}) {
  const response = await fetch(path, { ...init, headers: headers() });
  if (response.status === 401) {
    throw new Unauthorized();
  }
  return response;
}

function setStatus(text, isError = false) {
  const status = $('status');
  status.textContent = text;
  status.classList.toggle('error', isError);
}

function showLogin(message) {
  clearInterval(state.statsTimer);
  state.statsTimer = null;
  $('app').hidden = true;
  $('login').hidden = false;
  $('login-error').textContent = message;
  setStatus('Sign in to use this server.');
  $('token').focus();
}

// The message text of an error body in either API's shape: Workers AI's errors[] or OpenAI's error.
function errorMessage(body, fallback) {
  if (body && Array.isArray(body.errors) && body.errors.length > 0) {
    return body.errors[0].message;
  }
  if (body && body.error && typeof body.error.message === 'string') {
    return body.error.message;
  }
  return fallback;
}

async function loadModels() {
  let response;
  try {
    response = await call(api('/models/search?task=Text%20Generation&per_page=100'));
  } catch (error) {
    if (error instanceof Unauthorized) {
      showLogin(state.token ? 'That token was not accepted.' : '');
      return;
    }
    setStatus(`Cannot reach the server: ${error.message}`, true);
    return;
  }
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    setStatus(errorMessage(body, `models/search answered ${response.status}`), true);
    return;
  }

  const select = $('model');
  select.replaceChildren();
  let installed = 0;
  const isInstalled = model => model.properties.some(p => p.property_id === 'installed' && p.value === 'true');
  const served = body.result.filter(isInstalled).concat(body.result.filter(model => !isInstalled(model)));
  for (const model of served) {
    const installedHere = isInstalled(model);
    const option = document.createElement('option');
    option.value = model.name;
    option.textContent = installedHere ? model.name : `${model.name} (not installed)`;
    option.disabled = !installedHere;
    select.append(option);
    if (installedHere && installed++ === 0) {
      option.selected = true;
    }
  }

  $('login').hidden = true;
  $('app').hidden = false;
  if (installed === 0) {
    setStatus('No model is installed on this server.', true);
  } else {
    setStatus(`${installed} model${installed === 1 ? '' : 's'} ready.`);
  }
  startStats();
  $('prompt').focus();
}

function addMessage(role, text) {
  const item = document.createElement('li');
  item.className = `message ${role}`;
  const paragraph = document.createElement('p');
  paragraph.className = 'text';
  paragraph.textContent = text;
  item.append(paragraph);
  if (role === 'assistant') {
    const meta = document.createElement('div');
    meta.className = 'meta';
    item.append(meta);
  }
  $('messages').append(item);
  item.scrollIntoView({ block: 'end' });
  return item;
}

function setBusy(busy) {
  $('send').disabled = busy;
  $('stop').disabled = !busy;
  $('model').disabled = busy;
}

// Reads an SSE body, calling onData with each event's data (the text after "data: ").
async function readEvents(response, onData) {
  const reader = response.body.getReader();
  const decoder = new TextDecoder();
  let buffer = '';
  for (;;) {
    const { value, done } = await reader.read();
    if (done) {
      return;
    }
    buffer += decoder.decode(value, { stream: true });
    let end;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const event = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      for (const line of event.split('\n')) {
        if (line.startsWith('data: ')) {
          onData(line.slice(6));
        }
      }
    }
  }
}

function describe(reply) {
  const parts = [];
  if (reply.firstAt !== null) {
    parts.push(`TTFT ${Math.round(reply.firstAt - reply.sentAt)} ms`);
  }
  parts.push(`${reply.tokens} token${reply.tokens === 1 ? '' : 's'}`);
  const seconds = (reply.endAt - reply.sentAt) / 1000;
  if (reply.tokens > 0 && seconds > 0) {
    parts.push(`${(reply.tokens / seconds).toFixed(1)} tok/s`);
  }
  if (reply.outcome) {
    parts.push(reply.outcome);
  }
  return parts.join(' · ');
}

async function send() {
  const text = $('prompt').value.trim();
  if (text.length === 0 || state.controller !== null) {
    return;
  }
  $('prompt').value = '';
  state.history.push({ role: 'user', content: text });
  addMessage('user', text);
  const item = addMessage('assistant', '');
  const textNode = item.querySelector('.text');
  const meta = item.querySelector('.meta');
  item.classList.add('streaming');

  const messages = [];
  const system = $('system').value.trim();
  if (system.length > 0) {
    messages.push({ role: 'system', content: system });
  }
  messages.push(...state.history);
  const body = {
    model: $('model').value,
    messages,
    stream: true,
    stream_options: { include_usage: true },
    temperature: Number($('temperature').value),
    max_tokens: Number($('max-tokens').value),
  };

  state.controller = new AbortController();
  setBusy(true);
  const reply = { sentAt: performance.now(), firstAt: null, endAt: 0, tokens: 0, outcome: '', text: '' };
  let failure = null;
  let pieces = 0;
  try {
    const response = await fetch(api('/v1/chat/completions'), {
      method: 'POST', headers: headers(), body: JSON.stringify(body), signal: state.controller.signal,
    });
    if (response.status === 401) {
      throw new Unauthorized();
    }
    if (!response.ok) {
      failure = errorMessage(await response.json().catch(() => null), `The server answered ${response.status}.`);
    } else {
      let usage = null;
      await readEvents(response, data => {
        if (data === '[DONE]') {
          return;
        }
        const chunk = JSON.parse(data);
        if (chunk.error) {
          failure = errorMessage(chunk, 'The reply failed.');
          return;
        }
        if (chunk.usage) {
          usage = chunk.usage;
        }
        const choice = chunk.choices && chunk.choices[0];
        if (!choice) {
          return;
        }
        if (choice.delta && choice.delta.content) {
          if (reply.firstAt === null) {
            reply.firstAt = performance.now();
          }
          pieces++;
          reply.text += choice.delta.content;
          textNode.textContent = reply.text;
          meta.textContent = `${pieces} token${pieces === 1 ? '' : 's'}…`;
        }
        if (choice.finish_reason) {
          reply.outcome = choice.finish_reason === 'length' ? 'stopped at max tokens' : '';
        }
      });
      reply.tokens = usage ? usage.completion_tokens : pieces;
    }
  } catch (error) {
    if (error instanceof Unauthorized) {
      state.history.pop();
      item.remove();
      state.controller = null;
      setBusy(false);
      showLogin('The server asked for a token again.');
      return;
    }
    if (error.name === 'AbortError') {
      reply.outcome = 'stopped';
      reply.tokens = pieces;
    } else {
      failure = `Cannot reach the server: ${error.message}`;
    }
  } finally {
    reply.endAt = performance.now();
    state.controller = null;
    setBusy(false);
    item.classList.remove('streaming');
  }

  if (failure !== null) {
    item.classList.add('failed');
    textNode.textContent = reply.text.length > 0 ? `${reply.text}\n${failure}` : failure;
    meta.textContent = 'failed';
    state.history.pop();
    return;
  }
  meta.textContent = describe(reply);
  item.classList.add(reply.outcome === 'stopped' ? 'stopped' : 'done');
  state.history.push({ role: 'assistant', content: reply.text });
}

function drawChart(samples) {
  const canvas = $('live-chart');
  const context = canvas.getContext('2d');
  const { width, height } = canvas;
  context.clearRect(0, 0, width, height);
  if (samples.length < 2) {
    return;
  }
  const series = [
    { values: samples.map(s => s.tokens_per_second), color: '#e8590c' },
    { values: samples.map(s => s.queued + s.running), color: '#1971c2' },
  ];
  for (const { values, color } of series) {
    const top = Math.max(1, ...values);
    context.strokeStyle = color;
    context.lineWidth = 1.5;
    context.beginPath();
    values.forEach((value, i) => {
      const x = (i / (values.length - 1)) * (width - 2) + 1;
      const y = height - 2 - (value / top) * (height - 6);
      if (i === 0) {
        context.moveTo(x, y);
      } else {
        context.lineTo(x, y);
      }
    });
    context.stroke();
  }
}

async function refreshStats() {
  try {
    const response = await call('/stats');
    if (!response.ok) {
      return;
    }
    const report = await response.json();
    const last = report.samples[report.samples.length - 1];
    if (last) {
      $('live-rate').textContent = last.tokens_per_second.toFixed(1);
      $('live-queued').textContent = String(last.queued);
      $('live-running').textContent = String(last.running);
    }
    drawChart(report.samples);
  } catch (error) {
    if (error instanceof Unauthorized) {
      showLogin('The server asked for a token again.');
    }
  }
}

function startStats() {
  if (state.statsTimer === null) {
    refreshStats();
    state.statsTimer = setInterval(refreshStats, STATS_EVERY_MS);
  }
}

$('login').addEventListener('submit', event => {
  event.preventDefault();
  state.token = $('token').value.trim();
  sessionStorage.setItem(TOKEN_KEY, state.token);
  $('token').value = '';
  loadModels();
});
$('composer').addEventListener('submit', event => {
  event.preventDefault();
  send();
});
$('prompt').addEventListener('keydown', event => {
  if (event.key === 'Enter' && !event.shiftKey) {
    event.preventDefault();
    send();
  }
});
$('stop').addEventListener('click', () => state.controller && state.controller.abort());
$('clear').addEventListener('click', () => {
  if (state.controller === null) {
    state.history = [];
    $('messages').replaceChildren();
  }
});
$('temperature').addEventListener('input', () => {
  $('temperature-value').textContent = $('temperature').value;
});

loadModels();
