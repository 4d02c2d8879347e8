#!/usr/bin/env bash
# Real ACME clients from Debian packages against a running certledger: certbot and lego issue with
# http-01 (their standalone servers) and dns-01 (a hook into pebble-challtestsrv's DNS), renew, and
# revoke. Run after `npm run build`; needs the packages listed in apt-packages.txt.
#   bash test/clients/certbot-lego.sh
set -euo pipefail
cd "$(dirname "$0")/../.."

BASE_PORT=${BASE_PORT:-14000}
ACME_PORT=$BASE_PORT
HTTP01_PORT=$((BASE_PORT + 2))
DNS_PORT=$((BASE_PORT + 53))
MGMT_PORT=$((BASE_PORT + 55))
WORK=$(mktemp -d /tmp/certledger-clients.XXXXXX)
chmod 755 "$WORK"
DIRECTORY="http://127.0.0.1:${ACME_PORT}/directory"
pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

pebble-challtestsrv -dns01 "127.0.0.1:${DNS_PORT}" -http01 "" -https01 "" -tlsalpn01 "" \
  -management "127.0.0.1:${MGMT_PORT}" -defaultIPv6 "" >"$WORK/challtestsrv.log" 2>&1 &
pids+=($!)

cat >"$WORK/certledger.yaml" <<YAML
data_dir: $WORK/data
server:
  listen: 127.0.0.1:${ACME_PORT}
validation:
  resolvers: ["127.0.0.1:${DNS_PORT}"]
  http01_port: ${HTTP01_PORT}
  allow_private_networks: true
  timeout: 10s
logging:
  level: warn
YAML
node bin/certledger.js -c "$WORK/certledger.yaml" >"$WORK/certledger.log" 2>&1 &
pids+=($!)
for _ in $(seq 1 120); do curl -sf "http://127.0.0.1:${ACME_PORT}/livez" >/dev/null && break; sleep 0.5; done
curl -sf "$DIRECTORY" >/dev/null || { echo "certledger did not start"; cat "$WORK/certledger.log"; exit 1; }

passed=0
failed=0
step() {
  local name=$1
  shift
  if "$@" >"$WORK/step.log" 2>&1; then
    echo "ok     $name"
    passed=$((passed + 1))
  else
    echo "FAILED $name"
    sed 's/^/    /' "$WORK/step.log" | tail -30
    failed=$((failed + 1))
  fi
}

# The DNS hook both clients use: publish or clear a TXT record in pebble-challtestsrv.
cat >"$WORK/dns-hook.sh" <<HOOK
#!/usr/bin/env bash
# certbot: CERTBOT_DOMAIN / CERTBOT_VALIDATION; lego exec provider: \$1=present|cleanup \$2=fqdn \$3=value
if [ -n "\${CERTBOT_DOMAIN:-}" ]; then host="_acme-challenge.\${CERTBOT_DOMAIN}."; value="\$CERTBOT_VALIDATION"; action=set-txt
else host="\$2"; value="\$3"; [ "\$1" = present ] && action=set-txt || action=clear-txt; fi
curl -sf -d "{\"host\":\"\$host\",\"value\":\"\$value\"}" "http://127.0.0.1:${MGMT_PORT}/\$action"
HOOK
chmod +x "$WORK/dns-hook.sh"

CB=(certbot --config-dir "$WORK/certbot" --work-dir "$WORK/certbot" --logs-dir "$WORK/certbot" --server "$DIRECTORY"
  --non-interactive --agree-tos -m ops@clients.test --no-random-sleep-on-renew)
step "certbot: issue with http-01 (standalone)" \
  "${CB[@]}" certonly --standalone --http-01-address 127.0.0.1 --http-01-port "$HTTP01_PORT" -d certbot.clients.test -d www.certbot.clients.test
step "certbot: issue with dns-01 (hook)" \
  "${CB[@]}" certonly --manual --preferred-challenges dns --manual-auth-hook "$WORK/dns-hook.sh" -d dns.certbot.clients.test -d '*.certbot.clients.test'
step "certbot: renew" \
  "${CB[@]}" renew --force-renewal --cert-name certbot.clients.test --http-01-address 127.0.0.1 --http-01-port "$HTTP01_PORT"
step "certbot: revoke" \
  "${CB[@]}" revoke --cert-name certbot.clients.test --reason superseded --no-delete-after-revoke

LG=(lego --server "$DIRECTORY" --email ops@clients.test --accept-tos --path "$WORK/lego")
step "lego: issue with http-01" \
  "${LG[@]}" --domains lego.clients.test --http --http.port "127.0.0.1:${HTTP01_PORT}" run
step "lego: issue with dns-01 (exec hook)" \
  env EXEC_PATH="$WORK/dns-hook.sh" EXEC_PROPAGATION_TIMEOUT=30 EXEC_POLLING_INTERVAL=1 \
  "${LG[@]}" --domains dns.lego.clients.test --domains '*.lego.clients.test' --dns exec --dns.resolvers "127.0.0.1:${DNS_PORT}" --dns.disable-cp run
step "lego: renew" \
  "${LG[@]}" --domains lego.clients.test --http --http.port "127.0.0.1:${HTTP01_PORT}" renew --days 10000 --no-random-sleep
step "lego: revoke" \
  "${LG[@]}" --domains lego.clients.test revoke

echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ]
