#!/usr/bin/env bash
# Probe benchmark: Debian's nginx on 127.0.0.1 serves a weak endpoint, a
# hardened one and 200 virtual hosts behind one listener (certificates made
# here with openssl). `ingressguard probe` (default pacing) and Debian's
# testssl.sh (`-p -S -h`, and its full run) probe the weak and the hardened
# endpoints in the same session; their protocol, cipher-suite and HSTS
# verdicts are compared (they must agree) and their wall times reported
# (medians of RUNS runs; the full testssl run once). Then the 200 virtual
# hosts are probed from their Ingress manifests (--from, one address).
set -euo pipefail
build=${1:-build}
dir=${2:-$build/bench-probe}
runs=${RUNS:-5}
testssl_runs=${TESTSSL_RUNS:-3}
vhosts=${VHOSTS:-200}
bin=$(cd "$(dirname "$build/ingressguard")" && pwd)/ingressguard
here=$(cd "$(dirname "$0")" && pwd)
rm -rf "$dir" && mkdir -p "$dir/www" && dir=$(cd "$dir" && pwd)
chmod 755 "$dir" "$dir/www"
echo shop > "$dir/www/index.html"
free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'; }
weak=$(free_port); weak_http=$(free_port); hard=$(free_port); hard_http=$(free_port); vh=$(free_port); vh_http=$(free_port)

# Certificates: a CA (EC), the hardened and virtual hosts' leaves from it (EC, 90 days), a self-signed RSA 1024 for the weak one.
ossl() { openssl "$@" 2>/dev/null; }
ossl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 30 -subj /CN=bench-ca -keyout "$dir/ca.key" -out "$dir/ca.crt"
leaf() {  # NAME SAN
  ossl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=$1" -keyout "$dir/$1.key" -out "$dir/$1.csr"
  printf 'subjectAltName=%s\n' "$2" > "$dir/$1.ext"
  ossl x509 -req -in "$dir/$1.csr" -CA "$dir/ca.crt" -CAkey "$dir/ca.key" -CAcreateserial -days 90 -extfile "$dir/$1.ext" -out "$dir/$1.crt"
}
leaf hard.bench.test DNS:hard.bench.test
leaf vhosts.bench.test 'DNS:*.vhosts.bench.test'
ossl req -x509 -newkey rsa:1024 -nodes -days 200 -subj /CN=weak.bench.test -addext subjectAltName=DNS:weak.bench.test \
  -keyout "$dir/weak.key" -out "$dir/weak.crt"
