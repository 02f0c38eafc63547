"""What the HTTP benchmarks share: one keep-alive connection to the gateway, and percentiles."""

import http.client
import json
import urllib.parse


class Client:
    """One keep-alive connection to the gateway."""

    def __init__(self, base, token=None):
        parts = urllib.parse.urlsplit(base)
        self.connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=120)
        self.token = token

    def call(self, method, path, body=None, raw=False):
        """(status, decoded JSON), or (status, bytes) with `raw`."""
        headers = {"Content-Type": "application/json"}
        if self.token:
            headers["Authorization"] = "Bearer " + self.token
        self.connection.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
        response = self.connection.getresponse()
        data = response.read()
        if raw:
            return response.status, data
        return response.status, json.loads(data) if data else None


def percentiles(samples):
    """(p50, p99) in milliseconds of samples in seconds."""
    ordered = sorted(samples)
    return ordered[len(ordered) // 2] * 1000, ordered[min(len(ordered) - 1, int(len(ordered) * 0.99))] * 1000
