"""What the outbox fault scripts share: a local SMTP relay that notes when it answered
250 to each message, a relay that accepts connections and never answers, a server to
start, a person asking for a sign-in link, and SQL on either backend. Needs Debian's
python3-aiosmtpd; the scripts import it from their own directory."""

import http.cookiejar
import os
import re
import socket
import sqlite3
import subprocess
import threading
import time
import urllib.parse
import urllib.request

from aiosmtpd.controller import Controller

from faultlib import psql


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Relay:
    """aiosmtpd on 127.0.0.1:`port`; `received` is a list of (time of the 250, recipients)."""

    def __init__(self, port):
        self.received = []
        self.lock = threading.Lock()
        relay = self

        class Handler:
            async def handle_DATA(self, server, session, envelope):
                with relay.lock:
                    relay.received.append((time.monotonic(), list(envelope.rcpt_tos)))
                return "250 Message accepted for delivery"

        for attempt in range(50):
            self.controller = Controller(Handler(), hostname="127.0.0.1", port=port)
            try:
                self.controller.start()
                return
            except OSError:
                # The port is still being let go of (a relay that hung was just stopped).
                time.sleep(0.1)
        raise SystemExit(f"cannot start the relay on port {port}")

    def times_to(self, address):
        with self.lock:
            return [t for t, rcpts in self.received if address in rcpts]

    def count(self):
        with self.lock:
            return len(self.received)

    def stop(self):
        self.controller.stop()


class HungRelay:
    """Listens on `port`, accepts every connection and never says a word, until stopped."""

    def __init__(self, port):
        self.sock = socket.socket()
        self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.sock.bind(("127.0.0.1", port))
        self.sock.listen(1024)
        self.held = []
        self.accepted = 0
        self.running = True
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while self.running:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                return
            self.accepted += 1
            self.held.append(conn)

    def stop(self):
        self.running = False
        # shutdown() wakes the thread blocked in accept(); close() alone does not.
        try:
            self.sock.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self.sock.close()
        for c in self.held:
            c.close()


class Database:
    """SQL on the server's database: SQLite (a file) or PostgreSQL (through psql)."""

    def __init__(self, pg_url, sqlite_path):
        self.pg_url, self.sqlite_path = pg_url, sqlite_path

    def url(self):
        return self.pg_url or f"sqlite://{self.sqlite_path}?mode=rwc"

    def scalar(self, sql):
        if self.pg_url:
            out = psql(self.pg_url, sql)
            return int(out[0]) if out else 0
        with sqlite3.connect(self.sqlite_path, timeout=30) as db:
            return db.execute(sql).fetchone()[0] or 0

    def run(self, sql):
        if self.pg_url:
            psql(self.pg_url, sql)
            return
        with sqlite3.connect(self.sqlite_path, timeout=30) as db:
            db.executescript(sql)


def start_server(binary, env, base, log_path):
    log = open(log_path, "ab")
    proc = subprocess.Popen([binary, "serve"], env=env, stdout=log, stderr=log)
    for _ in range(400):
        try:
            urllib.request.urlopen(base + "/healthz", timeout=1)
            return proc
        except Exception:
            if proc.poll() is not None:
                raise SystemExit(f"the server exited; see {log_path}")
            time.sleep(0.05)
    proc.kill()
    raise SystemExit(f"the server did not start; see {log_path}")


def request_sign_in(base, email, forwarded_for):
    """What a person does on /signin, from address `forwarded_for` (the server trusts
    127.0.0.1 as a proxy, so each request counts against its own address)."""
    jar = http.cookiejar.CookieJar()
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
    headers = {"X-Forwarded-For": forwarded_for}
    page = opener.open(urllib.request.Request(base + "/signin", headers=headers), timeout=10)
    csrf = re.search(r'name="csrf" value="([^"]+)"', page.read().decode()).group(1)
    form = urllib.parse.urlencode({"csrf": csrf, "email": email}).encode()
    res = opener.open(urllib.request.Request(base + "/signin", data=form, headers=headers), timeout=10)
    if res.status != 200:
        raise SystemExit(f"sign-in request for {email} answered {res.status}")


def server_env(database, port, relay_port, work, **extra):
    base = f"http://127.0.0.1:{port}"
    env = dict(
        os.environ,
        SWITCHYARD_DATABASE_URL=database.url(),
        SWITCHYARD_BIND=f"127.0.0.1:{port}",
        SWITCHYARD_BASE_URL=base,
        SWITCHYARD_SMTP_HOST="127.0.0.1",
        SWITCHYARD_SMTP_PORT=str(relay_port),
        SWITCHYARD_SMTP_TLS="none",
        SWITCHYARD_TRUSTED_PROXIES="127.0.0.1",
        SWITCHYARD_HEALTH_CHECK_ALLOW_PRIVATE="true",
        SWITCHYARD_MAINTENANCE_MINUTES="0",
        RUST_LOG="info,sqlx=warn",
    )
    env.update(extra)
    return base, env


def add_admins(database, prefix, n):
    """`n` stores whose admins may ask for sign-in links: prefix{i}@fault.example."""
    now = int(time.time())
    rows = ",".join(
        f"('{prefix}{i}', 'Fault store {i}', 'KPM', '{prefix}{i}@fault.example', 'SE', 'woocommerce', "
        f"'https://fault{i}.example', {now})" for i in range(n))
    database.run("INSERT INTO stores (legacy_store_id, name, product, admin_email, countries, platform, "
                 f"store_url, created_at) VALUES {rows};")


def percentile(values, p):
    """Nearest-rank percentile."""
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * p // 100))
    return ordered[int(rank) - 1]
