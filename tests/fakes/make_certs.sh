#!/usr/bin/env bash
# Makes a throwaway CA and a certificate for 127.0.0.1 signed by it, for the
# fake provider's HTTPS mode. Usage: make_certs.sh DIR  -> DIR/{ca,server}.{pem,key}
set -euo pipefail
d=$1
mkdir -p "$d"
openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj "/CN=aix test CA" \
  -keyout "$d/ca.key" -out "$d/ca.pem" 2>/dev/null
openssl req -newkey rsa:2048 -nodes -subj "/CN=127.0.0.1" \
  -keyout "$d/server.key" -out "$d/server.csr" 2>/dev/null
printf 'subjectAltName=IP:127.0.0.1\n' > "$d/ext.cnf"
openssl x509 -req -in "$d/server.csr" -CA "$d/ca.pem" -CAkey "$d/ca.key" -CAcreateserial \
  -days 2 -extfile "$d/ext.cnf" -out "$d/server.pem" 2>/dev/null
