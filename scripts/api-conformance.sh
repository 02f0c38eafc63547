#!/usr/bin/env bash
# Runs schemathesis (PyPI) against the real system with every check: no 5xx, every status
# documented, every request the OpenAPI document allows accepted, every one it refuses refused
# (ADR 008). Part of `make test` (seed 1, 5 examples per operation); exits non-zero on any finding.
# `scripts/api-conformance.sh [max-examples] [seed]`; the report goes to stdout.
# Operations that would end the run's own session (sign out, password changes, revoking
# tokens, changing users) are left out; the end-to-end tests cover them.
set -euo pipefail
cd "$(dirname "$0")/.."
EXAMPLES="${1:-5}"
SEED="${2:-1}"
command -v st >/dev/null || python3 -m pip install -q -r requirements-test.txt
swift build
folder=$(mktemp -d)
# Five ports the kernel hands out free (held open together, so they differ), then let go.
read -r p_bus p_pub p_sub p_http p_ingest < <(python3 -c '
import socket
held = [socket.socket() for _ in range(5)]
for s in held: s.bind(("127.0.0.1", 0))
print(*(s.getsockname()[1] for s in held))')
export CRM_DATA_DIR="$folder/data" CRM_ADMIN_PASSWORD=conformance-admin CRM_BCRYPT_COST=4 \
    CRM_BUS_ENDPOINT="tcp://127.0.0.1:$p_bus" CRM_EVENTS_PUBLISH_ENDPOINT="tcp://127.0.0.1:$p_pub" \
    CRM_EVENTS_SUBSCRIBE_ENDPOINT="tcp://127.0.0.1:$p_sub" CRM_HTTP_ADDRESS="127.0.0.1:$p_http" \
    CRM_TELEPHONY_INGEST_ENDPOINT="tcp://127.0.0.1:$p_ingest"
(cd "$folder" && exec "$OLDPWD/.build/debug/crm" up --file "$OLDPWD/compose/crm.yaml" >"$folder/up.log" 2>&1) &
up=$!
trap 'kill $up 2>/dev/null; wait $up 2>/dev/null; rm -rf "$folder"' EXIT
url="http://127.0.0.1:$p_http"
for _ in $(seq 1 100); do curl -sf "$url/readyz" >/dev/null && break; sleep 0.3; done
token=$(curl -s -X POST "$url/api/v1/auth/login" -H 'Content-Type: application/json' \
    -d '{"username":"admin","password":"conformance-admin"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["token"])')
cd "$folder"  # schemathesis keeps a cache in the working folder
st run "$url/api/v1/openapi.json" -H "Authorization: Bearer $token" --checks all --phases examples,coverage,fuzzing \
    --max-examples "$EXAMPLES" --seed "$SEED" --workers 1 \
    --exclude-operation-id delete_tokens_by_id --exclude-operation-id patch_users_by_id \
    --exclude-operation-id post_users_by_id_password --exclude-operation-id post_auth_logout \
    --exclude-operation-id post_auth_password || status=$?
# Bad input must never stop a process: a restart the supervisor saw fails the run too.
if grep -q "exited with status" "$folder/up.log"; then
    echo "a process of the system stopped during the run:"
    grep -E "exited with status|runtime failure|crashed:|^\[[a-z]+\.[0-9]+\] +[0-9]+ .* at /" "$folder/up.log" | head -40
    status=1
fi
exit "${status:-0}"
