"""A simulated LTI 1.3 platform for the tests, served on loopback by the test itself.

It has its own RSA key, a JWKS endpoint, an OAuth2 token endpoint (client credentials), and
an AGS line item whose scores endpoint records what it receives. ``id_token`` signs launch
and deep linking messages the way an LMS does.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import jwt
from jwcrypto.jwk import JWK

LTI = "https://purl.imsglobal.org/spec/lti/claim/"
INSTRUCTOR = "http://purl.imsglobal.org/vocab/lis/v2/membership#Instructor"
LEARNER = "http://purl.imsglobal.org/vocab/lis/v2/membership#Learner"
AGS_SCOPES = [
    "https://purl.imsglobal.org/spec/lti-ags/scope/lineitem",
    "https://purl.imsglobal.org/spec/lti-ags/scope/score",
]


class Platform:
    def __init__(self) -> None:
        self.kid = "platform-key-1"
        self.key = JWK.generate(kty="RSA", size=2048, kid=self.kid)
        self.scores: list[dict] = []
        self.token_requests: list[dict] = []
        platform = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args) -> None:  # keep test output clean
                pass

            def _json(self, code: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            def do_GET(self) -> None:
                if self.path == "/jwks":
                    self._json(200, {"keys": [json.loads(platform.key.export_public())]})
                else:
                    self._json(404, {"error": "not found"})

            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
                if self.path == "/token":
                    platform.token_requests.append({"body": body.decode()})
                    self._json(
                        200, {"access_token": "tok-1", "token_type": "Bearer", "expires_in": 3600}
                    )
                elif self.path == "/lineitems/1/scores":
                    platform.scores.append(
                        {"auth": self.headers.get("Authorization"), "score": json.loads(body)}
                    )
                    self._json(200, {})
                else:
                    self._json(404, {"error": "not found"})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.issuer = self.url
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self) -> None:
        self.server.shutdown()
        self.server.server_close()

    @property
    def lineitem(self) -> str:
        return f"{self.url}/lineitems/1"

    def id_token(
        self,
        *,
        client_id: str,
        deployment_id: str,
        nonce: str,
        sub: str,
        roles: list[str],
        message_type: str = "LtiResourceLinkRequest",
        custom: dict | None = None,
        key: JWK | None = None,
        expires_in: int = 300,
        issuer: str | None = None,
        extra: dict | None = None,
    ) -> str:
        now = int(time.time())
        claims = {
            "iss": issuer or self.issuer,
            "aud": client_id,
            "sub": sub,
            "iat": now,
            "exp": now + expires_in,
            "nonce": nonce,
            "name": f"User {sub}",
            "given_name": sub,
            "email": f"{sub}@lms.example",
            LTI + "deployment_id": deployment_id,
            LTI + "message_type": message_type,
            LTI + "version": "1.3.0",
            LTI + "roles": roles,
            LTI + "context": {"id": "course-42", "label": "NN101", "title": "Neural networks 101"},
            LTI + "target_link_uri": "http://testserver/lti/launch/",
            "https://purl.imsglobal.org/spec/lti-ags/claim/endpoint": {
                "scope": AGS_SCOPES,
                "lineitems": f"{self.url}/lineitems",
                "lineitem": self.lineitem,
            },
        }
        if message_type == "LtiResourceLinkRequest":
            claims[LTI + "resource_link"] = {"id": "link-1", "title": "nnweb"}
        if custom:
            claims[LTI + "custom"] = custom
        claims.update(extra or {})
        signing = key or self.key
        pem = signing.export_to_pem(private_key=True, password=None)
        return jwt.encode(claims, pem, algorithm="RS256", headers={"kid": self.kid})

    def other_key(self) -> JWK:
        """A key the platform's JWKS does not publish, under the same key id."""
        return JWK.generate(kty="RSA", size=2048, kid=self.kid)


def new_sub() -> str:
    return uuid.uuid4().hex[:12]
