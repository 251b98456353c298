# shellcheck shell=bash
# A throw-away ACME testbed: a network namespace with its own loopback, a
# Pebble ACME CA and pebble-challtestsrv (DNS: every name -> 127.0.0.1) inside.
# Inside the namespace ports 80/443 are free and wildcard binds are loopback
# only, so real nginx/Apache can answer http-01 without touching the host.
#
#   source scripts/lib/testbed.sh
#   testbed_up              # sets TB_NS, TB_DIR, TB_ACME_URL, TB_CA_BUNDLE, TB_ROOT
#   tb_exec CMD...          # run a command inside the namespace
#   testbed_down            # also runs on EXIT
#
# Needs root (ip netns) and Debian's pebble, openssl, curl.

TB_NS=${TB_NS:-certsmith-tb-$$}
TB_DIR=${TB_DIR:-$(mktemp -d /tmp/certsmith-testbed.XXXXXX)}
TB_ACME_URL=https://127.0.0.1:14000/dir
TB_CA_BUNDLE=$TB_DIR/pebble-ca.pem
TB_ROOT=$TB_DIR/pebble-root.pem
TB_PIDS=()

tb_exec() { ip netns exec "$TB_NS" "$@"; }

tb_wait_port() { # PORT: wait until something listens on 127.0.0.1:PORT in the namespace
  local port=$1 i
  for i in $(seq 1 100); do
    tb_exec bash -c "exec 3<>/dev/tcp/127.0.0.1/$port" 2>/dev/null && return 0
    sleep 0.05
  done
  echo "testbed: nothing listens on 127.0.0.1:$port" >&2
  return 1
}

tb_wait_udp_dns() { # wait until challtestsrv answers DNS on 127.0.0.1:8053
  local i
  for i in $(seq 1 100); do
    tb_exec python3 -c 'import socket,sys
s=socket.socket(socket.AF_INET,socket.SOCK_DGRAM); s.settimeout(0.2)
q=bytes.fromhex("12340100000100000000000001610000010001")
s.sendto(q,("127.0.0.1",8053)); s.recv(512)' 2>/dev/null && return 0
    sleep 0.05
  done
  echo "testbed: pebble-challtestsrv does not answer on 127.0.0.1:8053" >&2
  return 1
}

tb_make_certs() {
  # Pebble's listener needs a certificate; clients trust the small CA that signs it.
  local d=$TB_DIR
  openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
    -subj "/CN=certsmith testbed CA" -keyout "$d/ca.key" -out "$TB_CA_BUNDLE" \
    -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign 2>/dev/null
  openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj "/CN=localhost" \
    -keyout "$d/localhost.key" -out "$d/localhost.csr" 2>/dev/null
  printf 'subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1\nbasicConstraints=CA:FALSE\nextendedKeyUsage=serverAuth\n' > "$d/ext.cnf"
  openssl x509 -req -in "$d/localhost.csr" -CA "$TB_CA_BUNDLE" -CAkey "$d/ca.key" -CAcreateserial \
    -days 2 -extfile "$d/ext.cnf" -out "$d/localhost.pem" 2>/dev/null
}

testbed_up() {
  trap testbed_down EXIT
  ip netns add "$TB_NS"
  tb_exec ip link set lo up
  tb_make_certs
  cat > "$TB_DIR/pebble.json" <<JSON
{ "pebble": {
    "listenAddress": "127.0.0.1:14000",
    "managementListenAddress": "127.0.0.1:15000",
    "certificate": "$TB_DIR/localhost.pem",
    "privateKey": "$TB_DIR/localhost.key",
    "httpPort": 80,
    "tlsPort": 443,
    "ocspResponderURL": "",
    "externalAccountBindingRequired": false } }
JSON
  tb_exec pebble-challtestsrv -defaultIPv4 127.0.0.1 -defaultIPv6 "" -dns01 127.0.0.1:8053 \
    -http01 "" -https01 "" -tlsalpn01 "" -management 127.0.0.1:8055 \
    >"$TB_DIR/challtestsrv.log" 2>&1 &
  TB_PIDS+=($!)
  tb_wait_udp_dns
  PEBBLE_VA_NOSLEEP=1 PEBBLE_AUTHZREUSE=0 tb_exec pebble -config "$TB_DIR/pebble.json" \
    -dnsserver 127.0.0.1:8053 >"$TB_DIR/pebble.log" 2>&1 &
  TB_PIDS+=($!)
  tb_wait_port 14000
  tb_wait_port 15000
  tb_exec curl -fsS --cacert "$TB_CA_BUNDLE" https://127.0.0.1:15000/roots/0 > "$TB_ROOT"
}

testbed_down() {
  local pid
  for pid in "${TB_PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${TB_PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
  TB_PIDS=()
  # Anything else still running in the namespace (a server a demo started).
  if ip netns pids "$TB_NS" >/dev/null 2>&1; then
    ip netns pids "$TB_NS" | xargs -r kill 2>/dev/null || true
    sleep 0.2
    ip netns pids "$TB_NS" | xargs -r kill -9 2>/dev/null || true
    ip netns del "$TB_NS" 2>/dev/null || true
  fi
  [ -n "${TB_KEEP:-}" ] || rm -rf "$TB_DIR"
}
