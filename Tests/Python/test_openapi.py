"""The gateway's OpenAPI document, judged by a validator nobody here wrote
(openapi-spec-validator), and checked for what the access rules promise."""

import json
import os
import subprocess
import unittest

from openapi_spec_validator import validate

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
BIN = os.environ.get("CRM_BIN_DIR", os.path.join(ROOT, ".build", "debug"))


class OpenAPIDocumentTest(unittest.TestCase):
    @classmethod
    def setUpClass(cls):
        output = subprocess.run(
            [os.path.join(BIN, "gateway"), "--print-openapi"], check=True, capture_output=True, timeout=60
        ).stdout
        cls.document = json.loads(output)

    def test_is_valid_openapi_3_1(self):
        self.assertEqual(self.document["openapi"], "3.1.0")
        validate(self.document)

    def test_every_operation_says_who_may_call_it(self):
        open_paths = set()
        for path, methods in self.document["paths"].items():
            for method, operation in methods.items():
                self.assertIn("security", operation, f"{method} {path}")
                if not operation["security"]:
                    open_paths.add(path)
                else:
                    self.assertIn("401", operation["responses"], f"{method} {path}")
                if operation.get("x-boss-only"):
                    self.assertIn("x-required-scope", operation, f"{method} {path}")
        # Besides health and signing in: a calendar feed and an attendee's answer, each by a secret
        # token in its path (calendar apps and invited people cannot sign in).
        self.assertEqual(open_paths, {"/healthz", "/readyz", "/api/v1/auth/login", "/api/v1/feeds/{token}", "/api/v1/rsvp/{token}"})

    def test_settings_collections_and_bodies_are_documented(self):
        paths = self.document["paths"]
        for kind in ["categories", "sources", "industries", "roles", "company-statuses", "task-categories",
                     "sales-categories", "sales-statuses", "sales-stages", "win-reasons", "loss-reasons"]:
            self.assertIn(f"/api/v1/settings/{kind}", paths)
            self.assertIn(f"/api/v1/settings/{kind}/{{id}}", paths)
        create_user = paths["/api/v1/users"]["post"]
        schema = create_user["requestBody"]["content"]["application/json"]["schema"]
        self.assertEqual(schema, {"$ref": "#/components/schemas/CreateUserRequest"})
        self.assertIn("CreateUserRequest", self.document["components"]["schemas"])


if __name__ == "__main__":
    unittest.main()
