#!/usr/bin/env bash
# Starts a deliberately weak nginx on 127.0.0.1:8443/8080 (certificates made
# here, in a temporary directory), probes it with the shop's Ingresses as the
# declared intent, and stops it. Usage: examples/probe/run-demo.sh [ingressguard binary]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
bin=${1:-$here/../../build/ingressguard}
dir=$(mktemp -d /tmp/ig-probe-demo-XXXXXX)
chmod 755 "$dir"
trap '[ -f "$dir/nginx.pid" ] && kill "$(cat "$dir/nginx.pid")" 2>/dev/null; sleep 0.2; rm -rf "$dir"' EXIT
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 -subj /CN=shop-demo-ca \
  -keyout "$dir/ca.key" -out "$dir/ca.crt" 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=admin.shop.example.test \
  -keyout "$dir/tls.key" -out "$dir/tls.csr" 2>/dev/null
printf 'subjectAltName=DNS:admin.shop.example.test,DNS:api.shop.example.test\n' > "$dir/san.ext"
openssl x509 -req -in "$dir/tls.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial -days 30 \
  -extfile "$dir/san.ext" -out "$dir/tls.crt" 2>/dev/null
mkdir -p "$dir/www/v1" && echo shop > "$dir/www/index.html" && echo api > "$dir/www/v1/index.html"
chmod -R a+rX "$dir"
sed "s|@DIR@|$dir|g" "$here/nginx.conf.in" > "$dir/nginx.conf"
nginx -c "$dir/nginx.conf" -p "$dir/" &
for _ in $(seq 50); do (echo > /dev/tcp/127.0.0.1/8443) 2>/dev/null && break; sleep 0.1; done
"$bin" probe --from "$here/ingresses.yaml" --resolve '*:8443:127.0.0.1' --https-port 8443 --http-port 8080 \
  --ca "$dir/ca.crt" "${@:2}" || status=$?
exit "${status:-0}"
