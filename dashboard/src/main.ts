// The operator dashboard: asks for the operator token (kept in sessionStorage: this tab only),
// follows the server's event stream with it and renders each frame.
import { followEvents } from './event-stream';
import { parseFrame, rates, type Frame } from './frame';
import { View } from './view';

const TOKEN_KEY = 'circlecdn-operator-token';
const EVENTS = '/.circlecdn/dashboard/events';

const $ = (id: string): HTMLElement => document.getElementById(id)!;

function askToken(message = ''): void {
  $('board').classList.add('hidden');
  $('login').classList.remove('hidden');
  $('login-error').textContent = message;
}

let stop: AbortController | undefined;

function open(token: string): void {
  stop?.abort();
  stop = new AbortController();
  $('login').classList.add('hidden');
  $('board').classList.remove('hidden');
  const view = new View();
  let prev: Frame | null = null;
  void followEvents(EVENTS, token, {
    frame: (text) => {
      const f = parseFrame(text);
      if (!f) return;
      view.render(f, prev ? rates(prev, f) : null);
      prev = f;
    },
    state: (text, ok) => {
      $('state').textContent = text;
      $('state').classList.toggle('down', !ok);
    },
    refused: (status) => {
      sessionStorage.removeItem(TOKEN_KEY);
      askToken(status === 401 ? 'The server refused this token.' : 'This server has no operator token configured.');
    },
  }, stop.signal);
}

$('login').addEventListener('submit', (e) => {
  e.preventDefault();
  const token = ($('token') as HTMLInputElement).value.trim();
  sessionStorage.setItem(TOKEN_KEY, token);
  open(token);
});
$('logout').addEventListener('click', () => {
  stop?.abort();
  sessionStorage.removeItem(TOKEN_KEY);
  askToken();
});

const saved = sessionStorage.getItem(TOKEN_KEY);
if (saved) open(saved);
else askToken();
