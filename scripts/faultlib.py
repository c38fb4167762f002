"""What the fault scripts share: signed platform events and the psql client.
Standard library only; the scripts import it from their own directory."""

import hashlib
import hmac
import json
import subprocess
import time
import urllib.request


def signed_event(base, secret, event_id, error_code, agent, order=False, store="4711"):
    """A signed event of a demo store (4711 unless told), as the platform sends it: an
    `api.error`, or with `order` a new order on the legacy store (recorded first, then
    weighed against the store's upgrade)."""
    if order:
        event = {"id": event_id, "type": "order.created", "created_at": "2026-11-23T10:00:00Z",
                 "data": {"legacy_store_id": store, "order_id": event_id, "environment": "live",
                          "amount": 12900, "currency": "SEK", "user_agent": agent}}
    else:
        event = {"id": event_id, "type": "api.error", "created_at": "2026-11-23T10:00:00Z",
                 "data": {"legacy_store_id": store, "error_code": error_code,
                          "correlation_id": event_id, "user_agent": agent}}
    body = json.dumps(event).encode()
    t = int(time.time())
    mac = hmac.new(secret, f"{t}.".encode() + body, hashlib.sha256).hexdigest()
    return urllib.request.Request(
        base + "/platform/v1/events", data=body, method="POST",
        headers={"Content-Type": "application/json", "Switchyard-Signature": f"t={t},v1={mac}"})


def psql(url, sql):
    """Runs `sql` with the psql client; its output split on whitespace (one value per row
    for a query of one column)."""
    return subprocess.run(["psql", url, "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-c", sql],
                          check=True, capture_output=True, text=True).stdout.split()
