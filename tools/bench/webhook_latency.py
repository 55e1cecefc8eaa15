#!/usr/bin/env python3
"""How long a new event waits before its webhook arrives, on an idle `recur serve`.

Usage: tools/bench/webhook_latency.py BUILD/recur PLANS_DIR [ROUNDS]

Starts the server on a temporary database with one webhook endpoint at a receiver on loopback,
then, ROUNDS times after half a second idle, creates a payer (which stores events) and times
from the POST to the first delivery's arrival. Prints the median and p90, and next to them the
POST's own round trip, the part no dispatcher can save (their ratio is the machine-independent
figure: near 1 means the webhook leaves as the request commits)."""
import http.server, json, os, socket, statistics, subprocess, sys, tempfile, threading, time, urllib.request

recur = sys.argv[1]; plans = sys.argv[2]; rounds = int(sys.argv[3]) if len(sys.argv) > 3 else 30
arrived = []; cv = threading.Condition()
class H(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        self.rfile.read(int(self.headers['Content-Length'] or 0))
        with cv: arrived.append(time.monotonic()); cv.notify_all()
        self.send_response(200); self.end_headers()
    def log_message(self, *a): pass
rx = http.server.ThreadingHTTPServer(('127.0.0.1', 0), H)
threading.Thread(target=rx.serve_forever, daemon=True).start()
s = socket.socket(); s.bind(('127.0.0.1', 0)); port = s.getsockname()[1]; s.close()
d = tempfile.mkdtemp()
key = 'sk_test_0123456789abcdefghijklmnopqrstuvwxyzABCD'
env = dict(os.environ, RECUR_SECRET_KEY=key)
p = subprocess.Popen([recur, 'serve', '--db', d + '/r.db', '--plans', plans, '--addr', f'127.0.0.1:{port}',
                      '--webhook-allow-cidr', '127.0.0.1/32'], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
def call(method, path, body):
    req = urllib.request.Request(f'http://127.0.0.1:{port}{path}', data=json.dumps(body).encode(), method=method,
                                 headers={'Authorization': 'Bearer ' + key, 'Content-Type': 'application/json'})
    return json.load(urllib.request.urlopen(req))
for _ in range(100):
    try: urllib.request.urlopen(f'http://127.0.0.1:{port}/healthz'); break
    except Exception: time.sleep(0.1)
call('POST', '/v1/webhook_endpoints', {'url': f'http://127.0.0.1:{rx.server_port}/hook'})
lat = []; posts = []
for i in range(rounds):
    time.sleep(0.5)  # idle between
    with cv: n = len(arrived)
    t0 = time.monotonic()
    call('POST', '/v1/payers', {'external_id': f'user_{i}', 'type': 'user', 'email': f'u{i}@example.com'})
    posts.append((time.monotonic() - t0) * 1000)
    with cv:
        cv.wait_for(lambda: len(arrived) > n, timeout=10)
        lat.append((arrived[n] - t0) * 1000)
    time.sleep(0.3)  # let the payer's other deliveries arrive
p.terminate(); p.wait()
post = statistics.median(posts)
print(f'webhook latency over {rounds} rounds: median {statistics.median(lat):.1f} ms, '
      f'p90 {sorted(lat)[int(len(lat) * 0.9)]:.1f} ms; the POST itself: median {post:.1f} ms; '
      f'ratio {statistics.median(lat) / post:.2f}x')
