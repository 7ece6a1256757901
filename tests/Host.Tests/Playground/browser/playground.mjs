// Drives Ember's playground page in a real chromium (Debian's, through playwright-core) and prints what the user
// saw as one JSON object; PlaygroundBrowserTests asserts on it. Inputs (environment):
//   EMBER_BASE_URL     the host's root address
//   EMBER_SCENARIO     chat | stop | escape | login
//   EMBER_TOKEN        the token to sign in with, when the host has one
//   EMBER_PROMPT       the message to send (chat, stop, escape)
//   EMBER_MAX_TOKENS   the max tokens to set (chat)
//   EMBER_SYSTEM       the system prompt to set (chat; optional)
//   EMBER_SCREENSHOT   where to save a screenshot of the page at the end (optional)
//   EMBER_CHROMIUM     the browser executable (default /usr/bin/chromium)
// Any failure exits with 1 and its message on standard error.
import { chromium } from 'playwright-core';

const env = name => {
  const value = process.env[name];
  if (value === undefined || value === '') {
    throw new Error(`${name} is not set`);
  }
  return value;
};

const base = env('EMBER_BASE_URL');
const scenario = env('EMBER_SCENARIO');
const token = process.env.EMBER_TOKEN ?? '';
const screenshot = process.env.EMBER_SCREENSHOT ?? '';
const timeout = 30_000;

const browser = await chromium.launch({
  executablePath: process.env.EMBER_CHROMIUM || '/usr/bin/chromium',
  args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
});

function watch(page, log) {
  page.on('console', message => {
    if (message.type() === 'error') {
      log.push(message.text());
    }
  });
  page.on('pageerror', error => log.push(`pageerror: ${error.message}`));
}

async function open(context, consoleErrors) {
  const page = await context.newPage();
  page.setDefaultTimeout(timeout);
  watch(page, consoleErrors);
  await page.setViewportSize({ width: 1280, height: 800 });
  await page.goto(base);
  return page;
}

async function signIn(page) {
  if (token !== '') {
    await page.locator('#login').waitFor({ state: 'visible' });
    await page.fill('#token', token);
    await page.click('#login-submit');
  }
  await page.locator('#app').waitFor({ state: 'visible' });
  await page.waitForFunction(() => document.querySelector('#model').options.length > 0);
}

async function models(page) {
  return page.$$eval('#model option', options => options.map(o => ({ text: o.textContent, disabled: o.disabled, selected: o.selected })));
}

// Records every length the reply's text took, to tell a streamed reply from one that arrived whole.
async function recordReplyLengths(page) {
  await page.evaluate(() => {
    window.__lengths = [];
    new MutationObserver(() => {
      const text = document.querySelector('.message.assistant .text');
      if (text && window.__lengths[window.__lengths.length - 1] !== text.textContent.length) {
        window.__lengths.push(text.textContent.length);
      }
    }).observe(document.querySelector('#messages'), { subtree: true, childList: true, characterData: true });
  });
}

async function sendMessage(page, text) {
  await page.fill('#prompt', text);
  await page.press('#prompt', 'Enter');
}

async function transcript(page) {
  return page.$$eval('#messages .message', items => items.map(item => ({
    role: item.classList.contains('user') ? 'user' : 'assistant',
    classes: [...item.classList].filter(c => c !== 'message' && c !== 'user' && c !== 'assistant').sort(),
    text: item.querySelector('.text').textContent,
    meta: item.querySelector('.meta')?.textContent ?? null,
  })));
}

const consoleErrors = [];
let result;
try {
  const context = await browser.newContext();
  const page = await open(context, consoleErrors);

  if (scenario === 'chat') {
    await signIn(page);
    const seenModels = await models(page);
    await page.$eval('#temperature', input => {
      input.value = '0';
      input.dispatchEvent(new Event('input', { bubbles: true }));
    });
    await page.fill('#max-tokens', env('EMBER_MAX_TOKENS'));
    await page.fill('#system', process.env.EMBER_SYSTEM ?? '');
    await recordReplyLengths(page);
    await sendMessage(page, env('EMBER_PROMPT'));
    await page.locator('.message.assistant.done').waitFor();
    const lengths = await page.evaluate(() => window.__lengths);
    // The live view refreshes every 2 s: wait for a sample that saw the reply's tokens.
    await page.waitForFunction(() => Number(document.querySelector('#live-rate').textContent) > 0, null, { timeout: 10_000 });
    result = {
      models: seenModels,
      messages: await transcript(page),
      lengths,
      temperature: await page.textContent('#temperature-value'),
      liveRate: await page.textContent('#live-rate'),
      liveQueued: await page.textContent('#live-queued'),
      liveRunning: await page.textContent('#live-running'),
      status: await page.textContent('#status'),
    };
  } else if (scenario === 'stop') {
    await signIn(page);
    await sendMessage(page, env('EMBER_PROMPT'));
    await page.waitForFunction(() => document.querySelector('.message.assistant .text')?.textContent.length > 0);
    const whileStreaming = {
      sendDisabled: await page.isDisabled('#send'),
      stopDisabled: await page.isDisabled('#stop'),
      classes: await page.$eval('.message.assistant', item => [...item.classList].sort()),
    };
    await page.click('#stop');
    await page.locator('.message.assistant.stopped').waitFor();
    result = {
      whileStreaming,
      messages: await transcript(page),
      sendDisabled: await page.isDisabled('#send'),
      stopDisabled: await page.isDisabled('#stop'),
    };
  } else if (scenario === 'escape') {
    await signIn(page);
    await sendMessage(page, env('EMBER_PROMPT'));
    await page.locator('.message.assistant.done').waitFor();
    result = {
      messages: await transcript(page),
      pwned: await page.evaluate(() => window.__pwned ?? null),
      elementsInMessages: await page.$$eval('#messages script, #messages img, #messages b', found => found.length),
    };
  } else if (scenario === 'login') {
    await page.locator('#login').waitFor({ state: 'visible' });
    const first = {
      appHidden: await page.isHidden('#app'),
      status: await page.textContent('#status'),
      heading: await page.textContent('#login h2'),
    };
    if (screenshot !== '') {
      await page.screenshot({ path: screenshot.replace(/\.png$/, '-login.png') });
    }
    await page.fill('#token', 'not-the-token');
    await page.click('#login-submit');
    await page.waitForFunction(() => document.querySelector('#login-error').textContent.length > 0);
    const refused = {
      error: await page.textContent('#login-error'),
      appHidden: await page.isHidden('#app'),
    };
    await page.fill('#token', token);
    await page.click('#login-submit');
    await page.locator('#app').waitFor({ state: 'visible' });
    const signedIn = {
      loginHidden: await page.isHidden('#login'),
      models: await models(page),
      sessionToken: await page.evaluate(() => sessionStorage.getItem('ember.token')),
      localStorageKeys: await page.evaluate(() => localStorage.length),
    };
    await page.reload();
    await page.locator('#app').waitFor({ state: 'visible' });
    const reloaded = { loginHidden: await page.isHidden('#login') };
    const otherTab = await open(await browser.newContext(), consoleErrors);
    await otherTab.locator('#login').waitFor({ state: 'visible' });
    const newSession = { appHidden: await otherTab.isHidden('#app') };
    result = { first, refused, signedIn, reloaded, newSession };
  } else {
    throw new Error(`unknown EMBER_SCENARIO ${scenario}`);
  }

  if (screenshot !== '' && scenario !== 'login') {
    await page.screenshot({ path: screenshot });
  }
  result.consoleErrors = consoleErrors;
  process.stdout.write(JSON.stringify(result));
} finally {
  await browser.close();
}