chmod 644 "$dir"/*.key

mozilla12=ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305
hardening="add_header Strict-Transport-Security \"max-age=63072000\" always; add_header X-Content-Type-Options nosniff always;
    add_header X-Frame-Options DENY always; add_header Referrer-Policy no-referrer always;"
{
  cat <<CONF
daemon off; worker_processes 1; pid $dir/nginx.pid; error_log $dir/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $dir/tmp-body; proxy_temp_path $dir/tmp-proxy; fastcgi_temp_path $dir/tmp-fcgi;
  uwsgi_temp_path $dir/tmp-uwsgi; scgi_temp_path $dir/tmp-scgi;
  server {  # weak: TLS 1.0-1.2, every suite, self-signed RSA 1024, no headers, plain HTTP served
    listen 127.0.0.1:$weak ssl; server_name weak.bench.test;
    ssl_certificate $dir/weak.crt; ssl_certificate_key $dir/weak.key;
    ssl_protocols TLSv1 TLSv1.1 TLSv1.2; ssl_ciphers ALL:@SECLEVEL=0;
    location / { root $dir/www; }
  }
  server { listen 127.0.0.1:$weak_http; location / { root $dir/www; } }
  server {  # hardened: Mozilla intermediate, redirect, HSTS two years
    listen 127.0.0.1:$hard ssl; server_name hard.bench.test; server_tokens off;
    ssl_certificate $dir/hard.bench.test.crt; ssl_certificate_key $dir/hard.bench.test.key;
    ssl_protocols TLSv1.2 TLSv1.3; ssl_ciphers $mozilla12; ssl_ecdh_curve X25519:prime256v1:secp384r1;
    $hardening
    location / { root $dir/www; }
  }
  server { listen 127.0.0.1:$hard_http; location / { return 301 https://\$host\$request_uri; } }
  server {  # the virtual hosts' listener: unknown names get 404
    listen 127.0.0.1:$vh ssl default_server; server_tokens off;
    ssl_certificate $dir/vhosts.bench.test.crt; ssl_certificate_key $dir/vhosts.bench.test.key;
    ssl_protocols TLSv1.2 TLSv1.3; ssl_ciphers $mozilla12; ssl_ecdh_curve X25519:prime256v1:secp384r1;
    return 404;
  }
  server { listen 127.0.0.1:$vh_http; location / { return 301 https://\$host\$request_uri; } }
CONF
  for i in $(seq -w 1 "$vhosts"); do
    echo "  server { listen 127.0.0.1:$vh ssl; server_name h$i.vhosts.bench.test; server_tokens off;"
    echo "    ssl_certificate $dir/vhosts.bench.test.crt; ssl_certificate_key $dir/vhosts.bench.test.key;"
    echo "    $hardening location / { root $dir/www; } }"
  done
  echo "}"
} > "$dir/nginx.conf"
for i in $(seq -w 1 "$vhosts"); do
  cat <<YAML
---
apiVersion: networking.k8s.io/v1
kind: Ingress
metadata: {name: h$i, namespace: shop}
spec:
  ingressClassName: nginx
  tls: [{hosts: [h$i.vhosts.bench.test], secretName: vhosts-tls}]
  rules:
  - host: h$i.vhosts.bench.test
    http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: web, port: {number: 80}}}}]}
YAML
done > "$dir/ingresses.yaml"

nginx -c "$dir/nginx.conf" -p "$dir/" &
nginx_pid=$!
trap 'kill $nginx_pid 2>/dev/null || true' EXIT
for _ in $(seq 100); do (echo > /dev/tcp/127.0.0.1/$vh) 2>/dev/null && break; sleep 0.1; done

seconds() {  # wall time of a command or function
  local t0 t1
  t0=$(date +%s.%N); "$@" > /dev/null 2>&1 || true; t1=$(date +%s.%N)
  awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.2f\n", b - a }'
}
median() { sort -n | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }
ig_probe() {  # NAME PORT HTTP_PORT [extra...]
  "$bin" probe "https://$1:$2/" --resolve "$1:$2:127.0.0.1" --http-port "$3" --ca "$dir/ca.crt" --format json "${@:4}"
}
testssl_run() {  # NAME PORT JSONFILE [options...]
  rm -f "$3"
  testssl --jsonfile "$3" --ip 127.0.0.1 --nodns none --warnings off --color 0 --quiet "${@:4}" "https://$1:$2"
}

declare -A ig_s ts_s full_s
for name in weak hard; do
  port=${!name}; http_var=${name}_http; http=${!http_var}; host=$name.bench.test
  ig_probe "$host" "$port" "$http" > "$dir/$name-ig.json" || true
  for _ in $(seq "$runs"); do seconds ig_probe "$host" "$port" "$http"; done | median > "$dir/$name-ig.s"
  for _ in $(seq "$testssl_runs"); do seconds testssl_run "$host" "$port" "$dir/$name-psh.json" -p -S -h; done | median > "$dir/$name-psh.s"
  seconds testssl_run "$host" "$port" "$dir/$name-full.json" > "$dir/$name-full.s"
  ig_s[$name]=$(cat "$dir/$name-ig.s"); ts_s[$name]=$(cat "$dir/$name-psh.s"); full_s[$name]=$(cat "$dir/$name-full.s")
done

# 200 virtual hosts behind one address, from their manifests.
vh_probe() {
  "$bin" probe --from "$dir/ingresses.yaml" --resolve "*:$vh:127.0.0.1" --https-port "$vh" --http-port "$vh_http" \
    --ca "$dir/ca.crt" --max-requests 20000 --format json "$@"
}
vh_probe > "$dir/vhosts-ig.json" || true
vh_time=$(for _ in $(seq 3); do seconds vh_probe; done | median)

python3 "$here/compare_probe_testssl.py" "$dir" weak hard
python3 - "$dir/vhosts-ig.json" <<PY
import json, sys
d = json.load(open(sys.argv[1]))
s = d["summary"]
print(f"$vhosts virtual hosts behind one address (--from, default pacing and concurrency): {s['targets']} targets, "
      f"{s['connections']} connections, {s['fail']} failed checks; wall time median of 3: $vh_time s (target <= 20 s)")
PY
awk -v iw="${ig_s[weak]}" -v ih="${ig_s[hard]}" -v tw="${ts_s[weak]}" -v th="${ts_s[hard]}" \
    -v fw="${full_s[weak]}" -v fh="${full_s[hard]}" -v runs="$runs" -v truns="$testssl_runs" 'BEGIN {
  printf "%-44s %10s %10s\n", "wall time, seconds", "weak", "hardened"
  printf "%-44s %10.2f %10.2f\n", "ingressguard probe (median of " runs ")", iw, ih
  printf "%-44s %10.2f %10.2f\n", "testssl.sh -p -S -h (median of " truns ")", tw, th
  printf "%-44s %10.2f %10.2f\n", "testssl.sh full run (1 run)", fw, fh
  printf "ratio to testssl.sh -p -S -h: %.1fx weak, %.1fx hardened (target >= 10x); to the full run: %.1fx, %.1fx\n", tw/iw, th/ih, fw/iw, fh/ih
}'
