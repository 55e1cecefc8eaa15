#!/usr/bin/env python3
"""A demo application for Recur's browser components (docs/components.md), run by tools/demo.sh.

Its backend does what a team's backend does: it signs a user in (here, any email, kept in a
cookie), creates the user's Recur payer once, and mints a payer session for every page it
renders. The page loads the components from Recur and hands them the session. The secret key
stays here. Standard library only.

Usage: RECUR_URL=http://127.0.0.1:8080 RECUR_SECRET_KEY=sk_... app.py PORT
"""
import html
import json
import os
import secrets
import sys
import urllib.error
import urllib.parse
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

RECUR = os.environ["RECUR_URL"]
KEY = os.environ["RECUR_SECRET_KEY"]
signed_in = {}  # cookie value -> Recur payer id
payers = {}  # email -> Recur payer id: the demo's user table


def recur(method, path, body=None):
    """Calls Recur with the secret key; answers the JSON, or raises with Recur's error."""
    request = urllib.request.Request(
        RECUR + path, method=method, data=json.dumps(body or {}).encode(),
        headers={"Authorization": "Bearer " + KEY, "Content-Type": "application/json"})
    try:
        with urllib.request.urlopen(request) as answer:
            return json.load(answer)
    except urllib.error.HTTPError as error:
        raise RuntimeError(error.read().decode()) from None


def payer_for(email):
    """The Recur payer of a user, made on first sign-in (a real app keeps the id with its user)."""
    if email not in payers:
        payers[email] = recur("POST", "/v1/payers", {"external_id": email, "type": "user", "email": email})["id"]
    return payers[email]


PAGE = """<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width">
<title>Recur demo</title>
<script src="{recur}/v1/assets/recur.js"></script>
<style>body {{ font-family: system-ui, sans-serif; max-width: 72em; margin: 2em auto; padding: 0 1em; }}
recur-subscription {{ max-width: 30em; margin: 2em 0; }}</style></head>
<body><header><h1>Recur demo</h1>{account}</header><main>{body}</main>
<script>
for (const type of ["recur:subscribed", "recur:canceled", "recur:select", "recur:error"])
  document.addEventListener(type, (event) => console.log(type, event.detail));
document.addEventListener("recur:select", () => document.querySelector("input[name=email]").focus());
</script></body></html>"""

SIGN_IN = """<form method="post" action="/sign-in"><label>Email
<input name="email" type="email" required value="ada@example.com"></label>
<button>Sign in</button></form>"""


class Handler(BaseHTTPRequestHandler):
    def payer(self):
        for part in self.headers.get("Cookie", "").split(";"):
            name, _, value = part.strip().partition("=")
            if name == "demo" and value in signed_in:
                return signed_in[value]
        return None

    def do_GET(self):
        if self.path != "/":
            self.send_error(404)
            return
        payer = self.payer()
        if payer:
            # The one call a page needs from the backend: a session for the signed-in payer.
            session = recur("POST", f"/v1/payers/{payer}/sessions", {"ttl_seconds": 3600})["token"]
            token = html.escape(session, quote=True)
            body = (f'<recur-subscription session="{token}"></recur-subscription>'
                    f'<recur-pricing-table session="{token}"></recur-pricing-table>')
            account = '<form method="post" action="/sign-out"><button>Sign out</button></form>'
        else:
            body = '<recur-pricing-table payer-type="user"></recur-pricing-table>'
            account = SIGN_IN
        self.answer(200, PAGE.format(recur=RECUR, account=account, body=body))

    def do_POST(self):
        length = int(self.headers.get("Content-Length", 0))
        form = urllib.parse.parse_qs(self.rfile.read(length).decode())
        cookie = "demo=; Max-Age=0"
        if self.path == "/sign-in" and form.get("email"):
            value = secrets.token_urlsafe(16)
            signed_in[value] = payer_for(form["email"][0])
            cookie = f"demo={value}; HttpOnly; SameSite=Lax"
        self.send_response(303)
        self.send_header("Location", "/")
        self.send_header("Set-Cookie", cookie)
        self.end_headers()

    def answer(self, status, text):
        data = text.encode()
        self.send_response(status)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)


if __name__ == "__main__":
    ThreadingHTTPServer(("127.0.0.1", int(sys.argv[1])), Handler).serve_forever()
